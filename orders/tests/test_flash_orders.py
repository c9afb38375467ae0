"""Flash-sale orders through orders: stampedes, limits, timeouts, ending (docs/flash-sales.md).

The stampede tests race real threads on PostgreSQL (each its own connection) with and without
the Redis gate, and assert the exact outcome: exactly the quota sold, never more, no unit lost.
"""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connections
from django.utils import timezone

from accounts.tests.factories import AddressFactory, UserFactory
from catalog.models import Sku
from marketing.flash import (
    flash_cache_forget,
    flash_reconcile,
    flash_sale_cached,
    flash_sales_end_due,
)
from marketing.flash import gate as flash_gate
from marketing.models import FlashPurchase, FlashSale
from marketing.tasks import flash_sales_end_due_task
from marketing.tests.factories import (
    CouponFactory,
    DiscountFactory,
    FlashSaleFactory,
    PromotionFactory,
)
from orders.errors import InvalidAddress
from orders.gateways.dummy import payment_simulate
from orders.models import Order
from orders.services import (
    flash_order_place,
    order_cancel,
    order_refund,
    order_settle,
    orders_cancel_unpaid,
)
from orders.tests.factories import ADDRESS
from shop.errors import ShopError
from shop.testing import run_concurrently

REFUSALS = {"sold_out", "limit_reached"}


@pytest.fixture(autouse=True)
def _fresh_sale_cache():
    flash_cache_forget()
    yield
    flash_cache_forget()


@pytest.fixture
def no_gate(settings):
    """The database path: no REDIS_URL, so the gate is off (the cache stays what it was)."""
    settings.REDIS_URL = ""
    assert not flash_gate.enabled()


def buy(user, sale, quantity=1) -> str:
    """Try to buy; return "placed" or the refusal's code."""
    try:
        flash_order_place(user=user, sale_id=sale.pk, quantity=quantity, address=ADDRESS)
    except ShopError as exc:
        return exc.code
    return "placed"


def racing_buyers(sale, users, *, db_slots: int = 30):
    """Return a function for run_concurrently: buyer i tries to buy one unit.

    At most `db_slots` threads hold a database connection at once (the server allows 100 for
    everyone); the attempts still race, and the ones the gate refuses never wait for a slot's
    connection to be used at all.
    """
    slots = threading.BoundedSemaphore(db_slots)

    def attempt(i: int) -> str:
        with slots:
            try:
                return buy(users[i], sale)
            finally:
                connections.close_all()

    return attempt


def assert_gate_matches_database(sale: FlashSale) -> None:
    sale.refresh_from_db()
    left, held = flash_gate.read(sale_id=sale.pk)
    purchases = FlashPurchase.objects.filter(sale=sale, state__in=FlashPurchase.ACTIVE)
    expected_held: dict[int, int] = {}
    for purchase in purchases:
        expected_held[purchase.user_id] = expected_held.get(purchase.user_id, 0) + purchase.quantity
    assert left == sale.quantity - sale.sold
    assert held == expected_held


def flash_orders(sale) -> int:
    return Order.objects.filter(lines__flash_sale_id=sale.pk).distinct().count()


# --- A stampede sells exactly the quota -------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_200_buyers_for_20_units_through_the_redis_gate_get_exactly_20_orders():
    sale = FlashSaleFactory(quantity=20, per_customer_limit=1, sku__stock=100)
    users = [UserFactory() for _ in range(200)]
    flash_sale_cached(sale_id=sale.pk)  # as a warm web process has it

    results = run_concurrently(200, racing_buyers(sale, users))

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert results.count("placed") == 20
    assert results.count("sold_out") == 180
    sale.refresh_from_db()
    assert sale.sold == 20
    assert flash_orders(sale) == 20
    assert FlashPurchase.objects.filter(sale=sale).count() == 20
    assert Sku.objects.get(pk=sale.sku_id).stock == 80  # set aside once, never taken again
    assert_gate_matches_database(sale)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_200_buyers_for_20_units_on_the_database_path_get_exactly_20_orders(no_gate):
    sale = FlashSaleFactory(quantity=20, per_customer_limit=1, sku__stock=100)
    users = [UserFactory() for _ in range(200)]
    flash_sale_cached(sale_id=sale.pk)

    results = run_concurrently(200, racing_buyers(sale, users))

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert results.count("placed") == 20
    assert results.count("sold_out") == 180
    sale.refresh_from_db()
    assert sale.sold == 20
    assert flash_orders(sale) == 20
    assert Sku.objects.get(pk=sale.sku_id).stock == 80


# --- Redis flushed mid-sale -------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_redis_flushed_mid_sale_never_sells_more_than_the_quota_and_strands_no_unit():
    sale = FlashSaleFactory(quantity=20, per_customer_limit=1)
    early = [UserFactory() for _ in range(8)]
    assert [buy(user, sale) for user in early] == ["placed"] * 8
    late = [UserFactory() for _ in range(100)]
    flash_sale_cached(sale_id=sale.pk)

    flash_gate.forget(sale_id=sale.pk)  # Redis lost the sale's counters
    # The early buyers try again (the limit must hold after the reconcile), the late ones
    # race them; one of the racers flushes the counters once more mid-race.
    racers = early + late
    attempt = racing_buyers(sale, racers)

    def attempt_or_flush(i: int) -> str:
        if i == 60:
            flash_gate.forget(sale_id=sale.pk)
        return attempt(i)

    results = run_concurrently(len(racers), attempt_or_flush)

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert set(results) <= {"placed"} | REFUSALS
    assert results[:8] == ["limit_reached"] * 8
    assert results.count("placed") == 12  # demand exceeds supply: every unit sold, none stranded
    sale.refresh_from_db()
    assert sale.sold == 20 == flash_orders(sale)
    flash_reconcile(sale=sale)  # what the beat task does every minute
    assert_gate_matches_database(sale)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_units_released_while_the_counters_were_lost_are_sold_again_after_the_reconcile():
    sale = FlashSaleFactory(quantity=2, per_customer_limit=1)
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    assert [buy(first, sale), buy(second, sale), buy(third, sale)] == ["placed", "placed", "sold_out"]

    flash_gate.forget(sale_id=sale.pk)
    order_cancel(order=Order.objects.get(user=first), actor=first)  # the gate had nothing to release into

    assert buy(third, sale) == "placed"  # NOT_LOADED → reconcile from the database → the unit is there
    assert buy(first, sale) == "sold_out"
    assert_gate_matches_database(sale)


# --- The per-customer limit -------------------------------------------------------------------


GATE_OR_NOT = pytest.mark.parametrize("gate", [
    pytest.param(True, marks=pytest.mark.redis, id="redis-gate"),
    pytest.param(False, id="database-only"),
])


@GATE_OR_NOT
@pytest.mark.django_db
def test_the_limit_holds_across_several_orders_of_one_customer(gate, settings):
    if not gate:
        settings.REDIS_URL = ""
    sale = FlashSaleFactory(quantity=20, per_customer_limit=2)
    shopper = UserFactory()

    assert buy(shopper, sale) == "placed"
    assert buy(shopper, sale) == "placed"
    assert buy(shopper, sale) == "limit_reached"
    assert buy(UserFactory(), sale, quantity=3) == "limit_reached"
    sale.refresh_from_db()
    assert sale.sold == 2


@GATE_OR_NOT
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_customer_racing_itself_gets_no_more_than_the_limit(gate, settings):
    if not gate:
        settings.REDIS_URL = ""
    sale = FlashSaleFactory(quantity=20, per_customer_limit=2)
    shopper = UserFactory()
    flash_sale_cached(sale_id=sale.pk)

    results = run_concurrently(20, racing_buyers(sale, [shopper] * 20, db_slots=20))

    assert results.count("placed") == 2
    assert results.count("limit_reached") == 18
    sale.refresh_from_db()
    assert sale.sold == 2 == Order.objects.filter(user=shopper).count()
    if gate:
        assert_gate_matches_database(sale)


# --- The unpaid timeout gives the units back -----------------------------------------------------


@pytest.mark.django_db
def test_an_unpaid_flash_order_past_the_timeout_returns_its_unit_to_another_buyer(
    settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sale = FlashSaleFactory(quantity=1, per_customer_limit=1)
    slow, patient = UserFactory(), UserFactory()
    assert buy(slow, sale) == "placed"
    order = Order.objects.get(user=slow)
    assert abs(order.pay_by - order.created_at - settings.FLASH_SALE_PAYMENT_TIMEOUT) < timedelta(seconds=1)
    assert buy(patient, sale) == "sold_out"

    with time_machine.travel(timezone.now() + settings.FLASH_SALE_PAYMENT_TIMEOUT + timedelta(seconds=1)):
        with django_capture_on_commit_callbacks(execute=True):
            assert orders_cancel_unpaid() == 1
        order.refresh_from_db()
        sale.refresh_from_db()
        assert order.status == Order.Status.CANCELLED
        assert sale.sold == 0
        assert FlashPurchase.objects.get(reference=order.reference).state == FlashPurchase.State.RELEASED
        if flash_gate.enabled():
            assert flash_gate.read(sale_id=sale.pk) == (1, {})

        assert buy(patient, sale) == "placed"
    sale.refresh_from_db()
    assert sale.sold == 1
    assert Sku.objects.get(pk=sale.sku_id).stock == 99  # the unit went to the sale, not to stock


@pytest.mark.django_db
def test_cancelling_twice_gives_the_units_back_once(django_capture_on_commit_callbacks):
    sale = FlashSaleFactory(quantity=5, per_customer_limit=3)
    shopper = UserFactory()
    flash_order_place(user=shopper, sale_id=sale.pk, quantity=3, address=ADDRESS)
    order = Order.objects.get(user=shopper)

    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order, actor=shopper)
    with pytest.raises(ShopError):
        order_cancel(order=Order.objects.get(pk=order.pk), actor=shopper)

    sale.refresh_from_db()
    assert sale.sold == 0
    if flash_gate.enabled():
        assert flash_gate.read(sale_id=sale.pk) == (5, {})


# --- Not active before the start; unsold units back to stock once at the end -------------------


@pytest.mark.django_db
def test_a_sale_that_has_not_started_refuses_as_not_active():
    sale = FlashSaleFactory(starts_at=timezone.now() + timedelta(hours=1),
                            ends_at=timezone.now() + timedelta(hours=2))

    assert buy(UserFactory(), sale) == "not_active"
    sale.refresh_from_db()
    assert sale.sold == 0
    assert sale.status == FlashSale.Status.UPCOMING


@pytest.mark.django_db
def test_an_ended_sale_returns_its_unsold_units_to_stock_once(django_capture_on_commit_callbacks):
    sale = FlashSaleFactory(quantity=20, sku__stock=100)
    buyers = [UserFactory() for _ in range(3)]
    for user in buyers:
        assert buy(user, sale) == "placed"
    assert Sku.objects.get(pk=sale.sku_id).stock == 80

    with time_machine.travel(sale.ends_at + timedelta(seconds=1)):
        flash_cache_forget()
        assert buy(UserFactory(), sale) == "not_active"
        with django_capture_on_commit_callbacks(execute=True):
            assert flash_sales_end_due_task.delay().get() == 1
            assert flash_sales_end_due_task.delay().get() == 0  # the second run does nothing
        assert Sku.objects.get(pk=sale.sku_id).stock == 97
        sale.refresh_from_db()
        assert sale.stock_returned_at is not None
        assert sale.status == FlashSale.Status.ENDED
        if flash_gate.enabled():
            assert flash_gate.read(sale_id=sale.pk) == (None, {})

        # An order cancelled after the end gives its unit straight to the stock.
        order_cancel(order=Order.objects.get(user=buyers[0]), by_staff=True)
        assert Sku.objects.get(pk=sale.sku_id).stock == 98
        assert flash_sales_end_due() == 0
    sale.refresh_from_db()
    assert sale.sold == 2


# --- The order itself ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_flash_order_is_at_the_flash_price_plus_shipping_with_no_other_discount():
    sale = FlashSaleFactory(price=Decimal("59.00"), per_customer_limit=2)
    DiscountFactory(products=[sale.sku.product], value=Decimal("50.00"))
    PromotionFactory(threshold=Decimal("100.00"), amount_off=Decimal("30.00"))
    CouponFactory(code="TENOFF")
    shopper = UserFactory()

    order = flash_order_place(user=shopper, sale_id=sale.pk, quantity=2, address=ADDRESS)

    line = order.lines.get()
    assert (line.unit_price, line.quantity, line.is_flash, line.flash_sale_id) == (
        Decimal("59.00"), 2, True, sale.pk)
    assert order.subtotal == Decimal("118.00")
    assert not order.adjustments.exists()
    assert order.total == order.subtotal + order.shipping
    assert order.status == Order.Status.PENDING_PAYMENT


@pytest.mark.django_db
def test_a_failed_order_gives_the_gate_and_the_units_back():
    sale = FlashSaleFactory(quantity=1)
    shopper = UserFactory()

    with pytest.raises(InvalidAddress):
        flash_order_place(user=shopper, sale_id=sale.pk, quantity=1, address_id=987654)

    sale.refresh_from_db()
    assert sale.sold == 0 and not Order.objects.exists()
    if flash_gate.enabled():
        assert flash_gate.read(sale_id=sale.pk) == (1, {})
    assert buy(shopper, sale) == "placed"


@pytest.mark.django_db
def test_a_flash_order_refuses_a_saved_address_id_that_is_not_a_whole_number():
    sale = FlashSaleFactory(quantity=1)
    shopper = UserFactory()
    AddressFactory(user=shopper, pk=1)  # what int(True) would have found

    with pytest.raises(InvalidAddress):
        flash_order_place(user=shopper, sale_id=sale.pk, quantity=1, address_id=True)

    assert not Order.objects.exists()


# --- After the sale: payment and refunds ------------------------------------------------------


@pytest.mark.django_db
def test_paying_a_flash_order_marks_its_purchase_paid(no_gate):
    sale = FlashSaleFactory(quantity=5)
    user = UserFactory()
    order = flash_order_place(user=user, sale_id=sale.pk, quantity=1, address=ADDRESS)

    payment_simulate(order=order, outcome="approve")

    assert FlashPurchase.objects.get(reference=order.reference).state == FlashPurchase.State.PAID


@pytest.mark.django_db
def test_a_refund_with_restock_puts_flash_units_back_on_the_skus_stock(no_gate):
    sale = FlashSaleFactory(quantity=5, sku__stock=100)  # 95 left on the SKU
    order = flash_order_place(user=UserFactory(), sale_id=sale.pk, quantity=1, address=ADDRESS)
    payment_simulate(order=order, outcome="approve")
    order_settle(order_id=order.pk)
    order.refresh_from_db()

    order_refund(order=order, restock=True)

    assert Sku.objects.get(pk=sale.sku_id).stock == 96
    sale.refresh_from_db()
    assert sale.sold == 1  # the sale sold it; the goods that came back are ordinary stock
