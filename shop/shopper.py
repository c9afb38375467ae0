"""The signed-in shopper's header figures (cart count, points, tier, price audience), cached.

Every page shows them and every cached page part's key carries the price audience, so
reading them from the database would cost a signed-in page four queries before anything
else. They are kept in the cache under a key that carries two versions:

- the shopper's own (`shopper:<user id>`), moved on after commit by every service that
  changes one of their figures: the cart services and placement (cart count), the points
  services (balance), membership's evaluation (tier); they call `shopper_changed`;
- the shop-wide one (`shopper:all`), moved on when staff change or delete a tier (its name
  and discount are in every member's figures): `shoppers_changed`.

A version moves twice: at once, so that what this transaction does next (and the rest of
this request) reads the new figures, and after commit, since a request between the write and
the commit may have kept the old figure under the first new version. A figure no page has asked for yet is made on first use and
added. Versions start from the clock, as the catalogue version does (an evicted counter never
comes back lower). Without a reachable cache every figure is read afresh.
"""

import logging
import time
from collections.abc import Callable
from contextvars import ContextVar

from django.core.cache import cache
from django.db import transaction

log = logging.getLogger(__name__)

ALL_KEY = "shopper:all"
# A safety net only: a moved version makes a new key long before.
FIGURES_SECONDS = 600

# Moves each time this thread moved a shopper's version: a request that changed its own
# shopper's figures reads them again rather than from what it remembered before the change.
_moves: ContextVar[int] = ContextVar("shopper_moves", default=0)


def version_keys(user_id: int) -> list[str]:
    """Return the cache keys of the versions the figures of `user_id` are kept under."""
    return [f"shopper:{user_id}", ALL_KEY]


def _version(values: dict, key: str) -> int:
    value = values.get(key)
    if value is None:
        cache.add(key, int(time.time() * 1000), None)
        value = cache.get(key)
    return value


def _figures_key(request, versions: dict | None) -> str:
    user_id = request.user.pk
    keys = version_keys(user_id)
    values = versions if versions is not None else cache.get_many(keys)
    return f"shopper:{user_id}:{_version(values, keys[0])}:{_version(values, keys[1])}"


def shopper_prime(request, versions: dict) -> None:
    """Keep the version values a caller fetched in its own round trip (pagecache) for this request."""
    request._shopper_versions = versions


def shopper_figure(request, name: str, make: Callable[[], object]):
    """Return figure `name` of the signed-in shopper of `request`: cached, else `make()` (kept)."""
    memo = getattr(request, "_shopper", None)
    if memo is None or memo["moves"] != _moves.get():
        try:
            key = _figures_key(request, getattr(request, "_shopper_versions", None)
                               if memo is None else None)
            figures = cache.get(key) or {}
        except Exception:  # noqa: BLE001 - a cache outage: read every figure afresh
            log.warning("shopper figures unavailable: reading them from the database")
            key, figures = None, {}
        memo = request._shopper = {"moves": _moves.get(), "key": key, "figures": figures}
    figures = memo["figures"]
    if name not in figures:
        figures[name] = make()
        if memo["key"]:
            try:
                cache.set(memo["key"], figures, FIGURES_SECONDS)
            except Exception:  # noqa: BLE001
                log.warning("shopper figures not kept: the cache is unavailable")
    return figures[name]


def _bump(key: str) -> None:
    _moves.set(_moves.get() + 1)
    try:
        cache.incr(key)
    except ValueError:  # no version yet: the next read starts one from the clock
        pass
    except Exception:  # noqa: BLE001 - the write committed; the figures expire soon
        log.exception("shopper version not moved on: the cache is unavailable")


def _moved(key: str) -> None:
    _bump(key)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _bump(key))


def shopper_changed(*, user_id: int | None) -> None:
    """Move `user_id`'s figures on now and once the current transaction commits."""
    if user_id is not None:
        _moved(f"shopper:{user_id}")


def shoppers_changed() -> None:
    """Move every shopper's figures on, now and after commit (a tier's name or discount changed)."""
    _moved(ALL_KEY)
