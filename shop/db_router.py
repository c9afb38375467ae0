"""Send the reads that tolerate lag to a read replica; everything else to the primary.

A read goes to a replica only when all of these hold:

- replicas are configured (SHOP_READ_REPLICAS, from DATABASE_REPLICA_URLS);
- the current request is a GET/HEAD of a view marked as tolerating lag (catalogue pages and
  lists, reports, dashboards: shop.middleware.ReplicaReads sets shop.context.replica_ok);
- nothing was written in this request yet (a shopper sees their own write);
- no transaction is open on the primary (a transaction's reads must see its writes);
- the model is not one whose staleness would surprise: sessions, users, tokens and the
  lockout records always read the primary (a fresh login must not look logged out).

Writes, migrations and everything outside a marked request use the primary ("default").
"""

import random

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from shop import context

# Apps whose rows a request reads to decide who the user is: never read from a replica.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "accounts", "authtoken", "account", "axes",
                               "contenttypes"})


def replica_reads(view):
    """Mark a function view as tolerating replica lag on GET/HEAD."""
    view.replica_reads = True
    return view


def view_tolerates_lag(request, view_func) -> bool:
    """Return whether the view handling `request` may read from a replica."""
    if getattr(view_func, "replica_reads", False):
        return True
    if getattr(getattr(view_func, "view_class", None), "replica_reads", False):
        return True
    match = getattr(request, "resolver_match", None)
    return bool(match and match.view_name in settings.SHOP_REPLICA_VIEWS)


class ReplicaRouter:
    """The database router (DATABASE_ROUTERS)."""

    def db_for_read(self, model, **hints):
        replicas = settings.SHOP_READ_REPLICAS
        if not replicas or not context.replica_ok.get() or context.wrote.get():
            return None
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        # One replica for the whole request: two replicas lag differently, and a page whose
        # queries mixed them could contradict itself.
        chosen = context.replica.get()
        if chosen not in replicas:
            chosen = random.choice(replicas)  # noqa: S311 - spreading load, not a secret
            context.replica.set(chosen)
        return chosen

    def db_for_write(self, model, **hints):
        context.wrote.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # replicas hold the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
