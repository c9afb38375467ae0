"""Profile storefront pages in-process with pyinstrument: where a request's time goes.

Usage (a seeded database; PostgreSQL and Redis as in production):

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/profile_pages.py [URL ...]

Each URL is requested once to warm up, then PROFILE_N times (default 50) under the profiler;
the report shows the call tree with the time per request. `PROFILE_COLD=1` clears the cache
before every request (what a cache miss costs). `PROFILE_USER=email` signs that user in.
Needs pyinstrument (requirements-dev).
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECURE", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "profile-only-secret-key-0123456789-abcdefghijklmnop")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1")
os.environ.setdefault("SHOP_API_THROTTLES", "off")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.test import Client  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

DEFAULT_URLS = ["/search/", "/", "/api/v1/products/?page_size=20"]
N = int(os.environ.get("PROFILE_N", "50"))
COLD = os.environ.get("PROFILE_COLD") == "1"


def main(urls: list[str]) -> None:
    from catalog.models import Product

    client = Client()
    email = os.environ.get("PROFILE_USER")
    if email:
        from accounts.models import User

        client.force_login(User.objects.get(email=email))
    if not urls:
        slug = Product.objects.filter(is_active=True).values_list("slug", flat=True).first()
        urls = [*DEFAULT_URLS, f"/p/{slug}/"]
    for url in urls:
        assert client.get(url).status_code == 200, url
        profiler = Profiler(interval=0.0005)
        started = time.perf_counter()
        with profiler:
            for _ in range(N):
                if COLD:
                    cache.clear()
                client.get(url)
        per_request = (time.perf_counter() - started) / N * 1000
        print(f"\n===== {url}: {per_request:.1f} ms per request ({N} requests, "
              f"{'cold' if COLD else 'warm'} cache)")
        if os.environ.get("PROFILE_FLAT") == "1":
            # Inclusive time per function: what each layer (template, ORM, cache) costs.
            print(profiler.output_text(unicode=True, color=False, flat=True, flat_time="total"))
        else:
            print(profiler.output_text(unicode=True, color=False))


if __name__ == "__main__":
    main(sys.argv[1:])
