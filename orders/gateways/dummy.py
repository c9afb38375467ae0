"""The sandbox gateway: the shopper approves or declines on the shop's own page.

It behaves like a real provider where it matters: the outcome reaches the shop only as a
signed callback (HMAC-SHA256 over "t.body" with settings.SHOP_DUMMY_GATEWAY_SECRET, header
`X-Shop-Signature: t=<unix seconds>,v1=<hex>`), checked like any other.
"""

import hashlib
import hmac
import json
import time
import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from orders.errors import PaymentRejected
from orders.gateways import PaymentNotice

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

    def refund(self, *, payment) -> str:
        return f"dummy_refund_{uuid.uuid4().hex}"


def _parse_header(value: str) -> tuple[int, str]:
    parts = dict(part.split("=", 1) for part in value.split(",") if "=" in part)
    try:
        return int(parts["t"]), parts["v1"]
    except (KeyError, ValueError):
        raise PaymentRejected(_("The callback signature header is missing or malformed.")) from None
