"""Step 3: the single best threshold promotion (满减) the eligible subtotal meets, and a hint."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.tests.factories import CategoryFactory
from marketing.pricing import promotion_for
from marketing.tests.factories import PromotionFactory
from marketing.tests.helpers import line

pytestmark = pytest.mark.django_db


def promote(lines, tier_code="", at=None):
    return promotion_for(lines=lines, tier_code=tier_code, at=at or timezone.now())


@pytest.fixture
def shelf():
    return CategoryFactory()


def test_meeting_the_threshold_takes_the_amount_off(shelf):
    promotion = PromotionFactory(name="Spend 200 save 30")

    reduction, hint = promote([line(category=shelf, unit_price="100.00", quantity=2)])

    assert reduction.amount == Decimal("30.00")
    assert reduction.label == "Spend 200 save 30"
    assert reduction.source_id == promotion.pk
    assert hint is None


def test_below_the_threshold_hints_how_much_more_to_spend(shelf):
    PromotionFactory(name="Spend 200 save 30")

    reduction, hint = promote([line(category=shelf, unit_price="177.00")])

    assert reduction is None
    assert (hint.missing, hint.amount_off, hint.label) == (Decimal("23.00"), Decimal("30.00"), "Spend 200 save 30")


def test_the_largest_amount_off_met_wins_and_the_next_tier_is_hinted(shelf):
    PromotionFactory(threshold=Decimal("100.00"), amount_off=Decimal("10.00"))
    PromotionFactory(threshold=Decimal("200.00"), amount_off=Decimal("30.00"))
    PromotionFactory(threshold=Decimal("500.00"), amount_off=Decimal("100.00"))

    reduction, hint = promote([line(category=shelf, unit_price="250.00")])

    assert reduction.amount == Decimal("30.00")
    assert (hint.missing, hint.amount_off) == (Decimal("250.00"), Decimal("100.00"))


def test_a_hint_never_points_at_a_smaller_promotion_than_the_one_applied(shelf):
    PromotionFactory(threshold=Decimal("100.00"), amount_off=Decimal("40.00"))
    PromotionFactory(threshold=Decimal("300.00"), amount_off=Decimal("30.00"))

    reduction, hint = promote([line(category=shelf, unit_price="150.00")])

    assert reduction.amount == Decimal("40.00")
    assert hint is None


def test_category_scope_counts_only_lines_in_the_category_or_below():
    electronics = CategoryFactory()
    phones = CategoryFactory(parent=electronics)
    books = CategoryFactory()
    PromotionFactory(categories=[electronics])

    reduction, hint = promote([line(category=phones, unit_price="150.00"), line(category=books, unit_price="100.00")])

    assert reduction is None
    assert hint.missing == Decimal("50.00")

    reduction, _ = promote([line(category=phones, unit_price="150.00"), line(category=electronics, unit_price="50.00")])
    assert reduction.amount == Decimal("30.00")


def test_flash_lines_never_count_towards_a_threshold(shelf):
    PromotionFactory()

    reduction, hint = promote([line(category=shelf, unit_price="150.00"), line(category=shelf, unit_price="80.00", flash=True)])

    assert reduction is None
    assert hint.missing == Decimal("50.00")


def test_tier_scope_limits_a_promotion_to_those_tiers(shelf):
    PromotionFactory(tiers=["gold", "platinum"])
    cart = [line(category=shelf, unit_price="300.00")]

    assert promote(cart, tier_code="gold")[0].amount == Decimal("30.00")
    assert promote(cart, tier_code="silver") == (None, None)
    assert promote(cart, tier_code="") == (None, None)


def test_promotions_outside_their_window_or_switched_off_do_not_apply(shelf):
    now = timezone.now()
    PromotionFactory(starts_at=now + timedelta(hours=1), ends_at=now + timedelta(days=1))
    PromotionFactory(starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1))
    PromotionFactory(is_active=False)

    assert promote([line(category=shelf, unit_price="999.00")], at=now) == (None, None)


def test_the_promotion_queries_do_not_grow_with_the_cart(shelf, django_assert_num_queries):
    PromotionFactory(categories=[shelf])
    PromotionFactory(threshold=Decimal("1200.00"), amount_off=Decimal("150.00"))
    cart = [line(category=CategoryFactory(parent=shelf), unit_price="50.00") for _ in range(20)]

    with django_assert_num_queries(3):
        reduction, hint = promote(cart)

    assert reduction.amount == Decimal("30.00")
    assert hint.missing == Decimal("200.00")
