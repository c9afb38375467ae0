"""The state machine's moves: timeout, cancel, confirm, auto-complete, refund."""

import inspect
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from catalog.models import Sku
from orders import services
from orders.gateways.dummy import payment_simulate
from orders.models import Order, OrderEvent, Payment, Shipment
from orders.services import (
    TRANSITIONS,
    order_cancel,
    order_confirm,
    order_refund,
    order_settle,
    order_ship,
    order_transition,
    orders_cancel_unpaid,
    orders_complete_shipped,
)
from orders.tests.factories import SkuFactory, place
from shop.errors import InvalidTransition

pytestmark = pytest.mark.django_db


@pytest.fixture
def sku():
    return SkuFactory(stock=10, price=Decimal("50.00"))


def _stock(sku):
    return Sku.objects.get(pk=sku.pk).stock


def _paid(sku, **kwargs):
    order = place(skus=[sku], quantity=2, **kwargs)
    payment_simulate(order=order, outcome="approve")
    order.refresh_from_db()
    return order


def _shipped(sku):
    order = _paid(sku)
    order_settle(order_id=order.pk)
    order.refresh_from_db()
    order_ship(order=order, carrier="SF Express", tracking_number="SF1001")
    return order


def test_the_transition_table_matches_the_design():
    assert {action: (sorted(src), dst) for action, (src, dst) in TRANSITIONS.items()} == {
        "pay": (["pending_payment"], "paid"),
        "settle": (["paid"], "processing"),
        "ship": (["processing"], "shipped"),
        "confirm": (["shipped"], "completed"),
        "auto_complete": (["shipped"], "completed"),
        "cancel": (["pending_payment"], "cancelled"),
        "staff_cancel": (["paid", "pending_payment", "processing"], "cancelled"),
        "refund": (["completed", "processing", "shipped"], "refunded"),
    }


def test_the_unpaid_timeout_cancels_and_returns_the_stock(sku):
    order = place(skus=[sku], quantity=3)
    late = place(skus=[sku], quantity=1)
    assert _stock(sku) == 6
    Order.objects.filter(pk=order.pk).update(pay_by=timezone.now() - timedelta(minutes=1))

    with mock.patch("orders.services.lifecycle.coupon_release") as coupon_release, \
         mock.patch("orders.services.lifecycle.points_refund") as points_refund:
        assert orders_cancel_unpaid() == 1

    order.refresh_from_db()
    late.refresh_from_db()
    assert (order.status, late.status) == ("cancelled", "pending_payment")
    assert _stock(sku) == 9
    coupon_release.assert_called_once_with(reference=order.reference)
    points_refund.assert_called_once_with(reference=order.reference)
    assert orders_cancel_unpaid() == 0  # run again: nothing left to do


def test_the_pay_by_of_an_order_is_its_creation_plus_the_payment_timeout(sku, settings):
    settings.ORDER_PAYMENT_TIMEOUT = timedelta(minutes=30)
    order = place(skus=[sku])
    assert order.pay_by - order.created_at == pytest.approx(timedelta(minutes=30),
                                                            abs=timedelta(seconds=2))


def test_the_shopper_cancels_while_pending_payment(sku):
    order = place(skus=[sku], quantity=2)
    order_cancel(order=order, actor=order.user)
    assert Order.objects.get(pk=order.pk).status == "cancelled"
    assert _stock(sku) == 10
    event = OrderEvent.objects.filter(order=order).last()
    assert (event.from_status, event.to_status, event.actor) == (
        "pending_payment", "cancelled", order.user)


def test_the_shopper_cannot_cancel_after_payment(sku, api):
    order = _paid(sku, user=api.handler._force_user)
    response = api.post(f"/api/v1/orders/{order.number}/cancel/")
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    assert Order.objects.get(pk=order.pk).status == "paid"
    with pytest.raises(InvalidTransition):
        order_cancel(order=order)


def test_staff_cancel_a_paid_order_refunding_it_and_returning_the_stock(sku, mailoutbox,
                                                                       django_capture_on_commit_callbacks):
    order = _paid(sku)
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order, by_staff=True)
    assert Order.objects.get(pk=order.pk).status == "cancelled"
    payment = Payment.objects.get(order=order)
    assert payment.status == "refunded" and payment.refund_reference
    assert _stock(sku) == 10
    assert any("refunded" in m.subject for m in mailoutbox)


def test_the_shopper_confirms_a_shipped_order(sku, api):
    order = _shipped(sku)
    Order.objects.filter(pk=order.pk).update(user=api.handler._force_user)
    response = api.post(f"/api/v1/orders/{order.number}/confirm/")
    assert (response.status_code, response.json()["status"]) == (200, "completed")
    again = api.post(f"/api/v1/orders/{order.number}/confirm/")
    assert again.status_code == 409


def test_confirming_before_shipping_is_refused(sku):
    order = _paid(sku)
    with pytest.raises(InvalidTransition):
        order_confirm(order=order)


def test_shipped_orders_complete_automatically_after_the_configured_days(sku, settings):
    settings.ORDER_AUTO_COMPLETE_DAYS = 14
    order = _shipped(sku)
    assert orders_complete_shipped() == 0
    Shipment.objects.filter(order=order).update(shipped_at=timezone.now() - timedelta(days=15))
    assert orders_complete_shipped() == 1
    assert Order.objects.get(pk=order.pk).status == "completed"
    assert OrderEvent.objects.filter(order=order).last().note == "Completed automatically"


def test_a_refund_with_restock_returns_the_stock_and_a_second_refund_is_refused(
        sku, django_capture_on_commit_callbacks):
    order = _shipped(sku)
    assert _stock(sku) == 8
    with mock.patch("orders.services.lifecycle.points_reverse") as points_reverse, \
         mock.patch("orders.services.lifecycle.spend_reverse") as spend_reverse, \
         django_capture_on_commit_callbacks(execute=True):
        order_refund(order=order, restock=True)
    points_reverse.assert_called_once_with(reference=order.reference)
    spend_reverse.assert_called_once_with(reference=order.reference)
    assert Order.objects.get(pk=order.pk).status == "refunded"
    assert _stock(sku) == 10
    assert Payment.objects.get(order=order).status == "refunded"
    with pytest.raises(InvalidTransition):
        order_refund(order=order, restock=True)
    assert _stock(sku) == 10


def test_a_refund_without_restock_keeps_the_stock(sku):
    order = _shipped(sku)
    order_refund(order=order, restock=False)
    assert _stock(sku) == 8


def test_a_stale_order_object_cannot_move_twice(sku):
    order = place(skus=[sku])
    stale = Order.objects.get(pk=order.pk)
    order_cancel(order=order)
    with pytest.raises(InvalidTransition):
        payment_simulate(order=stale, outcome="approve")

    with pytest.raises(InvalidTransition):
        order_transition(order=stale, action="pay")  # status read as pending; the UPDATE finds none
    assert Order.objects.get(pk=order.pk).status == "cancelled"


@pytest.mark.parametrize("name", ["items_for_skus", "payment_timeout", "transition_allowed",
                                  "release_flash_units", "address_resolve", "payment_refund"])
def test_order_services_take_keyword_arguments_only(name):
    parameters = inspect.signature(getattr(services, name)).parameters.values()
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters)
