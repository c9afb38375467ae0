"""`make screenshots`: the demo shop at 390 px in Simplified Chinese, as PNGs in docs/screenshots/.

It loads the demo data into a fresh SQLite database in a temporary folder (nothing else is
touched: no DATABASE_URL, no Redis, tasks run in-process), gives the demo shopper a paid
order and a cart line, serves the shop with `runserver` on a free local port, and drives
Chromium (SHOP_CHROMIUM, default /usr/bin/chromium) through home, product, cart, checkout,
order and points with the language switch's cookie set to zh-hans. Chinese needs a CJK font
(`apt-get install fonts-noto-cjk`), or the text renders as boxes.
"""

import os
import socket
import subprocess  # nosec B404: runs this project's own manage.py
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
PAGES = ["home", "product", "cart", "checkout", "order", "points"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def shop_env(database: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DATABASE_URL", "REDIS_URL", "SHOP_BROKER_DIR", "DJANGO_"))}
    return {**env, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_DEBUG": "1",
            "DJANGO_SECURE": "0", "DJANGO_SETTINGS_MODULE": "shop.settings"}


def prepare(env: dict[str, str]) -> dict[str, str]:
    """Migrate, seed, and return the URLs to shoot plus the demo shopper's session key."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    # Django's modules are imported here, not at the top: settings are read at import, so
    # the environment above must be in place first.
    import django
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from shop.tests.storefront import demo_storefront, shopper_pages

    call_command("migrate", verbosity=0)
    shop = demo_storefront()
    client = Client()
    client.force_login(shop["user"])
    urls = shopper_pages(shop)
    return {"session": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "session_cookie": settings.SESSION_COOKIE_NAME,
            "language_cookie": settings.LANGUAGE_COOKIE_NAME, **{name: urls[name] for name in PAGES}}


def wait_until_up(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the shop exited with {server.returncode}")
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2)  # nosec B310: our own local server
            return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"the shop did not answer at {url} within {timeout:.0f} s")


def shoot(base: str, found: dict[str, str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("SHOP_CHROMIUM", "/usr/bin/chromium"),
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="zh-CN")
        context.add_cookies([
            {"name": found["session_cookie"], "value": found["session"], "url": base},
            {"name": found["language_cookie"], "value": "zh-hans", "url": base},
        ])
        page = context.new_page()
        for name in PAGES:
            page.goto(base + found[name], wait_until="networkidle")
            # Lazy images load only near the viewport: scroll down the page once, then back.
            page.evaluate("""async () => {
              for (let y = 0; y < document.body.scrollHeight; y += 400) {
                window.scrollTo(0, y);
                await new Promise((done) => setTimeout(done, 60));
              }
              window.scrollTo(0, 0);
            }""")
            page.wait_for_load_state("networkidle")
            path = OUT / f"{name}-390-zh-hans.png"
            page.screenshot(path=str(path), full_page=True)
            print(f"wrote {path.relative_to(ROOT)}")
        browser.close()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="shop-screenshots-") as folder:
        env = shop_env(Path(folder) / "demo.sqlite3")
        found = prepare(env)
        port = free_port()
        server = subprocess.Popen(  # nosec B603: a fixed argument list, no shell
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base, server)
            shoot(base, found)
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
