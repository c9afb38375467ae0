"""Flash-sale helpers shared by the modules of the package: gate calls and refusal messages."""

import logging
from datetime import datetime

import redis
from django.db import transaction
from django.utils import timezone

from marketing.errors import LimitReached, NotActive, SoldOut
from marketing.flash import gate
from marketing.models import FlashSale

log = logging.getLogger("marketing.flash")

FAILED = object()


def gate_call(fn, **kwargs):
    """Call the gate; on a Redis failure log it and return FAILED (the database still decides)."""
    try:
        return fn(**kwargs)
    except redis.RedisError:
        log.warning("flash gate: %s(%s) failed; the database decides alone", fn.__name__, kwargs,
                    exc_info=True)
        return FAILED


def on_commit_gate(fn, **kwargs) -> None:
    if gate.enabled():
        transaction.on_commit(lambda: gate_call(fn, **kwargs))


def _name(sale: FlashSale) -> str:
    sku = sale.sku
    return f"{sku.product.name} ({sku.code})"


def not_active(sale: FlashSale, at: datetime) -> NotActive:
    local = timezone.localtime
    if at < sale.starts_at:
        return NotActive(f"The flash sale of {_name(sale)} starts at "
                         f"{local(sale.starts_at):%Y-%m-%d %H:%M}.", status=sale.Status.UPCOMING)
    return NotActive(f"The flash sale of {_name(sale)} has ended.", status=sale.Status.ENDED)


def sold_out(sale: FlashSale) -> SoldOut:
    return SoldOut(f"The flash sale of {_name(sale)} is sold out.")


def limit_reached(sale: FlashSale) -> LimitReached:
    limit = sale.per_customer_limit
    return LimitReached(
        f"The flash sale of {_name(sale)} allows {limit} unit{'s' if limit != 1 else ''} "
        f"per customer, and you have reached it."
    )
