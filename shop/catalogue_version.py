"""The catalogue version: a number that moves on with every change a shop page shows.

Cached page parts (catalog/pagecache.py) carry it in their key, so a change to a price, the
stock shown, a product, a category or a marketing rule makes the next view render afresh;
old parts are never read again and expire on their own. Services that make such a change
call catalogue_changed(). Two apps write it (catalog, marketing), hence it lives here.
"""

import logging
import time

from django.core.cache import cache
from django.db import transaction

log = logging.getLogger(__name__)

VERSION_KEY = "catalogue:version"
# Moved on by every stock change, also those no page shows (the API shows exact stock).
STOCK_KEY = "catalogue:stock"
CHANGED_AT_KEY = "catalogue:changed_at"
KEYS = (VERSION_KEY, STOCK_KEY, CHANGED_AT_KEY)


def _counter(key: str, value) -> int:
    if value is None:
        # Start from the clock, not 1: parts cached under an earlier life of the key (the
        # key evicted, the parts not) must not be read again.
        cache.add(key, int(time.time() * 1000), None)
        cache.add(CHANGED_AT_KEY, time.time(), None)  # unknown: say now, never too early
        value = cache.get(key)
    return value


def catalogue_version(values: dict | None = None) -> tuple[int, int, float]:
    """Return the version, the stock version and when either last moved (a Unix time).

    `values`: what `cache.get_many` answered for KEYS, when the caller fetched them along
    with other keys in one round trip.
    """
    if values is None:
        values = cache.get_many(KEYS)
    version = _counter(VERSION_KEY, values.get(VERSION_KEY))
    stock_version = _counter(STOCK_KEY, values.get(STOCK_KEY))
    changed_at = values.get(CHANGED_AT_KEY) or cache.get(CHANGED_AT_KEY) or 0.0
    return version, stock_version, changed_at


def _bump(keys) -> None:
    try:
        for key in keys:
            try:
                cache.incr(key)
            except ValueError:  # no counter yet: the next read starts one from the clock
                pass
        cache.set(CHANGED_AT_KEY, time.time(), None)
    except Exception:  # noqa: BLE001 - the write already committed; cached parts expire soon
        log.exception("catalogue version not moved on: the cache is unavailable")


def catalogue_changed(*, stock_only: bool = False) -> None:
    """Move the version on once the current transaction commits (at once outside one).

    After the commit, not before: a page rendered between the two would otherwise store
    the old rows under the new version. `stock_only`: a stock change no page shows; only
    the stock version (in the API's ETags) moves.
    """
    keys = (STOCK_KEY,) if stock_only else (VERSION_KEY, STOCK_KEY)
    transaction.on_commit(lambda: _bump(keys))
