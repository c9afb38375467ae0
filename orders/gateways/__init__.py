"""Payment gateways: one interface, the built-in `dummy` sandbox, enabled by settings.

A gateway starts a payment (where to send the shopper), verifies a callback (trust and
parse what the gateway sent) and refunds, idempotently per key. The shop's own rules — amount checks, replays,
the order's state — live in orders.services.payment, the same for every gateway.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from orders.errors import GatewayUnavailable

REGISTRY = {
    "dummy": "orders.gateways.dummy.DummyGateway",
}


@dataclass(frozen=True)
class PaymentNotice:
    """A verified callback: what the gateway says happened to one payment attempt."""

    order_number: str
    reference: str
    amount: Decimal
    currency: str
    approved: bool
    raw: dict = field(default_factory=dict)


class Gateway(Protocol):
    code: str

    def start(self, *, order) -> str:
        """Return the URL the shopper goes to for paying `order`."""

    def verify_callback(self, *, body: bytes, headers) -> PaymentNotice:
        """Return the notice in a callback, or raise PaymentRejected if it cannot be trusted."""

    def refund(self, *, payment, amount: Decimal, idempotency_key: str) -> str:
        """Give `amount` of the payment back; return the gateway's refund reference.

        Called again with the same `idempotency_key` (a retry after a timeout or a crash),
        the gateway answers with the refund it already made instead of making another.
        Raise orders.errors.RefundDeclined when the refund is refused for good; any other
        exception is taken as passing trouble and the refund is tried again later.
        """


def gateway_get(code: str, *, enabled_only: bool = True) -> Gateway:
    """Return the gateway named `code`; raise GatewayUnavailable if unknown or not enabled.

    Refunds pass enabled_only=False: money taken through a gateway goes back through it
    even after it was switched off for new payments.
    """
    if code not in REGISTRY or (enabled_only and code not in settings.SHOP_PAYMENT_GATEWAYS):
        raise GatewayUnavailable(_("The payment method “%(code)s” is not available.") % {"code": code})
    return import_string(REGISTRY[code])()


def enabled_gateways() -> list[str]:
    return [code for code in settings.SHOP_PAYMENT_GATEWAYS if code in REGISTRY]
