"""Shop page parts that many shoppers see alike, cached under everything that changes them.

A key holds: the part's name and its own arguments (page, filters, product), the language,
the shopper's price audience ("anonymous", or what the configured audience functions say
of a signed-in shopper, e.g. the member tier and its discount), the catalogue version
(shop/catalogue_version.py, moved on by every service that changes what a page shows) and
the next moment a marketing window opens or closes (a discount appears or ends on time
without anyone moving the version). What differs per shopper (header, cart count, CSRF
token, the flash-sale countdown) stays outside the cached parts.

The same key parts make the ETag of the API's product reads, so a client revalidating a
list it holds costs no more than these lookups. Without a reachable cache every part is
rendered as if nothing were cached.
"""

import hashlib
import logging
import math
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import get_language

from shop.catalogue_version import catalogue_version

log = logging.getLogger(__name__)

# A safety net only: a part is normally replaced by a new key long before.
PART_SECONDS = 600


@lru_cache(maxsize=8)
def _load(paths: tuple[str, ...]) -> tuple[Callable, ...]:
    return tuple(import_string(path) for path in paths)


def price_audience(user) -> str:
    """Return who the prices of a page are for: "anonymous" or the audience functions' say."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    return "|".join(audience(user) for audience in _load(tuple(settings.SHOP_PRICE_AUDIENCE)))


def _windows(version: int, now: datetime) -> tuple[float, float]:
    """Return (last, next) window boundary as Unix times (0: none), cached per version."""
    key = f"catalogue:windows:{version}"
    cached = cache.get(key)
    if cached is not None and (not cached[1] or now.timestamp() < cached[1]):
        return cached
    last = next_ = None
    for windows in _load(tuple(settings.SHOP_PRICE_WINDOWS)):
        before, after = windows(at=now)
        if before is not None and (last is None or before > last):
            last = before
        if after is not None and (next_ is None or after < next_):
            next_ = after
    found = (last.timestamp() if last else 0.0, next_.timestamp() if next_ else 0.0)
    cache.set(key, found, PART_SECONDS)
    return found


def page_state(request) -> dict:
    """Return what every key and ETag of this request is made of (cache lookups only)."""
    now = timezone.now()
    version, stock_version, changed_at = catalogue_version()
    last_window, next_window = _windows(version, now)
    return {
        "version": version,
        "stock_version": stock_version,
        "language": get_language(),
        "audience": price_audience(getattr(request, "user", None)),
        "next_window": next_window,
        "last_modified": max(changed_at, last_window),
    }


def part_key(name: str, state: dict, args: Iterable) -> str:
    """Return the cache key of part `name` with its own `args` under `state`."""
    raw = repr((state["language"], state["audience"], state["next_window"], tuple(args)))
    digest = hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()
    return f"page:{name}:{state['version']}:{digest}"


def cached_part(request, name: str, args: Iterable, make: Callable[[], object], *,
                exact_stock: bool = False):
    """Return part `name` for `args` from the cache, else `make()` it and keep it.

    `make` may raise (Http404): nothing is kept then. A cache that cannot be reached makes
    every part afresh. `exact_stock`: the part shows exact stock (the API), so every stock
    change, not only one into the low-stock band, makes it anew.
    """
    try:
        state = page_state(request)
        key = part_key(name, state, (*args, state["stock_version"]) if exact_stock else args)
        value = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage degrades to rendering
        log.warning("page cache unavailable: rendering %s uncached", name)
        return make()
    if value is None:
        value = make()
        try:
            cache.set(key, value, PART_SECONDS)
        except Exception:  # noqa: BLE001
            log.warning("page cache unavailable: %s not kept", name)
    return value


def etag_and_last_modified(request, name: str, args: Iterable) -> tuple[str | None, datetime | None]:
    """Return the ETag and Last-Modified of a read made of catalogue rows and prices.

    Last-Modified only for anonymous reads: a member's prices also change with their tier,
    which moves no catalogue-wide date; the ETag carries the audience and covers them.
    """
    try:
        state = page_state(request)
    except Exception:  # noqa: BLE001 - without the cache, no validators (a plain 200)
        return None, None
    version, digest = part_key(name, state, (*args, state["stock_version"])).split(":")[2:]
    last_modified = None
    if state["audience"] == "anonymous" and state["last_modified"]:
        # Rounded up: HTTP dates have whole seconds, and a change later in the same second
        # must not compare equal to what a client fetched before it.
        last_modified = datetime.fromtimestamp(math.ceil(state["last_modified"]), tz=UTC)
    return f'"{version}-{digest}"', last_modified
