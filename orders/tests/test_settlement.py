"""Settlement: once per order, the named calls into points and membership, fulfilment."""

from decimal import Decimal
from unittest import mock

import pytest
from celery.exceptions import TimeoutError as CeleryTimeout

from marketing.tests.factories import FlashSaleFactory
from orders.gateways.dummy import payment_simulate
from orders.models import Order, OrderEvent, Settlement, Shipment
from orders.services import earned_points, flash_order_place, order_settle
from orders.tasks import order_settle_task
from orders.tests.factories import ADDRESS, SkuFactory, UserFactory, place
from shop.pricing import MemberBenefits


def _paid_order(**kwargs):
    order = place(skus=[SkuFactory(price=Decimal("40.00"))], quantity=2, **kwargs)
    payment_simulate(order=order, outcome="approve")
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    return order


@pytest.mark.django_db
def test_settling_twice_does_the_work_once(django_capture_on_commit_callbacks):
    order = _paid_order()
    benefits = MemberBenefits(tier_code="gold", tier_name="Gold", discount_percent=Decimal("0"),
                              points_multiplier=Decimal("1.5"), free_shipping=False)
    with mock.patch("orders.services.settlement.points_award") as points_award, \
         mock.patch("orders.services.settlement.spend_record") as spend_record, \
         mock.patch("orders.services.settlement.benefits_for", return_value=benefits), \
         django_capture_on_commit_callbacks(execute=True):
        first = order_settle_task.apply(args=[order.pk])
        second = order_settle_task.apply(args=[order.pk])

    assert first.successful() and second.successful()
    order.refresh_from_db()
    assert order.status == Order.Status.PROCESSING
    settlement = Settlement.objects.get(order=order)
    # 80.00 of goods + 10.00 shipping paid; points on 80.00 × 1.5.
    assert (settlement.gross, settlement.shipping, settlement.paid) == (
        Decimal("80.00"), Decimal("10.00"), Decimal("90.00"))
    points_award.assert_called_once_with(user=order.user, points=120, reference=order.reference)
    spend_record.assert_called_once()
    assert spend_record.call_args.kwargs["amount"] == Decimal("80.00")
    assert spend_record.call_args.kwargs["reference"] == f"order:{order.number}"
    assert OrderEvent.objects.filter(order=order, to_status="processing").count() == 1
    assert Shipment.objects.filter(order=order, status="packing").count() == 1


@pytest.mark.django_db
def test_an_unpaid_order_is_not_settled():
    order = place(skus=[SkuFactory()])
    assert order_settle(order_id=order.pk) is None
    assert not Settlement.objects.exists()


def test_earned_points_are_floored():
    assert earned_points(paid=Decimal("90.99"), shipping=Decimal("10.00"),
                         multiplier=Decimal("1.25")) == 101  # 80.99 × 1.25 = 101.2375
    assert earned_points(paid=Decimal("5.00"), shipping=Decimal("10.00"),
                         multiplier=Decimal("2")) == 0


@pytest.mark.redis
@pytest.mark.postgres
def test_a_real_worker_settles_a_paid_order(celery_worker_process):
    # Paid with the task queue switched to the broker: settlement runs in the worker.
    order = place(user=UserFactory(), skus=[SkuFactory(price=Decimal("40.00"))])
    payment_simulate(order=order, outcome="approve")
    result = order_settle_task.delay(order.pk)
    try:
        result.get(timeout=30)
    except CeleryTimeout:
        pytest.fail(f"not settled in 30 s; worker said:\n{celery_worker_process.output()}")
    order.refresh_from_db()
    assert order.status == Order.Status.PROCESSING
    assert Settlement.objects.filter(order=order).count() == 1


# --- A paid order always settles ----------------------------------------------------------


@pytest.mark.django_db
def test_a_flash_line_costs_the_base_price_when_that_fell_below_the_flash_price():
    sale = FlashSaleFactory(price=Decimal("59.00"))
    type(sale.sku).objects.filter(pk=sale.sku_id).update(price=Decimal("50.00"))

    order = flash_order_place(user=UserFactory(), sale_id=sale.pk, quantity=1, address=ADDRESS)

    line = order.lines.get()
    assert (line.base_price, line.unit_price, order.subtotal) == (
        Decimal("50.00"), Decimal("50.00"), Decimal("50.00"))
    payment_simulate(order=order, outcome="approve")
    settlement = order_settle(order_id=order.pk)
    assert settlement.price_discount == Decimal("0.00")
    order.refresh_from_db()
    assert order.status == Order.Status.PROCESSING


@pytest.mark.django_db
def test_an_order_whose_lines_cost_more_than_their_base_price_still_settles():
    # An order placed before flash prices were capped: unit price above the base price.
    order = _paid_order()
    order.lines.update(base_price=Decimal("30.00"))  # 60.00 gross, 80.00 subtotal

    settlement = order_settle(order_id=order.pk)

    assert (settlement.gross, settlement.price_discount) == (Decimal("60.00"), Decimal("0.00"))
    order.refresh_from_db()
    assert order.status == Order.Status.PROCESSING


