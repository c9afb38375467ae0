"""The order state machine: one transition table, conditional UPDATEs, and what each move does.

Every move is `UPDATE … WHERE pk = … AND status = <the status just read>`: of two racing
moves (payment vs the unpaid-timeout cancel, a double refund) exactly one updates a row,
and the other is refused with InvalidTransition. Each move writes an OrderEvent.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_noop

from catalog.services import stock_release
from marketing.flash import flash_release
from marketing.services import coupon_release
from membership.services import spend_reverse
from orders.errors import ShipmentInvalid
from orders.models import Order, OrderEvent, Shipment
from orders.services.mail import order_email_queue
from orders.services.refunds import order_refunds_record
from orders.webhooks import order_moved
from points.services import points_refund, points_reverse
from shop.errors import InvalidTransition

log = logging.getLogger(__name__)

S = Order.Status

# action: (statuses it may start from, status it ends in). See docs/orders.md.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "pay": (frozenset({S.PENDING_PAYMENT}), S.PAID),
    "settle": (frozenset({S.PAID}), S.PROCESSING),
    "ship": (frozenset({S.PROCESSING}), S.SHIPPED),
    "confirm": (frozenset({S.SHIPPED}), S.COMPLETED),
    "auto_complete": (frozenset({S.SHIPPED}), S.COMPLETED),
    "cancel": (frozenset({S.PENDING_PAYMENT}), S.CANCELLED),  # shopper, or unpaid timeout
    "staff_cancel": (frozenset({S.PENDING_PAYMENT, S.PAID, S.PROCESSING}), S.CANCELLED),
    "refund": (frozenset({S.PROCESSING, S.SHIPPED, S.COMPLETED}), S.REFUNDED),
}


ACTION_WORDS = {
    "pay": "paid", "settle": "settled", "ship": "shipped", "confirm": "confirmed",
    "auto_complete": "completed", "cancel": "cancelled", "staff_cancel": "cancelled",
    "refund": "refunded",
}


def transition_allowed(*, order: Order, action: str) -> bool:
    """Return whether `action` may start from the order's current status (for buttons)."""
    return order.status in TRANSITIONS[action][0]


def order_transition(*, order: Order, action: str, actor=None, note: str = "") -> Order:
    """Move `order` by `action` from the status it was read with; raise InvalidTransition.

    Run inside the caller's transaction, so the event and the move's side effects commit
    together with the status.
    """
    sources, target = TRANSITIONS[action]
    current = order.status
    refused = InvalidTransition(
        f"Order {order.number} is {S(current).label.lower()}: "
        f"it cannot be {ACTION_WORDS[action]} now."
    )
    if current not in sources:
        raise refused
    moved = Order.objects.filter(pk=order.pk, status=current).update(
        status=target, updated_at=timezone.now()
    )
    if not moved:  # someone else moved it between our read and this UPDATE
        raise refused
    OrderEvent.objects.create(
        order=order, from_status=current, to_status=target,
        # Only a user is filed: an API key's caller (accounts.partner_keys.KeyUser) is not one.
        actor=actor if isinstance(actor, get_user_model()) else None, note=note,
    )
    order_moved(order=order, status=target)  # the webhook outbox row, same transaction
    order.status = target
    return order


# --- What the moves do: give back, restock, refund, notify --------------------------------


def release_flash_units(*, order: Order) -> None:
    """Give a cancelled order's flash-sale units back to their sale.

    Flash units are set aside from stock when a sale is created, so they go back to the
    sale, not to the SKU's stock (to the stock only once the sale has ended: marketing.flash).
    """
    flash_release(reference=order.reference)


def _restock(order: Order, *, include_flash: bool) -> None:
    """Put the order's units back on their SKUs' stock (flash lines only when asked)."""
    lines: dict[int, int] = {}
    rows = order.lines.filter(sku__isnull=False)
    if not include_flash:
        rows = rows.filter(is_flash=False)
    for line in rows:
        lines[line.sku_id] = lines.get(line.sku_id, 0) + line.quantity
    if lines:
        stock_release(lines=lines)


def _give_back(order: Order) -> None:
    """Return what placing the order took: stock, flash units, the coupon use, points."""
    _restock(order, include_flash=False)
    release_flash_units(order=order)
    coupon_release(reference=order.reference)
    points_refund(reference=order.reference)


def _queue_email(order: Order, kind: str) -> None:
    order_email_queue(order=order, kind=kind)  # owed in this transaction, sent after it


# --- The moves ---------------------------------------------------------------------------


@transaction.atomic
def order_cancel(*, order: Order, actor=None, by_staff: bool = False, note: str = "") -> Order:
    """Cancel: the shopper (or the unpaid timeout) while pending payment; staff also later.

    Stock, coupon use and points go back. A paid order's payments are recorded as owed back
    (the gateway refunds them after commit: orders.services.refunds); a settled order's
    earned points and recorded spend are reversed.
    """
    was = order.status
    order_transition(
        order=order, action="staff_cancel" if by_staff else "cancel", actor=actor,
        note=note or (gettext_noop("Cancelled by staff") if by_staff else gettext_noop("Cancelled")),
    )
    _give_back(order)
    _queue_email(order, "cancelled")
    if was in (S.PAID, S.PROCESSING):
        order_refunds_record(order=order)
        points_reverse(reference=order.reference)
        spend_reverse(reference=order.reference)
        _queue_email(order, "refunded")
    return order


@transaction.atomic
def order_refund(*, order: Order, actor=None, restock: bool = False, note: str = "") -> Order:
    """Refund a processing, shipped or completed order (staff); the gateway pays after commit.

    Earned points are reversed, redeemed points given back and the member's spend
    reversed; stock goes back only when `restock` (the goods came back sellable).
    """
    order_transition(order=order, action="refund", actor=actor,
                     note=note or (gettext_noop("Refunded, restocked") if restock
                                   else gettext_noop("Refunded")))
    order_refunds_record(order=order)
    if restock:
        # Goods that came back are sellable stock again, flash-sale units included: the
        # sale they were set aside for has sold them.
        _restock(order, include_flash=True)
    # Redeemed points first: the reversal takes only what the balance holds, so giving the
    # redemption back before it keeps the shortfall as small as it can be.
    points_refund(reference=order.reference)
    points_reverse(reference=order.reference)
    spend_reverse(reference=order.reference)
    _queue_email(order, "refunded")
    return order


@transaction.atomic
def order_ship(*, order: Order, carrier: str, tracking_number: str, actor=None) -> Shipment:
    """Mark a processing order shipped with its carrier and tracking number."""
    carrier, tracking_number = carrier.strip(), tracking_number.strip()
    if not carrier or not tracking_number:
        raise ShipmentInvalid()
    order_transition(order=order, action="ship", actor=actor,
                     note=f"{carrier} {tracking_number}")
    shipment = order.shipments.filter(status=Shipment.Status.PACKING).first() or Shipment(order=order)
    shipment.carrier, shipment.tracking_number = carrier, tracking_number
    shipment.status, shipment.shipped_at = Shipment.Status.SHIPPED, timezone.now()
    shipment.save()
    _queue_email(order, "shipped")
    return shipment


@transaction.atomic
def order_confirm(*, order: Order, actor=None) -> Order:
    """The shopper confirms receipt: shipped → completed."""
    return order_transition(order=order, action="confirm", actor=actor, note=gettext_noop("Receipt confirmed"))


# --- Sweeps (periodic tasks) -------------------------------------------------------------


def orders_cancel_unpaid(*, now: datetime | None = None, limit: int = 500) -> int:
    """Cancel pending orders past their `pay_by`; return how many were cancelled.

    Each order is cancelled in its own transaction; one whose payment arrived meanwhile is
    refused by the conditional UPDATE and skipped.
    """
    now = now or timezone.now()
    due = Order.objects.filter(status=S.PENDING_PAYMENT, pay_by__lt=now).order_by("pay_by")
    cancelled = 0
    for order in due[:limit]:
        try:
            order_cancel(order=order, note=gettext_noop("Not paid in time"))
        except InvalidTransition:
            continue
        cancelled += 1
    return cancelled


def orders_complete_shipped(*, now: datetime | None = None, limit: int = 500) -> int:
    """Complete orders delivered (else shipped) more than ORDER_AUTO_COMPLETE_DAYS ago.

    Return how many. The window starts when the carrier reported the order delivered, or
    at shipping when no delivery was reported.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.ORDER_AUTO_COMPLETE_DAYS)
    due = (
        Order.objects.filter(status=S.SHIPPED)
        .annotate(window_start=Coalesce("delivered_at", Max("shipments__shipped_at")))
        .filter(window_start__lte=cutoff)
    )
    completed = 0
    for order in due[:limit]:
        try:
            with transaction.atomic():
                order_transition(order=order, action="auto_complete",
                                 note=gettext_noop("Completed automatically"))
        except InvalidTransition:
            continue
        completed += 1
    return completed
