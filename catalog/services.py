"""The catalogue's write API. Nothing else in the project writes `Sku.stock`."""

from collections.abc import Mapping

from django.db import transaction
from django.db.models import F

from catalog.errors import OutOfStock
from catalog.models import Sku


@transaction.atomic
def stock_reserve(*, lines: Mapping[int, int]) -> None:
    """Take `quantity` units of each SKU (`{sku_id: quantity}`), all or nothing.

    One conditional UPDATE per SKU (`stock >= quantity`): two buyers racing for the last
    unit cannot both pass, and no row is read first. SKUs are taken in primary-key order so
    two multi-line orders lock rows in the same order and cannot deadlock. Raise OutOfStock
    naming the first SKU that is short; the surrounding transaction rolls back the rest.
    """
    for sku_id in sorted(lines):
        quantity = lines[sku_id]
        if quantity <= 0:
            raise ValueError(f"quantity must be positive, got {quantity}")
        taken = Sku.objects.filter(pk=sku_id, is_active=True, stock__gte=quantity).update(
            stock=F("stock") - quantity
        )
        if not taken:
            code = Sku.objects.filter(pk=sku_id).values_list("code", flat=True).first()
            raise OutOfStock(code or str(sku_id))


@transaction.atomic
def stock_release(*, lines: Mapping[int, int]) -> None:
    """Give units back (`{sku_id: quantity}`), e.g. when an order is cancelled."""
    for sku_id in sorted(lines):
        quantity = lines[sku_id]
        if quantity <= 0:
            raise ValueError(f"quantity must be positive, got {quantity}")
        Sku.objects.filter(pk=sku_id).update(stock=F("stock") + quantity)
