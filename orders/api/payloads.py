"""What an order webhook event carries as `data`: the order as the API shows it.

Named by SHOP_WEBHOOK_PAYLOADS and rendered when the event is dispatched (accounts.webhooks),
so the transaction that writes the event pays for one INSERT only.
"""

from orders.api.serializers import OrderSerializer
from orders.models import Order
from orders.webhooks import EVENT_STATUS


def order_payload(order_id: int, event_type: str) -> dict:
    """Return an order event's `data`: the order as the API shows it (SHOP_WEBHOOK_PAYLOADS)."""
    order = (Order.objects.prefetch_related("lines", "adjustments", "shipments__events")
             .filter(pk=order_id).first())
    if order is None:
        return {}
    data = dict(OrderSerializer(order).data)
    if event_type in EVENT_STATUS:
        data["status"] = EVENT_STATUS[event_type]
    return data
