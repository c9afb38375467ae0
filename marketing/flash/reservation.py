"""Flash-sale reservation: admit through the gate, take units in the database, release, mark paid.

Lock order: the sale row first (the conditional UPDATE in `_take`, or SELECT … FOR UPDATE when
it took nothing), then the shopper's purchases are counted under it. See docs/flash-sales.md.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from catalog.services import stock_release
from marketing.errors import LimitReached, SoldOut
from marketing.flash import gate
from marketing.flash._helpers import gate_call, limit_reached, not_active, on_commit_gate, sold_out
from marketing.flash.reconcile import flash_reconcile
from marketing.models import FlashPurchase, FlashSale


@dataclass
class Admission:
    """The gate's yes to one attempt: units Redis holds until the database confirms them.

    A caller that reserves inside a larger transaction (orders placing the order) calls
    `give_back()` when that transaction fails; it is idempotent, and a no-op once the
    reservation itself has already given the units back or reconciled.
    """

    sale_id: int
    user_id: int
    quantity: int
    gated: bool
    settled: bool = False

    def give_back(self) -> None:
        if self.gated and not self.settled:
            gate_call(gate.release, sale_id=self.sale_id, user_id=self.user_id,
                       quantity=self.quantity)
        self.settled = True


def flash_admit(*, sale: FlashSale, user, quantity: int, at: datetime | None = None) -> Admission:
    """Check the window and ask the gate for the units; raise NotActive, SoldOut, LimitReached.

    With the sale from `flash_sale_cached` this touches no database: a refusal costs one Lua
    call. Without REDIS_URL (or with Redis unreachable) the attempt is let through and the
    database decides alone.
    """
    if quantity < 1:
        raise ValueError(f"quantity must be positive, got {quantity}")
    at = at or timezone.now()
    if not sale.is_running(at):
        raise not_active(sale, at)
    if quantity > sale.per_customer_limit:
        raise limit_reached(sale)
    if not gate.enabled():
        return Admission(sale.pk, user.pk, quantity, gated=False)
    ask = {"sale_id": sale.pk, "user_id": user.pk, "quantity": quantity,
           "limit": sale.per_customer_limit}
    answer = gate_call(gate.reserve, **ask)
    if answer == gate.NOT_LOADED:
        flash_reconcile(sale=sale)
        answer = gate_call(gate.reserve, **ask)
    if answer == gate.SOLD_OUT:
        raise sold_out(sale)
    if answer == gate.LIMIT_REACHED:
        raise limit_reached(sale)
    # OK; or None / NOT_LOADED when Redis failed us: the database decides alone.
    return Admission(sale.pk, user.pk, quantity, gated=answer == gate.OK)


def flash_reserve(
    *, sale: FlashSale, user, quantity: int, reference: str, admission: Admission | None = None,
) -> FlashPurchase:
    """Take `quantity` units of the sale for the order `reference`; return the purchase.

    Raise NotActive (400) outside the window, SoldOut or LimitReached (409). Pass the
    `admission` of an earlier `flash_admit` when the gate was asked before the order was
    written (orders does, so a refusal costs no query); without it the gate is asked here.
    Run inside the order's transaction so a failed order rolls the units back.
    """
    if admission is None:
        admission = flash_admit(sale=sale, user=user, quantity=quantity)
    try:
        return _take(sale=sale, user=user, quantity=quantity, reference=reference)
    except (SoldOut, LimitReached):
        # The gate let through what the database refuses: its counters are off.
        if admission.gated:
            admission.settled = True
            flash_reconcile(sale=sale)
        raise
    except BaseException:
        admission.give_back()
        raise


@transaction.atomic
def _take(*, sale: FlashSale, user, quantity: int, reference: str) -> FlashPurchase:
    now = timezone.now()
    # Units and the sale row's lock in one statement; `stock_returned_at IS NULL` keeps a
    # purchase from landing after the ending gave the unsold units back.
    taken = FlashSale.objects.running(now).filter(
        pk=sale.pk, stock_returned_at__isnull=True, sold__lte=F("quantity") - quantity,
    ).update(sold=F("sold") + quantity)
    if not taken:
        # Nothing taken, so no lock yet: take the row's lock (the same lock, so the same
        # order) before counting, then answer in the gate's order: limit before stock.
        fresh = FlashSale.objects.select_for_update().filter(pk=sale.pk).first()
        if fresh is None or not fresh.is_running(now) or fresh.stock_returned_at is not None:
            raise not_active(fresh or sale, now)
        if _held(sale=sale, user=user) + quantity > sale.per_customer_limit:
            raise limit_reached(sale)
        raise sold_out(sale)
    # Under the row lock: every earlier purchase of this shopper is committed and visible.
    if _held(sale=sale, user=user) + quantity > sale.per_customer_limit:
        raise limit_reached(sale)
    return FlashPurchase.objects.create(sale_id=sale.pk, user=user, quantity=quantity,
                                        reference=reference)


def _held(*, sale: FlashSale, user) -> int:
    """Return the units the shopper holds in the sale's active purchases (call under its lock)."""
    return FlashPurchase.objects.filter(
        sale_id=sale.pk, user=user, state__in=FlashPurchase.ACTIVE
    ).aggregate(units=Sum("quantity"))["units"] or 0


@transaction.atomic
def flash_release(*, reference: str) -> int:
    """Give a cancelled order's flash units back, once; return how many (0 if it had none).

    Back to the sale (and the gate) while the sale has not returned its unsold units; after
    that, straight to the SKU's stock.
    """
    purchase = FlashPurchase.objects.filter(
        reference=reference, state__in=FlashPurchase.ACTIVE
    ).first()
    if purchase is None:
        return 0
    released = FlashPurchase.objects.filter(
        pk=purchase.pk, state__in=FlashPurchase.ACTIVE
    ).update(state=FlashPurchase.State.RELEASED, released_at=timezone.now())
    if not released:  # a racing cancel released it first
        return 0
    FlashSale.objects.filter(pk=purchase.sale_id).update(sold=F("sold") - purchase.quantity)
    # The UPDATE above holds the sale row: an ending committed before it is visible now.
    sale = FlashSale.objects.only("sku_id", "stock_returned_at").get(pk=purchase.sale_id)
    if sale.stock_returned_at is not None:
        stock_release(lines={sale.sku_id: purchase.quantity})
    else:
        on_commit_gate(gate.release, sale_id=purchase.sale_id, user_id=purchase.user_id,
                        quantity=purchase.quantity)
    return purchase.quantity


@transaction.atomic
def flash_purchase_paid(*, reference: str) -> bool:
    """Mark the flash purchase of a paid order paid (history only; it stays active)."""
    return bool(FlashPurchase.objects.filter(
        reference=reference, state=FlashPurchase.State.RESERVED
    ).update(state=FlashPurchase.State.PAID))
