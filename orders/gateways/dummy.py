"""The sandbox gateway: the shopper approves or declines on the shop's own page.

It behaves like a real provider where it matters: the outcome reaches the shop only as a
signed callback (HMAC-SHA256 over "t.body" with settings.SHOP_DUMMY_GATEWAY_SECRET, header
`X-Shop-Signature: t=<unix seconds>,v1=<hex>`), checked like any other, and a refund asked
for twice with one idempotency key is one refund (the same reference comes back).

`payment_simulate` is the sandbox page itself: it plays the provider, sending the signed
callback straight into the shop's callback service.
"""

import hashlib
import hmac
import json
import re
import time
import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from orders.errors import PaymentDeclined, PaymentRejected
from orders.gateways import PaymentNotice
from orders.models import Order, Payment
from orders.services.payment import payment_callback
from shop.errors import InvalidTransition

SIGNATURE_HEADER = "X-Shop-Signature"
TOLERANCE_SECONDS = 300


def sign(body: bytes, *, timestamp: int | None = None, secret: str | None = None) -> str:
    """Return the signature header value for `body`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    secret = settings.SHOP_DUMMY_GATEWAY_SECRET if secret is None else secret
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class DummyGateway:
    code = "dummy"

    def start(self, *, order) -> str:
        return reverse("orders:pay", kwargs={"number": order.number})

    def callback(self, *, order, outcome: str) -> tuple[bytes, dict]:
        """Return the signed callback (body, headers) the sandbox sends for `outcome`."""
        body = json.dumps({
            "order": order.number,
            "reference": f"dummy_{uuid.uuid4().hex}",
            "amount": str(order.total),
            "currency": order.currency,
            "outcome": outcome,
        }).encode()
        return body, {SIGNATURE_HEADER: sign(body)}

    def verify_callback(self, *, body: bytes, headers) -> PaymentNotice:
        timestamp, signature = _parse_header(headers.get(SIGNATURE_HEADER, ""))
        if abs(time.time() - timestamp) > TOLERANCE_SECONDS:
            raise PaymentRejected(_("The callback timestamp is outside the 5-minute window."))
        expected = sign(body, timestamp=timestamp).split("v1=", 1)[1]
        if not hmac.compare_digest(expected, signature):
            raise PaymentRejected(_("The callback signature does not match."))
        try:
            data = json.loads(body)
            notice = PaymentNotice(
                order_number=str(data["order"]), reference=str(data["reference"]),
                amount=Decimal(str(data["amount"])), currency=str(data["currency"]),
                approved={"approve": True, "decline": False}[data["outcome"]], raw=data,
            )
        except (ValueError, KeyError, TypeError, InvalidOperation):
            raise PaymentRejected(_("The callback body is malformed.")) from None
        if not notice.amount.is_finite():
            raise PaymentRejected(_("The callback body is malformed."))
        return notice

    def refund(self, *, payment, amount: Decimal, idempotency_key: str) -> str:
        # Derived from the key, as a provider's stored answer would be: asking again with
        # the same key names the same refund.
        return f"dummy_refund_{hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]}"


def payment_simulate(*, order: Order, outcome: str) -> Payment:
    """Pay `order` in the sandbox: send its signed callback for `outcome` through the shop.

    Used by the sandbox page and `POST /api/v1/orders/{number}/pay/`; raise
    PaymentDeclined when the shopper declined, InvalidTransition when the order is not
    waiting for payment.
    """
    if order.status != Order.Status.PENDING_PAYMENT:
        raise InvalidTransition(_("Order %(number)s is not waiting for payment.")
                                % {"number": order.number})
    if outcome not in ("approve", "decline"):
        raise PaymentRejected(_("The outcome must be approve or decline."))
    gateway = DummyGateway()
    body, headers = gateway.callback(order=order, outcome=outcome)
    payment = payment_callback(gateway=gateway.code, body=body, headers=headers)
    if payment.status == Payment.Status.DECLINED:
        raise PaymentDeclined()
    if payment.flagged_for_refund:
        raise InvalidTransition(_("Order %(number)s is not waiting for payment.")
                                % {"number": order.number})
    return payment


# The header's grammar, strictly: "t=<1-12 ASCII digits>,v1=<64 hex digits>". Anything else is
# refused before it reaches int() (which takes "1_000", " 12" and non-ASCII digits, and
# overflows time arithmetic on 400 digits) or compare_digest (TypeError on non-ASCII text).
TIMESTAMP = re.compile(r"[0-9]{1,12}")
DIGEST = re.compile(r"[0-9a-f]{64}")
MAX_HEADER_LENGTH = 200


def _parse_header(value: str) -> tuple[int, str]:
    """Return (timestamp, hex digest) from the signature header; raise PaymentRejected."""
    malformed = PaymentRejected(_("The callback signature header is missing or malformed."))
    if len(value) > MAX_HEADER_LENGTH:
        raise malformed
    parts: dict[str, str] = {}
    for part in value.split(","):
        key, sep, item = part.strip().partition("=")
        if not sep or key in parts:
            raise malformed
        parts[key] = item
    timestamp, digest = parts.get("t", ""), parts.get("v1", "").lower()
    if not TIMESTAMP.fullmatch(timestamp) or not DIGEST.fullmatch(digest):
        raise malformed
    return int(timestamp), digest
