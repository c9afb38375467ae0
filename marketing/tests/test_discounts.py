"""Step 1: the best running time-limited discount per SKU, in a fixed number of queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Sku
from catalog.tests.factories import CategoryFactory, ProductFactory, SkuFactory
from marketing.models import Kind
from marketing.pricing import discount_offers
from marketing.tests.factories import DiscountFactory

pytestmark = pytest.mark.django_db


def offers(*skus, at=None):
    return discount_offers(list(skus), user=None, at=at or timezone.now())


def test_a_percent_discount_on_the_product_cuts_its_price():
    sku = SkuFactory(price=Decimal("199.00"))
    DiscountFactory(name="Spring sale", value=Decimal("10.00"), products=[sku.product])

    offer = offers(sku)[sku.pk]

    assert offer.price == Decimal("179.10")
    assert offer.kind == "discount"
    assert offer.label == "Spring sale −10 %"


def test_a_discount_on_an_ancestor_category_covers_products_below_it():
    root = CategoryFactory()
    leaf = CategoryFactory(parent=CategoryFactory(parent=root))
    inside = SkuFactory(price=Decimal("100.00"), product=ProductFactory(category=leaf))
    outside = SkuFactory(price=Decimal("100.00"))
    DiscountFactory(kind=Kind.FIXED, value=Decimal("15.00"), categories=[root])

    result = offers(inside, outside)

    assert result[inside.pk].price == Decimal("85.00")
    assert outside.pk not in result


def test_the_best_of_several_discounts_wins():
    sku = SkuFactory(price=Decimal("100.00"))
    DiscountFactory(value=Decimal("10.00"), products=[sku.product])
    DiscountFactory(name="Big", kind=Kind.FIXED, value=Decimal("25.00"), categories=[sku.product.category])
    DiscountFactory(value=Decimal("20.00"), products=[sku.product])

    assert offers(sku)[sku.pk].price == Decimal("75.00")


def test_a_fixed_discount_larger_than_the_price_stops_at_zero():
    sku = SkuFactory(price=Decimal("9.99"))
    DiscountFactory(kind=Kind.FIXED, value=Decimal("50.00"), products=[sku.product])

    assert offers(sku)[sku.pk].price == Decimal("0.00")


def test_percent_discounts_round_half_up_to_cents():
    sku = SkuFactory(price=Decimal("0.05"))
    DiscountFactory(value=Decimal("50.00"), products=[sku.product])  # cut 0.025 -> 0.03

    assert offers(sku)[sku.pk].price == Decimal("0.02")


@pytest.mark.parametrize(
    "window",
    [
        {"starts_at_days": 1, "ends_at_days": 2},  # not started
        {"starts_at_days": -3, "ends_at_days": -1},  # ended
    ],
)
def test_discounts_outside_their_window_do_not_apply(window):
    sku = SkuFactory()
    now = timezone.now()
    DiscountFactory(products=[sku.product], starts_at=now + timedelta(days=window["starts_at_days"]),
                    ends_at=now + timedelta(days=window["ends_at_days"]))

    assert offers(sku, at=now) == {}


def test_a_switched_off_discount_does_not_apply():
    sku = SkuFactory()
    DiscountFactory(products=[sku.product], is_active=False)

    assert offers(sku) == {}


def test_the_window_ends_exclusive_and_starts_inclusive():
    sku = SkuFactory()
    discount = DiscountFactory(products=[sku.product])

    assert sku.pk in offers(sku, at=discount.starts_at)
    assert offers(sku, at=discount.ends_at) == {}


def _batch(count):
    category = CategoryFactory()
    DiscountFactory(categories=[category])
    DiscountFactory(kind=Kind.FIXED, value=Decimal("5.00"), products=[ProductFactory(category=category)])
    for _ in range(count):
        SkuFactory(product=ProductFactory(category=category))
    # Fresh objects without their product loaded, as a listing page may pass them.
    return list(Sku.objects.all())


@pytest.mark.parametrize("count", [1, 20])
def test_a_batch_of_any_size_takes_four_queries(count, django_assert_num_queries):
    skus = _batch(count)

    with django_assert_num_queries(4):
        result = offers(*skus)

    assert len(result) == count


def test_no_running_discount_costs_one_query(django_assert_num_queries):
    skus = [SkuFactory(), SkuFactory()]

    with django_assert_num_queries(1):
        assert offers(*skus) == {}
