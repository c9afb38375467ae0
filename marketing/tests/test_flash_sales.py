"""Flash sales in marketing: creating, validating, reserving, releasing, ending, reconciling.

Orders-side races and timeouts are in orders/tests/test_flash_orders.py.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.models import Sku
from catalog.tests.factories import SkuFactory
from marketing import flash
from marketing.errors import LimitReached, NotActive, SoldOut
from marketing.flash import gate as flash_gate
from marketing.models import FlashPurchase, FlashSale
from marketing.tests.factories import FlashSaleFactory


@pytest.fixture(autouse=True)
def _fresh_sale_cache():
    flash.flash_cache_forget()
    yield
    flash.flash_cache_forget()


def window(start_minutes=-5, end_minutes=60) -> dict:
    now = timezone.now()
    return {"starts_at": now + timedelta(minutes=start_minutes), "ends_at": now + timedelta(minutes=end_minutes)}


# --- Creating a sale ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_creating_a_sale_sets_its_units_aside_from_the_skus_stock():
    sku = SkuFactory(stock=50, price=Decimal("100.00"))

    sale = flash.flash_sale_create(sku=sku, price=Decimal("59.00"), quantity=20, **window())

    assert Sku.objects.get(pk=sku.pk).stock == 30
    assert (sale.sold, sale.remaining, sale.status) == (0, 20, FlashSale.Status.ACTIVE)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"ends_at_minutes": -10}, "ends_at", "The end must be after the start."),
    ({"price": Decimal("100.00")}, "price", "below the SKU's base price (¥100.00)"),
    ({"price": Decimal("0")}, "price", "more than 0.00"),
    ({"quantity": 0}, "quantity", "at least 1 unit"),
    ({"quantity": 51}, "quantity", "Only 50 units of"),
    ({"per_customer_limit": 0}, "per_customer_limit", "at least 1"),
])
@pytest.mark.django_db
def test_a_bad_sale_is_refused_with_a_clear_message_and_takes_no_stock(changes, field, message):
    sku = SkuFactory(stock=50, price=Decimal("100.00"))
    now = timezone.now()
    fields = {"sku": sku, "price": Decimal("59.00"), "quantity": 20, "per_customer_limit": 1,
              "starts_at": now - timedelta(minutes=5), "ends_at": now + timedelta(hours=1)}
    if "ends_at_minutes" in changes:
        fields["ends_at"] = fields["starts_at"] + timedelta(minutes=changes.pop("ends_at_minutes"))
    fields.update(changes)

    with pytest.raises(ValidationError) as refused:
        flash.flash_sale_create(**fields)

    assert any(message in text for text in refused.value.message_dict[field])
    assert Sku.objects.get(pk=sku.pk).stock == 50
    assert not FlashSale.objects.exists()


@pytest.mark.django_db
def test_the_database_refuses_selling_more_than_the_quantity_even_for_a_raw_update():
    sale = FlashSaleFactory(quantity=2)

    with pytest.raises(IntegrityError), transaction.atomic():
        FlashSale.objects.filter(pk=sale.pk).update(sold=3)


@pytest.mark.django_db
def test_the_sku_and_quantity_of_a_sale_cannot_change_but_its_price_can():
    sale = FlashSaleFactory(quantity=20)

    with pytest.raises(ValidationError) as refused:
        flash.flash_sale_update(sale=sale, quantity=30)
    assert "quantity" in refused.value.message_dict

    updated = flash.flash_sale_update(sale=sale, price=Decimal("49.00"), quantity=20)
    assert FlashSale.objects.get(pk=sale.pk).price == updated.price == Decimal("49.00")


@pytest.mark.django_db
def test_deleting_an_unbought_sale_gives_its_units_back_and_a_bought_one_is_refused():
    sku = SkuFactory(stock=50)
    unbought = FlashSaleFactory(sku=sku, quantity=10)
    bought = FlashSaleFactory(sku=sku, quantity=10)
    flash.flash_reserve(sale=bought, user=UserFactory(), quantity=1, reference="order:X1")

    flash.flash_sale_delete(sale=unbought)
    with pytest.raises(ValidationError):
        flash.flash_sale_delete(sale=bought)

    assert Sku.objects.get(pk=sku.pk).stock == 40
    assert list(FlashSale.objects.values_list("pk", flat=True)) == [bought.pk]


# --- Reserving and releasing (marketing alone) -----------------------------------------------


@pytest.mark.django_db
def test_reserve_counts_units_and_writes_one_purchase_per_reference():
    sale = FlashSaleFactory(quantity=3, per_customer_limit=2)
    shopper = UserFactory()

    purchase = flash.flash_reserve(sale=sale, user=shopper, quantity=2, reference="order:A")

    sale.refresh_from_db()
    assert (sale.sold, purchase.state, purchase.quantity) == (2, FlashPurchase.State.RESERVED, 2)
    with pytest.raises(LimitReached):
        flash.flash_reserve(sale=sale, user=shopper, quantity=1, reference="order:B")
    with pytest.raises(SoldOut):
        flash.flash_reserve(sale=sale, user=UserFactory(), quantity=2, reference="order:C")
    sale.refresh_from_db()
    assert sale.sold == 2
    if flash_gate.enabled():
        assert flash_gate.read(sale_id=sale.pk) == (1, {shopper.pk: 2})


@pytest.mark.parametrize("gate", [
    pytest.param(True, marks=pytest.mark.redis, id="redis-gate"),
    pytest.param(False, id="database-only"),
])
@pytest.mark.django_db
def test_a_shopper_at_the_limit_of_a_sold_out_sale_hears_limit_reached_as_the_gate_says(gate, settings):
    if not gate:
        settings.REDIS_URL = ""
    sale = FlashSaleFactory(quantity=1, per_customer_limit=1)
    shopper = UserFactory()
    flash.flash_reserve(sale=sale, user=shopper, quantity=1, reference="order:A")
    if gate:  # counters lost and reloaded too generously (a flush mid-sale): the gate says yes
        flash_gate.load(sale_id=sale.pk, left=1, held={})

    with pytest.raises(LimitReached):
        flash.flash_reserve(sale=sale, user=shopper, quantity=1, reference="order:B")

    sale.refresh_from_db()
    assert sale.sold == 1
    if gate:  # the database's refusal reconciled the gate
        assert flash_gate.read(sale_id=sale.pk) == (0, {shopper.pk: 1})


@pytest.mark.redis
@pytest.mark.django_db
def test_sold_out_from_the_database_reconciles_a_gate_that_let_too_much_through():
    sale = FlashSaleFactory(quantity=1)
    flash.flash_reserve(sale=sale, user=UserFactory(), quantity=1, reference="order:A")
    flash_gate.load(sale_id=sale.pk, left=5, held={})  # a gate out of step with the database

    with pytest.raises(SoldOut):
        flash.flash_reserve(sale=sale, user=UserFactory(), quantity=1, reference="order:B")

    left, held = flash_gate.read(sale_id=sale.pk)
    assert left == 0 and sum(held.values()) == 1


@pytest.mark.django_db
def test_release_gives_the_units_back_once(django_capture_on_commit_callbacks):
    sale = FlashSaleFactory(quantity=3, per_customer_limit=3)
    shopper = UserFactory()
    flash.flash_reserve(sale=sale, user=shopper, quantity=2, reference="order:A")

    with django_capture_on_commit_callbacks(execute=True):
        assert flash.flash_release(reference="order:A") == 2
        assert flash.flash_release(reference="order:A") == 0
        assert flash.flash_release(reference="order:none") == 0

    sale.refresh_from_db()
    assert sale.sold == 0
    assert FlashPurchase.objects.get(reference="order:A").state == FlashPurchase.State.RELEASED
    if flash_gate.enabled():
        assert flash_gate.read(sale_id=sale.pk) == (3, {})


@pytest.mark.django_db
def test_an_upcoming_or_ended_sale_is_not_active():
    upcoming = FlashSaleFactory(**window(60, 120))
    shopper = UserFactory()

    with pytest.raises(NotActive) as refused:
        flash.flash_reserve(sale=upcoming, user=shopper, quantity=1, reference="order:A")
    assert refused.value.extra["status"] == "upcoming"

    ending = FlashSaleFactory(**window(-5, 1))
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        with pytest.raises(NotActive) as refused:
            flash.flash_reserve(sale=ending, user=shopper, quantity=1, reference="order:B")
    assert refused.value.extra["status"] == "ended"
    assert not FlashPurchase.objects.exists()


@pytest.mark.django_db
def test_ending_returns_the_unsold_units_to_stock_once():
    sku = SkuFactory(stock=30)
    sale = FlashSaleFactory(sku=sku, quantity=10, per_customer_limit=5, **window(-5, 1))
    flash.flash_reserve(sale=sale, user=UserFactory(), quantity=4, reference="order:A")
    assert flash.flash_sale_end(sale_id=sale.pk) is None  # not over yet

    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert flash.flash_sale_end(sale_id=sale.pk) == 6
        assert flash.flash_sale_end(sale_id=sale.pk) is None
        assert flash.flash_sales_end_due() == 0
        # A purchase released after the end goes straight back to the stock.
        assert flash.flash_release(reference="order:A") == 4

    assert Sku.objects.get(pk=sku.pk).stock == 30
    sale.refresh_from_db()
    assert sale.sold == 0 and sale.stock_returned_at is not None


# --- Reconcile --------------------------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db
def test_reconcile_loads_the_gate_from_the_database_figures():
    sale = FlashSaleFactory(quantity=10, per_customer_limit=3)
    first, second = UserFactory(), UserFactory()
    flash.flash_reserve(sale=sale, user=first, quantity=3, reference="order:A")
    flash.flash_reserve(sale=sale, user=second, quantity=1, reference="order:B")
    flash_gate.load(sale_id=sale.pk, left=99, held={12345: 1})

    assert flash.flash_sales_reconcile_running() == 1

    assert flash_gate.read(sale_id=sale.pk) == (6, {first.pk: 3, second.pk: 1})


@pytest.mark.redis
@pytest.mark.django_db
def test_a_refusal_by_the_gate_costs_no_query(django_assert_num_queries):
    sale = FlashSaleFactory(quantity=1)
    flash.flash_reserve(sale=sale, user=UserFactory(), quantity=1, reference="order:A")
    cached = flash.flash_sale_cached(sale_id=sale.pk)
    late = UserFactory()

    with django_assert_num_queries(0), pytest.raises(SoldOut):
        flash.flash_admit(sale=cached, user=late, quantity=1)


@pytest.mark.django_db
def test_the_sale_cache_remembers_a_sale_and_an_unknown_id(django_assert_num_queries):
    sale = FlashSaleFactory()
    flash.flash_sale_cached(sale_id=sale.pk)
    flash.flash_sale_cached(sale_id=987654)

    with django_assert_num_queries(0):
        assert flash.flash_sale_cached(sale_id=sale.pk).pk == sale.pk
        assert flash.flash_sale_cached(sale_id=987654) is None
