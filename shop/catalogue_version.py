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
CHANGED_AT_KEY = "catalogue:changed_at"


def catalogue_version() -> tuple[int, float]:
    """Return the current version and when it last moved (a Unix time)."""
    values = cache.get_many([VERSION_KEY, CHANGED_AT_KEY])
    version = values.get(VERSION_KEY)
    if version is None:
        # Start from the clock, not 1: parts cached under an earlier life of the key (the
        # key evicted, the parts not) must not be read again.
        cache.add(VERSION_KEY, int(time.time() * 1000), None)
        version = cache.get(VERSION_KEY)
    return version, values.get(CHANGED_AT_KEY) or 0.0


def _bump() -> None:
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # no version yet: the next read starts one from the clock
            pass
        cache.set(CHANGED_AT_KEY, time.time(), None)
    except Exception:  # noqa: BLE001 - the write already committed; cached parts expire soon
        log.exception("catalogue version not moved on: the cache is unavailable")


def catalogue_changed() -> None:
    """Move the version on once the current transaction commits (at once outside one).

    After the commit, not before: a page rendered between the two would otherwise store
    the old rows under the new version.
    """
    transaction.on_commit(_bump)
