"""Flash-sale staff writes (admin and API): create, update, delete; ending a sale once.

Ending takes the sale row's lock first (its conditional UPDATE), as releasing does, so
whichever runs second sees what the first did: no unit is returned twice or lost.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from catalog.errors import OutOfStock
from catalog.models import Sku
from catalog.services import stock_release, stock_reserve
from marketing.flash import gate
from marketing.flash._helpers import on_commit_gate
from marketing.flash.reconcile import reconcile_if_near
from marketing.flash.selectors import flash_cache_forget
from marketing.models import FlashPurchase, FlashSale

EDITABLE = ("price", "per_customer_limit", "starts_at", "ends_at")


@transaction.atomic
def flash_sale_create(
    *, sku: Sku, price, quantity: int, starts_at: datetime, ends_at: datetime,
    per_customer_limit: int = 1,
) -> FlashSale:
    """Create a sale and set its `quantity` aside from the SKU's stock; raise ValidationError.

    Refused: an end not after the start or already past, a flash price not below the base
    price, fewer than 1 unit or a limit under 1, more units than the SKU has in stock.
    """
    sale = FlashSale(sku=sku, price=price, quantity=quantity, starts_at=starts_at,
                     ends_at=ends_at, per_customer_limit=per_customer_limit)
    sale.full_clean()
    if ends_at <= timezone.now():
        raise ValidationError({"ends_at": "The end must be in the future."})
    try:
        # The conditional UPDATE decides "quantity ≤ available stock", racing orders included.
        stock_reserve(lines={sku.pk: quantity})
    except OutOfStock:
        fresh = Sku.objects.filter(pk=sku.pk).values("stock", "is_active").first() or {}
        if not fresh.get("is_active", False):
            raise ValidationError({"sku": f"SKU {sku.code} is not for sale."}) from None
        raise ValidationError({"quantity": (
            f"Only {fresh['stock']} units of {sku.code} are in stock: "
            f"a flash sale cannot set aside {quantity}."
        )}) from None
    sale.save()
    transaction.on_commit(lambda: reconcile_if_near(sale))
    return sale


@transaction.atomic
def flash_sale_update(*, sale: FlashSale, **fields) -> FlashSale:
    """Change a sale's price, limit or window; raise ValidationError.

    The SKU and the quantity are fixed once the units are set aside (end the sale and create
    another instead), and an ended sale cannot be changed. Only the edited columns are
    written, never `sold`, which racing orders change meanwhile.
    """
    fixed = {name: fields.pop(name) for name in ("sku", "quantity") if name in fields}
    errors = {
        name: f"The {'SKU' if name == 'sku' else name} of a flash sale cannot change once it is created."
        for name, value in fixed.items()
        if value != getattr(sale, name)
    }
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    current = FlashSale.objects.select_for_update().get(pk=sale.pk)
    if current.stock_returned_at is not None:
        raise ValidationError("This flash sale has ended; create a new one instead.")
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    current.save(update_fields=list(fields))
    flash_cache_forget(sale_id=sale.pk)
    transaction.on_commit(lambda: reconcile_if_near(current))
    return current


@transaction.atomic
def flash_sale_delete(*, sale: FlashSale) -> None:
    """Delete a sale nobody has bought from, giving its set-aside units back to stock."""
    if FlashPurchase.objects.filter(sale_id=sale.pk).exists():
        raise ValidationError("Shoppers have bought from this flash sale: end it instead of deleting it.")
    # Taking the row with `sold = 0` locks it: a purchase racing this one waits, then finds
    # the row gone and is refused as not active.
    current = FlashSale.objects.select_for_update().filter(pk=sale.pk, sold=0).first()
    if current is None:
        raise ValidationError("Shoppers have bought from this flash sale: end it instead of deleting it.")
    if current.stock_returned_at is None:
        stock_release(lines={current.sku_id: current.quantity})
    current.delete()
    flash_cache_forget(sale_id=sale.pk)
    on_commit_gate(gate.forget, sale_id=sale.pk)


@transaction.atomic
def flash_sale_end(*, sale_id: int, now: datetime | None = None) -> int | None:
    """Return an ended sale's unsold units to the SKU's stock once; return how many went back.

    None when there was nothing to do (not ended yet, or its units went back already).

    The conditional UPDATE (`stock_returned_at IS NULL`) makes a second run, or two racing
    ones, do nothing; it also takes the row's lock, so the `sold` read next includes every
    purchase committed before it, and a reservation or release arriving later sees
    `stock_returned_at` and acts accordingly.
    """
    now = now or timezone.now()
    ended = FlashSale.objects.filter(
        pk=sale_id, ends_at__lte=now, stock_returned_at__isnull=True
    ).update(stock_returned_at=now)
    if not ended:
        return None
    sale = FlashSale.objects.get(pk=sale_id)
    unsold = sale.quantity - sale.sold
    if unsold > 0:
        stock_release(lines={sale.sku_id: unsold})
    flash_cache_forget(sale_id=sale_id)
    on_commit_gate(gate.forget, sale_id=sale_id)
    return unsold


def flash_sales_end_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """End every sale past its end whose unsold units are not back yet; return how many."""
    now = now or timezone.now()
    due = FlashSale.objects.filter(ends_at__lte=now, stock_returned_at__isnull=True)
    return sum(
        1 for sale_id in due.order_by("ends_at").values_list("pk", flat=True)[:limit]
        if flash_sale_end(sale_id=sale_id, now=now) is not None
    )
