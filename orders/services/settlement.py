"""Settlement and fulfilment: what happens once an order is paid (run by Celery tasks)."""

from decimal import ROUND_FLOOR

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from membership.selectors import benefits_for
from membership.services import spend_record
from orders.models import Order, OrderAdjustment, Settlement, Shipment
from orders.services.lifecycle import order_transition
from points.services import points_award
from shop.celery import enqueue_on_commit
from shop.errors import InvalidTransition
from shop.money import ZERO, money


def earned_points(*, paid, shipping, multiplier) -> int:
    """Return ⌊(amount paid − shipping) × tier multiplier⌋ (never negative)."""
    base = max(money(paid) - money(shipping), ZERO)
    return int((base * multiplier).to_integral_value(rounding=ROUND_FLOOR))


@transaction.atomic
def order_settle(*, order_id: int) -> Settlement | None:
    """Settle a paid order once: paid → processing, the settlement row, points, spend.

    The conditional UPDATE paid → processing is the guard: a second run (a redelivered
    task) is refused there and does nothing. Return None when there was nothing to do.
    """
    order = Order.objects.select_related("user").filter(pk=order_id).first()
    if order is None:
        return None
    try:
        order_transition(order=order, action="settle", note=gettext_noop("Settled"))
    except InvalidTransition:
        return None
    reductions = {kind: ZERO for kind in OrderAdjustment.Kind.values}
    for adjustment in order.adjustments.all():
        reductions[adjustment.kind] -= adjustment.amount
    gross = money(sum((line.base_price * line.quantity for line in order.lines.all()), ZERO))
    multiplier = benefits_for(order.user).points_multiplier
    points = earned_points(paid=order.total, shipping=order.shipping, multiplier=multiplier)
    # Never negative: an order placed before flash prices were capped at the base price can
    # have a subtotal above its gross, and the settlement's CHECK refuses a negative amount.
    price_discount = max(gross - order.subtotal, ZERO)
    settlement = Settlement.objects.create(
        order=order, gross=gross, price_discount=price_discount,
        promotion=reductions["promotion"], coupon=reductions["coupon"],
        points_value=reductions["points"], shipping=order.shipping, paid=order.total,
        points_awarded=points,
    )
    # The named places where points and membership hook in (idempotent per reference).
    if points > 0:
        points_award(user=order.user, points=points, reference=order.reference)
    spend_record(user=order.user, reference=order.reference,
                 amount=max(order.total - order.shipping, ZERO), at=timezone.now())

    enqueue_on_commit("orders.tasks.order_fulfil_task", order.pk)
    return settlement


@transaction.atomic
def shipment_prepare(*, order_id: int) -> Shipment | None:
    """Open the shipment to be packed for a processing order (once)."""
    order = Order.objects.select_for_update().filter(
        pk=order_id, status=Order.Status.PROCESSING
    ).first()
    if order is None or order.shipments.exists():
        return None
    return Shipment.objects.create(order=order, status=Shipment.Status.PACKING)
