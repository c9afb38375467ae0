"""Shipment tracking: the carrier's system (TMS) reports `in_transit` and `delivered`.

`delivered` on the last undelivered shipment of a shipped order sets the order's
`delivered_at`, which starts the auto-complete window, and writes `order.delivered`.
"""

from django.db import transaction
from django.utils import timezone

from orders.errors import TrackingInvalid
from orders.models import Order, Shipment, ShipmentEvent
from orders.webhooks import order_event_record

TRACKABLE = {Shipment.Status.SHIPPED, Shipment.Status.IN_TRANSIT}


@transaction.atomic
def shipment_event_add(*, shipment: Shipment, status: str, location: str = "") -> ShipmentEvent:
    """Record a tracking event on a shipped shipment; raise TrackingInvalid if it cannot take it.

    The shipment row is locked, so two reports of one delivery record it once.
    """
    if status not in ShipmentEvent.Status.values:
        raise TrackingInvalid(f"Unknown tracking status {status!r}.")
    shipment = Shipment.objects.select_for_update().select_related("order").get(pk=shipment.pk)
    if shipment.status not in TRACKABLE:
        raise TrackingInvalid(
            f"Shipment {shipment.pk} is {shipment.get_status_display().lower()}: "
            "it takes tracking events only between shipping and delivery.")
    now = timezone.now()
    event = ShipmentEvent.objects.create(shipment=shipment, status=status,
                                         location=location.strip()[:200], at=now)
    shipment.status = status
    if status == ShipmentEvent.Status.DELIVERED:
        shipment.delivered_at = now
    shipment.save(update_fields=["status", "delivered_at"])
    order = shipment.order
    if status == ShipmentEvent.Status.DELIVERED and order.status == Order.Status.SHIPPED:
        # A shipment still being packed is not on its way: it does not hold delivery back.
        undelivered = order.shipments.filter(shipped_at__isnull=False).exclude(
            status=Shipment.Status.DELIVERED)
        if not undelivered.exists():
            Order.objects.filter(pk=order.pk).update(delivered_at=now, updated_at=now)
            order.delivered_at = now
            order_event_record(order=order, type="order.delivered")
            return event
    Order.objects.filter(pk=order.pk).update(updated_at=now)  # partners sync by updated_at
    return event
