"""Flash-sale reads: the process-local sale cache, the listing, a product's sale, the gate's count.

How the cache fits the stampede: docs/flash-sales.md.
"""

import time
from datetime import datetime

from django.db.models import QuerySet

from marketing.flash import gate
from marketing.models import FlashSale

# How long a web process trusts its copy of a sale: a staff edit reaches every process within
# it, and the database step re-checks window and units, so a stale copy never oversells.
CACHE_SECONDS = 2.0

_cache: dict[int, tuple[float, FlashSale | None]] = {}
_CACHE_MAX = 10_000


def flash_sale_cached(*, sale_id: int) -> FlashSale | None:
    """Return the sale with its SKU and product, from this process's short-lived cache.

    An unknown id is remembered too (as None), so guessing ids costs no more queries than
    hammering a real sale. Callers must treat the copy as read-only.
    """
    now = time.monotonic()
    hit = _cache.get(sale_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    sale = FlashSale.objects.select_related("sku__product").filter(pk=sale_id).first()
    if len(_cache) >= _CACHE_MAX:
        _cache.clear()
    _cache[sale_id] = (now + CACHE_SECONDS, sale)
    return sale


def flash_cache_forget(*, sale_id: int | None = None) -> None:
    """Drop this process's copy of a sale (all of them without `sale_id`)."""
    if sale_id is None:
        _cache.clear()
    else:
        _cache.pop(sale_id, None)


def flash_sales_listed(*, at: datetime) -> QuerySet[FlashSale]:
    """Return sales not yet ended at `at`, running ones first, with SKU and product (1 query)."""
    return (
        FlashSale.objects.filter(ends_at__gt=at, stock_returned_at__isnull=True)
        .select_related("sku__product")
        .order_by("starts_at", "pk")
    )


def flash_sale_for_product(*, product_id: int, at: datetime) -> FlashSale | None:
    """Return the product's running flash sale, else its next upcoming one, else None (1 query)."""
    return (
        flash_sales_listed(at=at).filter(sku__product_id=product_id, sku__is_active=True)
        .first()
    )


def flash_remaining_left(*, sale: FlashSale) -> int | None:
    """Return the units the gate still lets through, or None without Redis (for checks and admin)."""
    if not gate.enabled():
        return None
    return gate.read(sale_id=sale.pk)[0]
