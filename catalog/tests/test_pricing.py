"""The effective-price seam: rules from settings.SHOP_PRICE_RULES, lowest wins, fixed queries."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Min

from catalog.models import Sku
from catalog.pricing import effective_prices, price_products
from catalog.selectors import product_list
from catalog.tests.factories import SkuFactory
from shop.pricing import PriceOffer

CALLS = []


def half_price_rule(skus, *, user, at):
    """A test rule: half price for SKUs whose code starts with HALF (one query per batch)."""
    CALLS.append({"count": len(skus), "user": user, "at": at})
    ids = [sku.pk for sku in skus]
    # One query for the whole batch, as real rules must.
    prices = dict(Sku.objects.filter(pk__in=ids, code__startswith="HALF")
                  .values_list("pk").annotate(price=Min("price")))
    return {pk: PriceOffer(price=price / 2, kind="discount", label="Half price")
            for pk, price in prices.items()}


def equal_rule(skus, *, user, at):
    return {sku.pk: PriceOffer(price=sku.price, kind="member", label="Same") for sku in skus}


def negative_rule(skus, *, user, at):
    return {sku.pk: PriceOffer(price=Decimal("-5.00"), kind="discount", label="Free!")
            for sku in skus}


@pytest.fixture
def rules(settings):
    CALLS.clear()

    def use(*names):
        settings.SHOP_PRICE_RULES = [f"{__name__}.{name}" for name in names]

    return use


@pytest.mark.django_db
def test_without_rules_the_effective_price_is_the_base_price(rules):
    rules()
    sku = SkuFactory(price=Decimal("99.00"))
    assert effective_prices([sku]) == {sku.pk: PriceOffer(Decimal("99.00"), "base", "")}


@pytest.mark.django_db
def test_a_lower_offer_wins_and_an_equal_one_does_not(rules):
    rules("equal_rule", "half_price_rule")
    half = SkuFactory(code="HALF-1", price=Decimal("99.99"))
    full = SkuFactory(code="FULL-1", price=Decimal("40.00"))
    offers = effective_prices([half, full])
    # 99.99 / 2 = 49.995 → 50.00, rounded half-up once.
    assert offers[half.pk] == PriceOffer(Decimal("50.00"), "discount", "Half price")
    assert offers[full.pk] == PriceOffer(Decimal("40.00"), "base", "")


@pytest.mark.django_db
def test_an_offer_never_goes_below_zero(rules):
    rules("negative_rule")
    sku = SkuFactory(price=Decimal("10.00"))
    assert effective_prices([sku])[sku.pk].price == Decimal("0.00")


@pytest.mark.django_db
def test_an_anonymous_visitor_reaches_the_rules_as_none(rules):
    rules("half_price_rule")
    effective_prices([SkuFactory()], user=AnonymousUser())
    assert CALLS[0]["user"] is None and CALLS[0]["at"] is not None


@pytest.mark.django_db
def test_each_rule_runs_once_per_batch_whatever_its_size(rules, django_assert_num_queries):
    rules("half_price_rule", "equal_rule")
    small = [SkuFactory(code="HALF-A")]
    large = [SkuFactory(code=f"HALF-B{n}") for n in range(30)]
    with django_assert_num_queries(1):
        effective_prices(small)
    with django_assert_num_queries(1):
        effective_prices(large)
    assert [call["count"] for call in CALLS] == [1, 30]


@pytest.mark.django_db
def test_a_listing_shows_the_rules_price_as_effective_price_from(rules):
    rules("half_price_rule")
    halved = SkuFactory(code="HALF-X", price=Decimal("80.00")).product
    SkuFactory(code="FULL-X", product=halved, price=Decimal("50.00"))
    products = list(product_list())
    price_products(products)
    (product,) = products
    assert product.price_from == Decimal("50.00")
    assert product.effective_price_from == Decimal("40.00")
    assert {sku.code: sku.offer.kind for sku in product.active_skus} == {
        "HALF-X": "discount", "FULL-X": "base"}
