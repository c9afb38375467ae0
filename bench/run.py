"""`make bench`: the shop under gunicorn on PostgreSQL and Redis, measured with wrk, in one run.

What it does, all on 127.0.0.1:

1. refuses a Redis db that holds keys (BENCH_REDIS_URL, default redis://127.0.0.1:6379/11)
   unless BENCH_FLUSH_REDIS=1, then drops and recreates its own PostgreSQL database
   (BENCH_DATABASE_URL, default postgres://shop@127.0.0.1:5432/shop_bench; only a local
   shop_bench*), migrates, loads the demo catalogue (45 products with images), and creates
   buyers with API tokens and addresses, a signed-in browser session, a flash sale of Q
   units and a SKU with ample stock for order placement;
2. starts `gunicorn` (3 sync workers, settings `bench.settings`, which add the raw-values
   baseline view) and measures each target with `wrk -t1 -c8 -d<D>s` (wrk is installed
   from Debian's packages when missing and the user may): ping, the raw-values baseline,
   the listing, a category, a product, home and the API list, anonymous and signed in; a
   flash-sale stampede (then checks that exactly the quota was sold); order placement;
3. stops gunicorn, creates 1,000 paid orders and times one Celery worker process settling
   them (emails go to their own queue, which this worker does not consume);
4. prints every figure with its ratio to its baseline (pages to the raw-values view, the
   flash sale and placement to ping). Exit status 1 if the flash sale sold other than Q.

Knobs: BENCH_DURATION (seconds per target, 10), BENCH_CONNECTIONS (8), BENCH_WORKERS (3),
BENCH_Q (100), BENCH_BUYERS (500), BENCH_SETTLE (1000). The load generator shares the
machine's cores with the server, as it does for the baselines: compare ratios, not req/s.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://shop@127.0.0.1:5432/shop_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
Q = int(os.environ.get("BENCH_Q", "100"))
BUYERS = int(os.environ.get("BENCH_BUYERS", "500"))
SETTLE = int(os.environ.get("BENCH_SETTLE", "1000"))
SECRET = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"

SERVER_ENV = {
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": SECRET,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "DJANGO_SECURE": "0",
    "SHOP_API_THROTTLES": "off",
    "SHOP_PAYMENT_GATEWAYS": "dummy",
    "SHOP_DUMMY_GATEWAY_SECRET": "bench-only-gateway-secret-0123456789",
    "DJANGO_SETTINGS_MODULE": "bench.settings",
}


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


# --- 1. Tools, database, Redis, data --------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    say("wrk is missing: installing Debian's package")
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=True)
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


def check_redis_empty() -> None:
    import redis

    if urlsplit(REDIS_URL).hostname not in ("127.0.0.1", "localhost"):
        sys.exit(f"refusing {REDIS_URL}: only a local Redis")
    client = redis.Redis.from_url(REDIS_URL)
    keys = client.dbsize()
    if keys and os.environ.get("BENCH_FLUSH_REDIS") != "1":
        sys.exit(f"refusing {REDIS_URL}: it holds {keys} keys. Point BENCH_REDIS_URL at an empty "
                 f"db, or set BENCH_FLUSH_REDIS=1 to empty this one.")
    client.flushdb()


def recreate_database() -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    if parts.hostname not in ("127.0.0.1", "localhost") or not name.startswith("shop_bench"):
        sys.exit(f"refusing to recreate {DATABASE_URL}: only a local shop_bench* database")
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def manage(*args: str) -> None:
    subprocess.run([str(VENV_BIN / "python"), "manage.py", *args], cwd=ROOT,
                   env={**os.environ, **SERVER_ENV}, check=True, stdout=subprocess.DEVNULL)


def django_setup() -> None:
    os.environ.update(SERVER_ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def set_up_shop() -> dict:
    """Create buyers, a signed-in session, a flash sale and a placement SKU; return their keys."""
    from datetime import timedelta
    from decimal import Decimal

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.models import Address, User
    from catalog.models import Category, Product
    from catalog.services import product_create
    from marketing.flash import flash_sale_create

    password = make_password(None)  # unusable: buyers only use their tokens
    users = User.objects.bulk_create(
        [User(email=f"buyer{i}@bench.example", password=password) for i in range(BUYERS)]
    )
    tokens = Token.objects.bulk_create([Token(user=user, key=Token.generate_key()) for user in users])
    addresses = Address.objects.bulk_create([
        Address(user=user, name=f"Buyer {i}", phone="+86 138 0000 0000", line1=f"{i} Bench Road",
                city="Shanghai", postcode="200001", country="CN", is_default=True)
        for i, user in enumerate(users)
    ])
    category = Category.objects.add_root({"name": "Bench", "slug": "bench"})
    flash_product = product_create(category=category, name="Bench phone", slug="bench-phone", skus=[
        {"code": "BENCH-PHONE", "price": Decimal("1999.00"), "stock": Q + 50},
    ])
    product_create(category=category, name="Bench tea", slug="bench-tea", skus=[
        {"code": "BENCH-TEA", "price": Decimal("120.00"), "stock": 1_000_000},
    ])
    now = timezone.now()
    sale = flash_sale_create(sku=flash_product.skus.get(), price=Decimal("999.00"), quantity=Q,
                             per_customer_limit=1, starts_at=now - timedelta(minutes=1),
                             ends_at=now + timedelta(hours=1))
    # A browser session for the signed-in pages (the first buyer).
    session = SessionStore()
    session[SESSION_KEY] = str(users[0].pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = users[0].get_session_auth_hash()
    session.create()
    busy = Product.objects.filter(is_active=True).exclude(category=category)
    product = busy.order_by("pk").first()
    return {
        "sale_id": sale.pk,
        "buyers": [(token.key, address.pk) for token, address in zip(tokens, addresses)],
        "session": session.session_key,
        "token": tokens[0].key,
        "product": product.slug,
        "category": Category.objects.get(path=product.category.path[:Category.steplen]).slug,
    }


# --- 2. gunicorn and wrk ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(command: list[str], log_path: Path) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, **SERVER_ENV},
                            stdout=log_path.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


def wait_healthy(base: str, server: subprocess.Popen, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # nosec B310 - http://127.0.0.1, built here
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the shop did not answer /healthz in time")


def wrk(wrk_bin: str, url: str, *, headers=(), script: str | None = None, label: str = "") -> dict:
    """Run wrk against `url`; return req/s, the mean latency (ms) and non-2xx/3xx count."""
    command = [wrk_bin, "-t1", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", script]
    load = os.getloadavg()[0]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non_ok = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    # As it goes, with the load average before it: a run that fails later keeps its figures.
    label = label or "/" + url.split("/", 3)[-1] + (" (signed in)" if headers else "")
    say(f"  {label[:48]:<48} {rate:>9,.0f} req/s  (load {load:.1f})")
    return {"rate": rate, "non_ok": int(non_ok.group(1)) if non_ok else 0,
            "p50": float(p50.group(1)) * scale[p50.group(2)] if p50 else 0.0, "load": load}


def lua_post(path: Path, *, url_path: str, buyers: list, body: str, idempotent: bool) -> str:
    """Write a wrk script that POSTs `body` as the buyers in turn (tokens, addresses)."""
    rows = ",".join(f'{{"{token}",{address}}}' for token, address in buyers)
    key = 'wrk.headers["Idempotency-Key"] = "bench-" .. n\n' if idempotent else ""
    path.write_text(f"""
local buyers = {{{rows}}}
local n = 0
request = function()
  n = n + 1
  local buyer = buyers[(n % #buyers) + 1]
  wrk.headers["Authorization"] = "Token " .. buyer[1]
  wrk.headers["Content-Type"] = "application/json"
  {key}
  local body = string.format('{body}', buyer[2])
  return wrk.format("POST", "{url_path}", nil, body)
end
""")
    return str(path)


def measure(wrk_bin: str, base: str, shop: dict, scratch: Path) -> dict:
    cookie = f"Cookie: sessionid={shop['session']}"
    token = f"Authorization: Token {shop['token']}"
    pages = {
        "listing /search/": "/search/",
        "category": f"/c/{shop['category']}/",
        "product": f"/p/{shop['product']}/",
        "home": "/",
        "API list (20)": "/api/v1/products/?page_size=20",
    }
    results = {}
    for url in ["/ping", "/bench/raw/", *pages.values()]:  # warm every worker
        subprocess.run([wrk_bin, "-t1", "-c3", "-d1s", base + url], capture_output=True, check=True)
    # The baselines are measured before and after the rest and averaged: the machine's load
    # from other work drifts during a run.
    first = {"ping": wrk(wrk_bin, base + "/ping"), "raw values": wrk(wrk_bin, base + "/bench/raw/")}
    for name, url in pages.items():
        results[f"{name}, anonymous"] = wrk(wrk_bin, base + url)
        signed_in = token if url.startswith("/api/") else cookie
        results[f"{name}, signed in"] = wrk(wrk_bin, base + url, headers=[signed_in])
    buyers = shop["buyers"]
    flash = lua_post(scratch / "flash.lua", url_path=f"/api/v1/flash-sales/{shop['sale_id']}/orders/",
                     buyers=buyers, body='{"quantity": 1, "address": {"address_id": %d}}',
                     idempotent=False)
    results["flash stampede"] = wrk(wrk_bin, base + "/", script=flash, label="flash stampede")
    # Sold out by now (BUYERS > Q): every attempt is the refusal a stampede mostly is.
    results["flash refusal (sold out)"] = wrk(wrk_bin, base + "/", script=flash,
                                               label="flash refusal")
    place = lua_post(scratch / "place.lua", url_path="/api/v1/orders/", buyers=buyers,
                     body='{"lines": [{"sku": "BENCH-TEA", "quantity": 1}], "address_id": %d}',
                     idempotent=True)
    results["order placement"] = wrk(wrk_bin, base + "/", script=place, label="order placement")
    for name, url in (("ping", "/ping"), ("raw values", "/bench/raw/")):
        last = wrk(wrk_bin, base + url)
        say(f"{name}: {first[name]['rate']:,.0f} req/s before, {last['rate']:,.0f} after")
        results[name] = {key: (first[name][key] + last[key]) / 2 for key in last}
    return results


# --- 3. Settlement ---------------------------------------------------------------------------


def paid_orders(count: int, buyers: list) -> list[int]:
    """Place and pay `count` one-line orders (their settle tasks go to the broker)."""
    from rest_framework.authtoken.models import Token

    from catalog.models import Sku
    from orders.gateways.dummy import payment_simulate
    from orders.services import order_place
    from orders.services.placement import address_resolve, items_for_skus

    sku = Sku.objects.get(code="BENCH-TEA")
    users = {token.key: token.user for token in Token.objects.select_related("user")}
    ids = []
    for index in range(count):
        token, address_id = buyers[index % len(buyers)]
        user = users[token]
        order, _ = order_place(user=user, address=address_resolve(user=user, address_id=address_id),
                               items=items_for_skus(pairs=[(sku, 1)]))
        payment_simulate(order=order, outcome="approve")
        ids.append(order.pk)
    return ids


def settle(ids: list[int], log_path: Path) -> float:
    """Start one worker process (solo pool) and return the orders it settles per second."""
    from orders.models import Settlement

    def settled() -> int:
        return Settlement.objects.filter(order_id__in=ids).count()

    worker = start([str(VENV_BIN / "celery"), "-A", "shop", "worker", "--pool=solo",
                    "--concurrency=1", "-Q", "celery", "--loglevel=WARNING"], log_path)
    try:
        deadline = time.monotonic() + 600
        done = settled()
        while done == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
            done = settled()
        began, first = time.monotonic(), done
        while done < len(ids) and time.monotonic() < deadline:
            time.sleep(0.2)
            done = settled()
        seconds = time.monotonic() - began
    finally:
        stop(worker)
    say(f"settlement: {done - first} orders in {seconds:.1f} s by one worker")
    return (done - first) / seconds if seconds else 0.0


# --- 4. Report -------------------------------------------------------------------------------


def check_flash(sale_id: int) -> bool:
    from marketing.models import FlashPurchase, FlashSale

    sale = FlashSale.objects.get(pk=sale_id)
    units = sum(FlashPurchase.objects.filter(sale=sale, state__in=FlashPurchase.ACTIVE)
                .values_list("quantity", flat=True))
    exact = sale.sold == sale.quantity == units
    say(f"flash sale: {sale.sold} of {sale.quantity} sold, {units} in purchases: "
        f"{'exactly the quota' if exact else 'NOT the quota'}")
    return exact


def report(results: dict, placed: int, settle_rate: float) -> None:
    ping, raw = results["ping"]["rate"], results["raw values"]["rate"]
    say(f"{'target':<34} {'req/s':>9} {'p50 ms':>8} {'ratio':>7} {'load':>5}  baseline")
    order = ["ping", "raw values", *(name for name in results if name not in ("ping", "raw values"))]
    for name in order:
        figure = results[name]
        if name == "ping":
            ratio, base = 1.0, ""
        elif name.startswith(("flash", "order")):
            ratio, base = figure["rate"] / ping, "ping"
        elif name == "raw values":
            ratio, base = figure["rate"] / ping, "ping"
        else:
            ratio, base = figure["rate"] / raw, "raw values"
        extra = f"  ({figure['non_ok']} non-2xx)" if figure["non_ok"] else ""
        say(f"{name:<34} {figure['rate']:>9,.0f} {figure['p50']:>8.1f} {ratio:>7.3f} "
            f"{figure['load']:>5.1f}  {base}{extra}")
    say(f"orders placed: {placed} in {DURATION} s = {placed / DURATION:,.0f} orders/s")
    say(f"settlement, one worker: {settle_rate:,.0f} orders/s")


def main() -> int:
    say(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; wrk -t1 -c{CONNECTIONS} "
        f"-d{DURATION}s; {WORKERS} gunicorn workers")
    wrk_bin = ensure_wrk()
    check_redis_empty()
    recreate_database()
    started = time.monotonic()
    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    manage("seed_demo")
    django_setup()
    shop = set_up_shop()
    say(f"set up in {time.monotonic() - started:.0f} s")

    from django.db import connections

    from orders.models import Order

    connections.close_all()  # gunicorn's workers must not share this process's connection
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    logs = Path(tempfile.mkdtemp(prefix="shop-bench-"))
    server = start([str(VENV_BIN / "gunicorn"), "shop.wsgi", "--workers", str(WORKERS),
                    "--bind", f"127.0.0.1:{port}", "--backlog", "2048", "--log-level", "warning"],
                   logs / "gunicorn.log")
    try:
        wait_healthy(base, server)
        before = Order.objects.filter(lines__sku__code="BENCH-TEA").count()
        results = measure(wrk_bin, base, shop, logs)
        placed = Order.objects.filter(lines__sku__code="BENCH-TEA").count() - before
    finally:
        stop(server)
    ok = check_flash(shop["sale_id"])
    ids = paid_orders(SETTLE, shop["buyers"])
    settle_rate = settle(ids, logs / "worker.log")
    report(results, placed, settle_rate)
    say(f"logs: {logs}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
