"""The orders app's write API, one module per concern; callers import from here."""

from orders.services.cart import (
    MAX_QUANTITY,
    cart_add,
    cart_get_or_create,
    cart_merge,
    cart_remove,
    cart_set_quantity,
)
from orders.services.flash import default_address_id, flash_order_place, flash_sale_get
from orders.services.lifecycle import (
    TRANSITIONS,
    order_cancel,
    order_confirm,
    order_refund,
    order_ship,
    order_transition,
    orders_cancel_unpaid,
    orders_complete_shipped,
    release_flash_units,
    transition_allowed,
)
from orders.services.mail import order_email_deliver, order_email_queue
from orders.services.payment import payment_apply, payment_callback
from orders.services.placement import (
    address_resolve,
    address_snapshot,
    cart_items,
    items_for_skus,
    order_place,
    payment_timeout,
)
from orders.services.refunds import (
    order_refunds_record,
    payment_refund,
    refund_record,
    refund_send,
    refunds_retry_due,
)
from orders.services.settlement import earned_points, order_settle, shipment_prepare
from orders.services.sweep import orders_outbox_sweep

__all__ = [
    "MAX_QUANTITY", "TRANSITIONS", "address_resolve", "address_snapshot", "cart_add",
    "cart_get_or_create", "cart_items", "cart_merge", "cart_remove", "cart_set_quantity", "earned_points",
    "items_for_skus", "order_cancel", "order_confirm", "order_place", "order_refund",
    "order_refunds_record", "order_settle", "order_ship", "order_transition",
    "order_email_deliver", "order_email_queue", "orders_cancel_unpaid", "orders_complete_shipped",
    "orders_outbox_sweep",
    "payment_apply", "payment_callback", "payment_refund", "payment_timeout", "refund_record",
    "refund_send", "refunds_retry_due", "release_flash_units", "shipment_prepare",
    "transition_allowed",
    "default_address_id", "flash_order_place", "flash_sale_get",
]
