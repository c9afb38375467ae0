"""Order emails (placed, paid, shipped, refunded, cancelled), rendered from templates/orders/email/."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from orders.models import Order

KINDS = {
    "placed": _("Order %(number)s received"),
    "paid": _("Payment received for order %(number)s"),
    "shipped": _("Order %(number)s is on its way"),
    "refunded": _("Order %(number)s refunded"),
    "cancelled": _("Order %(number)s cancelled"),
}


def order_email_send(*, order_id: int, kind: str) -> None:
    """Send the `kind` email for an order to its shopper."""
    if kind not in KINDS:
        raise ValueError(f"unknown order email {kind!r}")
    order = (
        Order.objects.select_related("user")
        .prefetch_related("lines", "adjustments", "shipments")
        .filter(pk=order_id).first()
    )
    if order is None:
        return
    context = {"order": order, "shop_name": settings.SHOP_NAME}
    send_mail(
        subject=f"[{settings.SHOP_NAME}] " + KINDS[kind] % {"number": order.number},
        message=render_to_string(f"orders/email/{kind}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[order.user.email],
    )
