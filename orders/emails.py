"""Order emails (placed, paid, shipped, cancelled, refunded): their content.

Each is sent as text and HTML (templates/orders/email/<kind>.txt and .html), in the
shopper's language (accounts.User.language), with an absolute link to the order page built
on SHOP_BASE_URL: an email has no request to take the host from.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from orders.models import Order

KINDS = {
    "placed": _("Order %(number)s received"),
    "paid": _("Payment received for order %(number)s"),
    "shipped": _("Order %(number)s is on its way"),
    "cancelled": _("Order %(number)s cancelled"),
    "refunded": _("Order %(number)s refunded"),
}


def order_url(order: Order) -> str:
    """Return the absolute address of the order's page."""
    return settings.SHOP_BASE_URL.rstrip("/") + order.get_absolute_url()


def order_email_message(*, order: Order, kind: str) -> EmailMultiAlternatives:
    """Return the `kind` email for `order`, text and HTML, in its shopper's language."""
    if kind not in KINDS:
        raise ValueError(f"unknown order email {kind!r}")
    context = {"order": order, "shop_name": settings.SHOP_NAME, "order_url": order_url(order),
               "kind": kind}
    with translation.override(order.user.email_language()):
        subject = f"[{settings.SHOP_NAME}] " + str(KINDS[kind]) % {"number": order.number}
        context["subject"] = subject
        text = render_to_string(f"orders/email/{kind}.txt", context)
        html = render_to_string(f"orders/email/{kind}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text,
                                     from_email=settings.DEFAULT_FROM_EMAIL,
                                     to=[order.user.email])
    message.attach_alternative(html, "text/html")
    return message


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
    order_email_message(order=order, kind=kind).send()
