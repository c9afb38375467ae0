"""Payment callbacks: verified, idempotent, and never both paid and cancelled."""

import json
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from catalog.models import Sku
from orders.gateways.dummy import SIGNATURE_HEADER, DummyGateway, sign
from orders.models import Order, OrderEvent, Payment
from orders.services import orders_cancel_unpaid, payment_callback
from orders.tests.factories import SkuFactory, UserFactory, place
from shop.testing import run_concurrently

CALLBACK = "/api/v1/payments/dummy/callback/"


def _callback_body(order, *, amount=None, currency=None, reference="ref-1", outcome="approve"):
    return json.dumps({"order": order.number, "reference": reference,
                       "amount": str(order.total if amount is None else amount),
                       "currency": currency or order.currency, "outcome": outcome}).encode()


def _post(body, signature):
    header = {f"HTTP_{SIGNATURE_HEADER.upper().replace('-', '_')}": signature}
    return APIClient().post(CALLBACK, data=body, content_type="application/json", **header)


def _unchanged(order):
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    assert not Payment.objects.exists()
    assert OrderEvent.objects.filter(order=order).count() == 1


@pytest.fixture
def order(db):
    return place(skus=[SkuFactory(price=Decimal("120.00"))])


def test_a_signed_callback_marks_the_order_paid_and_queues_settlement(
    order, django_capture_on_commit_callbacks, mailoutbox
):
    body = _callback_body(order)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(body, sign(body))
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PROCESSING  # settled by the (eager) task
    payment = Payment.objects.get()
    assert (payment.amount, payment.status) == (Decimal("120.00"), "captured")
    assert any("Payment received" in m.subject for m in mailoutbox)


def test_a_bad_signature_is_refused_and_changes_nothing(order):
    body = _callback_body(order)
    response = _post(body, sign(body, secret="not-the-secret"))
    assert (response.status_code, response.json()["code"]) == (400, "payment_rejected")
    _unchanged(order)


def test_a_signature_over_another_body_is_refused(order):
    response = _post(_callback_body(order), sign(_callback_body(order, reference="other")))
    assert response.status_code == 400
    _unchanged(order)


@pytest.mark.parametrize("header", ["", "t=abc,v1=00", "v1=00", "garbage"])
def test_a_missing_or_malformed_signature_header_is_refused(order, header):
    assert _post(_callback_body(order), header).status_code == 400
    _unchanged(order)


def _valid_header(order) -> tuple[bytes, str, str]:
    body = _callback_body(order)
    timestamp, digest = sign(body).removeprefix("t=").split(",v1=")
    return body, timestamp, digest


MALFORMED = {
    "non_ascii_digest": lambda t, d: f"t={t},v1={'é' * 64}",
    "four_hundred_digit_timestamp": lambda t, d: f"t={'9' * 400},v1={d}",
    "timestamp_with_underscores": lambda t, d: f"t={int(t):_},v1={d}",
    "non_ascii_digits_in_timestamp": lambda t, d: f"t={''.join(chr(0x0660 + int(c)) for c in t)},v1={d}",
    "signed_timestamp": lambda t, d: f"t=+{t},v1={d}",
    "short_digest": lambda t, d: f"t={t},v1={d[:63]}",
    "long_digest": lambda t, d: f"t={t},v1={d}0",
    "non_hex_digest": lambda t, d: f"t={t},v1={'g' * 64}",
    "two_timestamps": lambda t, d: f"t={t},t={t},v1={d}",
    "stray_part": lambda t, d: f"t={t},v1={d},junk",
    "huge_header": lambda t, d: f"t={t},v1={d}," + "x=1," * 500,
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_signature_header_is_a_400_not_a_500(order, name):
    body, timestamp, digest = _valid_header(order)

    response = _post(body, MALFORMED[name](timestamp, digest))

    assert (response.status_code, response.json()["code"]) == (400, "payment_rejected")
    _unchanged(order)


def test_the_callback_is_throttled_per_client_address(order, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"payment_callback": "3/minute"})
    body = _callback_body(order)

    codes = [_post(body, "garbage").status_code for _ in range(4)]
    elsewhere = APIClient().post(CALLBACK, data=body, content_type="application/json",
                                 REMOTE_ADDR="10.9.8.7", HTTP_X_SHOP_SIGNATURE="garbage")

    assert codes == [400, 400, 400, 429]
    assert elsewhere.status_code == 400


def test_a_stale_timestamp_is_refused(order):
    body = _callback_body(order)
    response = _post(body, sign(body, timestamp=int(time.time()) - 301))
    assert response.status_code == 400
    assert "5-minute" in response.json()["detail"]
    _unchanged(order)


@pytest.mark.parametrize("amount,currency", [("119.99", None), ("120.01", None), (None, "USD")])
def test_a_wrong_amount_or_currency_is_refused(order, amount, currency):
    body = _callback_body(order, amount=amount, currency=currency)
    assert _post(body, sign(body)).status_code == 400
    _unchanged(order)


def test_a_replayed_callback_changes_nothing_the_second_time(order):
    body = _callback_body(order)
    first = _post(body, sign(body))
    order.refresh_from_db()
    status, events = order.status, OrderEvent.objects.filter(order=order).count()

    again = _post(body, sign(body))

    assert (first.status_code, again.status_code) == (200, 200)
    order.refresh_from_db()
    assert order.status == status
    assert OrderEvent.objects.filter(order=order).count() == events
    assert Payment.objects.count() == 1


def test_a_payment_for_a_cancelled_order_is_recorded_and_flagged_not_applied(order):
    from orders.services import order_cancel

    order_cancel(order=order)
    body = _callback_body(order)
    response = _post(body, sign(body))
    assert response.status_code == 200
    assert response.json() == {"status": "captured", "flagged_for_refund": True}
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert Payment.objects.get().flagged_for_refund


def test_a_declined_payment_leaves_the_order_pending_and_says_402(order, api):
    order.user = api.handler._force_user
    Order.objects.filter(pk=order.pk).update(user=order.user)
    response = api.post(f"/api/v1/orders/{order.number}/pay/",
                        {"gateway": "dummy", "outcome": "decline"}, format="json")
    assert (response.status_code, response.json()["code"]) == (402, "payment_declined")
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT


def test_paying_through_the_api_goes_through_the_signed_callback(order, api):
    Order.objects.filter(pk=order.pk).update(user=api.handler._force_user)
    response = api.post(f"/api/v1/orders/{order.number}/pay/",
                        {"gateway": "dummy", "outcome": "approve"}, format="json")
    assert response.status_code == 200
    assert Payment.objects.get().reference.startswith("dummy_")
    again = api.post(f"/api/v1/orders/{order.number}/pay/",
                     {"gateway": "dummy", "outcome": "approve"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")
    assert Payment.objects.count() == 1


def test_an_unknown_or_disabled_gateway_is_refused(order, api, settings):
    Order.objects.filter(pk=order.pk).update(user=api.handler._force_user)
    assert api.post(f"/api/v1/orders/{order.number}/pay/",
                    {"gateway": "paypal", "outcome": "approve"}, format="json").status_code == 400
    assert APIClient().post("/api/v1/payments/paypal/callback/", {}).status_code == 404
    settings.SHOP_PAYMENT_GATEWAYS = []
    body = _callback_body(order)
    assert _post(body, sign(body)).status_code == 404
    _unchanged(order)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_payment_racing_the_unpaid_timeout_ends_either_paid_or_cancelled(attempt):
    sku = SkuFactory(stock=5)
    order = place(user=UserFactory(), skus=[sku], quantity=2)
    Order.objects.filter(pk=order.pk).update(pay_by=timezone.now() - timedelta(seconds=1))

    # The gateway's callback is on its way whatever the shop does meanwhile.
    body, headers = DummyGateway().callback(order=order, outcome="approve")

    def race(i):
        if i == 0:
            return payment_callback(gateway="dummy", body=body, headers=headers)
        return orders_cancel_unpaid()

    run_concurrently(2, race)

    order.refresh_from_db()
    payment = Payment.objects.get()
    stock = Sku.objects.get(pk=sku.pk).stock
    statuses = list(OrderEvent.objects.filter(order=order).values_list("to_status", flat=True))
    if order.status == Order.Status.CANCELLED:
        assert payment.flagged_for_refund
        assert stock == 5
        assert "paid" not in statuses
    else:
        assert order.status in (Order.Status.PAID, Order.Status.PROCESSING)
        assert not payment.flagged_for_refund
        assert stock == 3
        assert "cancelled" not in statuses


# --- Giving flagged money back ------------------------------------------------------------


def _flagged_payment(order) -> Payment:
    from orders.services import order_cancel

    order_cancel(order=order)
    body = _callback_body(order)
    _post(body, sign(body))
    payment = Payment.objects.get()
    assert payment.flagged_for_refund
    return payment


def test_a_flagged_payment_is_refunded_through_its_gateway_once(
        order, django_capture_on_commit_callbacks):
    from unittest import mock

    from orders.services import payment_refund
    from shop.errors import InvalidTransition

    payment = _flagged_payment(order)
    with mock.patch.object(DummyGateway, "refund", return_value="rf-1") as refund:
        with django_capture_on_commit_callbacks(execute=True):
            payment_refund(payment=payment)
        with pytest.raises(InvalidTransition):
            payment_refund(payment=payment)

    refund.assert_called_once()
    payment.refresh_from_db()
    assert (payment.status, payment.flagged_for_refund, payment.refund_reference) == (
        Payment.Status.REFUNDED, False, "rf-1")


def test_a_payment_that_was_applied_to_its_order_is_not_refunded_on_its_own(order):
    from orders.gateways.dummy import payment_simulate
    from orders.services import payment_refund
    from shop.errors import InvalidTransition

    payment = payment_simulate(order=order, outcome="approve")
    with pytest.raises(InvalidTransition):
        payment_refund(payment=payment)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CAPTURED


def test_a_failed_gateway_refund_stays_owed_and_the_payment_captured(
        order, django_capture_on_commit_callbacks):
    from unittest import mock

    from orders.models import Refund
    from orders.services import payment_refund

    payment = _flagged_payment(order)
    with mock.patch.object(DummyGateway, "refund", side_effect=OSError("gateway down")), \
         django_capture_on_commit_callbacks(execute=True):
        payment_refund(payment=payment)
    payment.refresh_from_db()
    refund = Refund.objects.get(payment=payment)
    assert (payment.status, refund.status, refund.attempts) == (
        Payment.Status.CAPTURED, Refund.Status.PENDING, 1)
    assert "gateway down" in refund.last_error


def test_the_payment_admin_refunds_flagged_payments_with_the_refund_permission(
        order, client, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Permission
    from django.urls import reverse

    from accounts.tests.factories import StaffFactory

    payment = _flagged_payment(order)
    clerk = StaffFactory()
    clerk.user_permissions.add(Permission.objects.get(codename="view_payment"))
    client.force_login(clerk)
    url = reverse("admin:orders_payment_changelist")
    assert "flagged_for_refund" in client.get(url).content.decode()  # the filter
    client.post(url, {"action": "refund_flagged", "_selected_action": [payment.pk]})
    payment.refresh_from_db()
    assert payment.flagged_for_refund

    clerk.user_permissions.add(Permission.objects.get(codename="refund_order"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "refund_flagged", "_selected_action": [payment.pk]})
    payment.refresh_from_db()
    assert (payment.status, payment.flagged_for_refund) == (Payment.Status.REFUNDED, False)
