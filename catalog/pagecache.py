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
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import lru_cache

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import get_language

from shop.catalogue_version import KEYS as VERSION_KEYS
from shop.catalogue_version import catalogue_version
from shop.shopper import shopper_figure, shopper_prime, version_keys

log = logging.getLogger(__name__)

# A safety net only: a part is normally replaced by a new key long before.
PART_SECONDS = 600
# (catalogue version, last boundary, next boundary): the marketing windows around now.
WINDOWS_KEY = "catalogue:windows"


@lru_cache(maxsize=8)
def _load(paths: tuple[str, ...]) -> tuple[Callable, ...]:
    return tuple(import_string(path) for path in paths)


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return user is not None and getattr(user, "is_authenticated", False)


def price_audience(request) -> str:
    """Return who the prices of a page are for: "anonymous" or the audience functions' say.

    A signed-in shopper's audience is one of their cached header figures (shop/shopper.py):
    the audience functions may only depend on what moves the shopper's version (the
    membership tier and its discount do).
    """
    if not _signed_in(request):
        return "anonymous"
    user = request.user
    return shopper_figure(request, "audience", lambda: "|".join(
        audience(user) for audience in _load(tuple(settings.SHOP_PRICE_AUDIENCE))))


def _windows(version: int, now: datetime, cached) -> tuple[float, float]:
    """Return (last, next) window boundary as Unix times (0: none), cached per version."""
    if (cached is not None and cached[0] == version
            and (not cached[2] or now.timestamp() < cached[2])):
        return cached[1], cached[2]
    last = next_ = None
    for windows in _load(tuple(settings.SHOP_PRICE_WINDOWS)):
        before, after = windows(at=now)
        if before is not None and (last is None or before > last):
            last = before
        if after is not None and (next_ is None or after < next_):
            next_ = after
    found = (last.timestamp() if last else 0.0, next_.timestamp() if next_ else 0.0)
    cache.set(WINDOWS_KEY, (version, *found), PART_SECONDS)
    return found


def page_state(request) -> dict:
    """Return what every key and ETag of this request is made of (cache lookups only).

    One round trip when nothing needs making: the catalogue versions, the window boundaries
    and a signed-in shopper's versions come in one `get_many`; a signed-in shopper's
    audience then takes one more (their figures). Kept on the request for its other parts.
    """
    state = getattr(request, "_page_state", None)
    if state is not None:
        return state
    now = timezone.now()
    shopper_keys = version_keys(request.user.pk) if _signed_in(request) else []
    values = cache.get_many([*VERSION_KEYS, WINDOWS_KEY, *shopper_keys])
    if shopper_keys:
        shopper_prime(request, {key: values.get(key) for key in shopper_keys})
    version, stock_version, changed_at = catalogue_version(values)
    last_window, next_window = _windows(version, now, values.get(WINDOWS_KEY))
    state = request._page_state = {
        "version": version,
        "stock_version": stock_version,
        "language": get_language(),
        "audience": price_audience(request),
        "next_window": next_window,
        "last_modified": max(changed_at, last_window),
    }
    return state


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


# --- Whole pages for anonymous visitors ----------------------------------------------------

# The CSRF fields of a rendered page (Django's {% csrf_token %} and the product form's): kept
# in the cache with a mark for the value, which each response replaces with its own token.
CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_MARK = "<!--csrf-value-->"


def shared_block(request, name: str, seconds: int, make: Callable[[], str]) -> str:
    """Return block `name` (the same for everyone, CSRF values aside) as rendered at most
    `seconds` ago: `make()` it, else. For `page_response`'s `fill`, which puts in the token.
    """
    key = f"block:{name}:{get_language()}"
    try:
        html = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage degrades to rendering
        return make()
    if html is None:
        html = CSRF_VALUE.sub(rf"\g<1>{CSRF_MARK}\g<2>", make())
        try:
            cache.set(key, html, seconds)
        except Exception:  # noqa: BLE001
            log.warning("page cache unavailable: block %s not kept", name)
    return html


def frame_cacheable(request) -> bool:
    """Return whether the page is the same for every anonymous visitor asking for this URL.

    Not for a signed-in shopper (header figures, member prices), nor for a visitor with a
    session of their own (a cart: its count is in the header) or messages to show.
    """
    if request.method != "GET" or _signed_in(request):
        return False
    if request.COOKIES.get(settings.SESSION_COOKIE_NAME) and request.session.keys():
        return False
    return not len(messages.get_messages(request))


def page_response(request, name: str, args: Iterable,
                  frame: Callable[[], tuple[str, object]],
                  fill: Callable[[str, object], str] | None = None) -> HttpResponse:
    """Answer a shop page: for an anonymous visitor from the whole page cached, else rendered.

    `frame()` renders the page but for what differs per request, returning (html, extra);
    `fill(html, extra)` puts in what does (the flash-sale blocks: units left, countdown).
    The CSRF values are this response's. The key is the part key of `name` with the host, the
    full path (every link and the search box repeat the query string) and the year in the
    footer; a signed-in shopper's page is framed afresh around the cached parts each time.
    """
    key = kept = None
    if frame_cacheable(request):
        try:
            key = part_key(f"page-{name}", page_state(request), (
                request.get_host(), request.get_full_path(), timezone.localdate().year, *args))
            kept = cache.get(key)
        except Exception:  # noqa: BLE001 - a cache outage degrades to rendering
            log.warning("page cache unavailable: rendering the %s page uncached", name)
            key = None
    if kept is None:
        html, extra = frame()
        kept = (CSRF_VALUE.sub(rf"\g<1>{CSRF_MARK}\g<2>", html), extra)
        if key is not None:
            try:
                cache.set(key, kept, PART_SECONDS)
            except Exception:  # noqa: BLE001
                log.warning("page cache unavailable: the %s page not kept", name)
    html, extra = kept
    if fill is not None:
        html = fill(html, extra)
    if CSRF_MARK in html:
        html = html.replace(CSRF_MARK, get_token(request))
    return HttpResponse(html)
