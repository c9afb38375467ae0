"""Order webhook events: which moves report which event, and the event's `data`."""

from accounts.webhooks import event_record
from orders.models import Order

# The status an order has when its event happens: `data.status` says it even when the order
# has moved on by the time the event is dispatched.
EVENT_STATUS = {
    "order.placed": Order.Status.PENDING_PAYMENT,
    "order.paid": Order.Status.PAID,
    "order.cancelled": Order.Status.CANCELLED,
    "order.shipped": Order.Status.SHIPPED,
    "order.delivered": Order.Status.SHIPPED,
    "order.completed": Order.Status.COMPLETED,
    "order.refunded": Order.Status.REFUNDED,
}
# A move into this status reports this event (settling, paid → processing, reports none).
STATUS_EVENT = {
    Order.Status.PAID: "order.paid",
    Order.Status.CANCELLED: "order.cancelled",
    Order.Status.SHIPPED: "order.shipped",
    Order.Status.COMPLETED: "order.completed",
    Order.Status.REFUNDED: "order.refunded",
}


def order_event_record(*, order: Order, type: str) -> None:
    """Write the webhook event `type` for `order` in the caller's transaction (one INSERT)."""
    event_record(type=type, stream=f"order:{order.pk}", subject_id=order.pk)


def order_moved(*, order: Order, status: str) -> None:
    """Write the webhook event a move into `status` reports, if it reports one."""
    event_type = STATUS_EVENT.get(status)
    if event_type is not None:
        order_event_record(order=order, type=event_type)
