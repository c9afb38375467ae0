"""Flash-sale load benchmark: a stampede of buyers against the shop under gunicorn (`make bench`).

What it does, all on 127.0.0.1 and bounded in count and time:

1. drops and recreates its own PostgreSQL database (BENCH_DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/shop_bench) and empties its Redis db (BENCH_REDIS_URL,
   default redis://127.0.0.1:6379/11), then migrates;
2. creates BUYERS shoppers, each with an API token and a saved address, one SKU and a running
   flash sale of Q units, limit 1 per customer;
3. starts `gunicorn shop.wsgi --workers 3` on a free port (debug off, throttles off) and waits
   for /healthz;
4. measures the trivial /ping view with M concurrent connections (the ceiling of this stack on
   this machine) and fires N buy attempts (`POST /api/v1/flash-sales/{id}/orders/`) from M
   concurrent connections, buyers picked round-robin from a shuffled list — in alternating
   slices, so a machine shared with other work loads both alike;
5. prints attempts/s, p50/p95/p99 latency, status counts, orders created and units sold (read
   from the database: they must equal Q), the Redis gate against the database, the ping's
   req/s and the ratio; stops gunicorn. Exit status 1 if the sale oversold or undersold.

Knobs (environment): BENCH_N (attempts, 9000), BENCH_M (connections, 32), BENCH_Q (units, 100),
BENCH_BUYERS (500), BENCH_PING_N (requests, 9000), BENCH_WORKERS (3).
The load generator shares the machine's cores with the server, as it does for the ping.
"""

import asyncio
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
N = int(os.environ.get("BENCH_N", "9000"))
M = int(os.environ.get("BENCH_M", "32"))
Q = int(os.environ.get("BENCH_Q", "100"))
BUYERS = int(os.environ.get("BENCH_BUYERS", "500"))
PING_N = int(os.environ.get("BENCH_PING_N", "9000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
ROUNDS = 3  # ping and buy alternate in slices: both see the same load from the rest of the machine
REQUEST_TIMEOUT = 10.0  # seconds, per request
PHASE_TIMEOUT = 180.0  # seconds, per measured phase
SECRET = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"

SERVER_ENV = {
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": SECRET,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "DJANGO_SECURE": "0",
    "SHOP_API_THROTTLES": "off",
    "DJANGO_SETTINGS_MODULE": "shop.settings",
}


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


# --- 1. A fresh database and Redis db -----------------------------------------------------------


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


def flush_redis() -> None:
    import redis

    if urlsplit(REDIS_URL).hostname not in ("127.0.0.1", "localhost"):
        sys.exit(f"refusing to flush {REDIS_URL}: only a local Redis")
    redis.Redis.from_url(REDIS_URL).flushdb()


def migrate() -> None:
    subprocess.run([str(VENV_BIN / "python"), "manage.py", "migrate", "--noinput", "-v0"],
                   cwd=ROOT, env={**os.environ, **SERVER_ENV}, check=True)


# --- 2. Buyers and the sale ---------------------------------------------------------------------


def set_up_shop() -> dict:
    """Create buyers (token + address), a SKU and a running sale; return what the load needs."""
    os.environ.update(SERVER_ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)  # the shop's logging config says INFO
    from datetime import timedelta
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.models import Address, User
    from catalog.models import Category
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
    product = product_create(category=category, name="Bench phone", slug="bench-phone", skus=[
        {"code": "BENCH-PHONE", "price": Decimal("1999.00"), "stock": Q + 50},
    ])
    sku = product.skus.get()
    now = timezone.now()
    sale = flash_sale_create(sku=sku, price=Decimal("999.00"), quantity=Q, per_customer_limit=1,
                             starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=1))
    return {
        "sale_id": sale.pk,
        "buyers": [(token.key, address.pk) for token, address in zip(tokens, addresses)],
    }


# --- 3. gunicorn ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, log_path: Path) -> subprocess.Popen:
    log = log_path.open("w")
    return subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "shop.wsgi", "--workers", str(WORKERS),
         "--bind", f"127.0.0.1:{port}", "--backlog", "2048", "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, **SERVER_ENV}, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_healthy(base: str, server: subprocess.Popen, timeout: float = 30) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the shop did not answer /healthz in time")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(5)


def server_cpu(server: subprocess.Popen) -> float:
    """Return the CPU seconds gunicorn's master and workers used so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[2] is the parent pid, [11] utime, [12] stime (after the command name).
        if stat.parent.name == str(server.pid) or fields[1] == str(server.pid):
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


# --- 4. Load -------------------------------------------------------------------------------------


async def fire(count: int, connections: int, make_request) -> tuple[float, list[float], Counter]:
    """Send `count` requests over `connections` concurrent connections; return (seconds, latencies, outcomes)."""
    import httpx

    latencies: list[float] = []
    outcomes: Counter = Counter()
    next_index = iter(range(count))
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=REQUEST_TIMEOUT) as client:

        async def worker() -> None:
            for index in next_index:
                started = time.perf_counter()
                try:
                    response = await make_request(client, index)
                except httpx.HTTPError as exc:
                    outcomes[f"error:{type(exc).__name__}"] += 1
                    continue
                latencies.append(time.perf_counter() - started)
                outcomes[outcome_of(response)] += 1

        began = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(connections))), PHASE_TIMEOUT)
        return time.perf_counter() - began, latencies, outcomes


def outcome_of(response) -> str:
    if response.status_code < 400:
        return str(response.status_code)
    try:
        code = response.json().get("code", "")
    except ValueError:
        code = ""
    return f"{response.status_code} {code}".strip()


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def report(name: str, seconds: float, latencies: list[float], outcomes: Counter) -> float:
    done = sum(outcomes.values())
    rate = done / seconds
    say(f"{name}: {done} requests in {seconds:.2f} s = {rate:,.0f} req/s; latency ms "
        f"p50 {percentile(latencies, 50) * 1000:.1f}  p95 {percentile(latencies, 95) * 1000:.1f}  "
        f"p99 {percentile(latencies, 99) * 1000:.1f}")
    say(f"{name}: status {dict(sorted(outcomes.items()))}")
    return rate


async def run_load(base: str, shop: dict, server: subprocess.Popen) -> tuple[float, float]:
    """Measure ping and buy in ROUNDS alternating slices, so both see the same machine load."""

    async def ping(client, index):
        return await client.get(f"{base}/ping")

    buyers = list(shop["buyers"])
    random.Random(8).shuffle(buyers)
    url = f"{base}/api/v1/flash-sales/{shop['sale_id']}/orders/"
    offset = 0

    async def buy(client, index):
        token, address_id = buyers[(offset + index) % len(buyers)]
        return await client.post(url, headers={"Authorization": f"Token {token}"},
                                 json={"quantity": 1, "address": {"address_id": address_id}})

    # Warm every worker (imports, connections) before measuring.
    await fire(WORKERS * 20, M, ping)
    totals = {"ping": [0.0, [], Counter(), 0.0, 0.0], "flash buy": [0.0, [], Counter(), 0.0, 0.0]}
    for round_ in range(ROUNDS):
        for name, count, request in (("ping", PING_N // ROUNDS, ping), ("flash buy", N // ROUNDS, buy)):
            cpu, served = time.process_time(), server_cpu(server)
            seconds, latencies, outcomes = await fire(count, M, request)
            total = totals[name]
            total[0] += seconds
            total[1] += latencies
            total[2] += outcomes
            total[3] += time.process_time() - cpu
            total[4] += server_cpu(server) - served
            if name == "flash buy":
                offset += count
    rates = {}
    for name, (seconds, latencies, outcomes, cpu, served) in totals.items():
        rates[name] = report(name, seconds, latencies, outcomes)
        done = sum(outcomes.values())
        say(f"{name}: CPU per request: gunicorn {served / done * 1000:.2f} ms, "
            f"load generator {cpu / done * 1000:.2f} ms")
    return rates["ping"], rates["flash buy"]


# --- 5. The database's word ----------------------------------------------------------------------


def check_database(sale_id: int) -> bool:
    from django.db.models import Sum

    from marketing.flash import gate as flash_gate
    from marketing.models import FlashPurchase, FlashSale
    from orders.models import Order

    sale = FlashSale.objects.get(pk=sale_id)
    orders = Order.objects.filter(lines__flash_sale_id=sale_id).distinct().count()
    purchased = FlashPurchase.objects.filter(sale=sale, state__in=FlashPurchase.ACTIVE)
    units = purchased.aggregate(units=Sum("quantity"))["units"] or 0
    buyers = purchased.values("user").distinct().count()
    left, held = flash_gate.read(sale_id=sale_id)
    say(f"database: orders created {orders}, units sold {sale.sold} of {sale.quantity} "
        f"(purchases {units}, distinct buyers {buyers})")
    say(f"redis gate: left {left}, held {sum(held.values())} units by {len(held)} buyers")
    exact = sale.sold == sale.quantity == units == orders == buyers
    agree = left == sale.quantity - sale.sold and sum(held.values()) == units
    say(f"exactly the quota sold: {'yes' if exact else 'NO'}; Redis agrees with the database: "
        f"{'yes' if agree else 'NO'}")
    return exact and agree


def main() -> int:
    say(f"N={N} attempts, M={M} connections, Q={Q} units, {BUYERS} buyers, {WORKERS} gunicorn workers, "
        f"{os.cpu_count()} CPUs")
    started = time.monotonic()
    recreate_database()
    flush_redis()
    migrate()
    shop = set_up_shop()
    say(f"set up in {time.monotonic() - started:.1f} s: sale #{shop['sale_id']}")

    from django.db import connections

    connections.close_all()  # gunicorn's workers must not share this process's connection
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # In the project (bench/results/ is ignored by git), not at a fixed name in the shared
    # /tmp, where another user could plant a symlink for the benchmark to write through.
    log_path = Path(os.environ.get("BENCH_SERVER_LOG", ROOT / "bench" / "results" / "gunicorn.log"))
    log_path.parent.mkdir(parents=True, exist_ok=True)
    server = start_server(port, log_path)
    try:
        wait_healthy(base, server)
        ping_rate, buy_rate = asyncio.run(run_load(base, shop, server))
    finally:
        stop_server(server)
    ok = check_database(shop["sale_id"])
    say(f"attempts/s {buy_rate:,.0f} vs ping {ping_rate:,.0f} req/s: ratio {buy_rate / ping_rate:.2f} "
        f"(target ≥ 0.50)")
    say(f"server log: {log_path}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
