"""Step 4: a coupon applies with a known amount, or says exactly why not."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.tests.factories import CategoryFactory
from marketing.errors import CouponInvalid
from marketing.models import Kind
from marketing.pricing import coupon_evaluate
from marketing.tests.factories import CouponFactory, CouponRedemptionFactory
from marketing.tests.helpers import line

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf():
    return CategoryFactory()


@pytest.fixture
def shopper():
    return UserFactory()


def evaluate(code, *, lines, amount=None, user=None, promotion_applied=False, tier_code="", at=None):
    amount = sum((ln.line_total for ln in lines), Decimal("0.00")) if amount is None else Decimal(amount)
    return coupon_evaluate(code=code, user=user, lines=lines, amount=amount,
                           promotion_applied=promotion_applied, tier_code=tier_code,
                           at=at or timezone.now())


def refusal(code, **kwargs) -> CouponInvalid:
    with pytest.raises(CouponInvalid) as caught:
        evaluate(code, **kwargs)
    return caught.value


def test_a_percent_coupon_takes_its_share_of_the_amount(shelf, shopper):
    coupon = CouponFactory(code="WELCOME10", value=Decimal("10.00"))

    reduction = evaluate("WELCOME10", lines=[line(category=shelf, unit_price="250.00")], user=shopper)

    assert (reduction.amount, reduction.code, reduction.source_id) == (Decimal("25.00"), "WELCOME10", coupon.pk)
    assert reduction.label == "Coupon WELCOME10 (−10 %)"


def test_codes_are_case_insensitive_and_ignore_surrounding_spaces(shelf):
    CouponFactory(code="Welcome10")

    assert evaluate("  wElCoMe10 ", lines=[line(category=shelf, unit_price="50.00")]).code == "Welcome10"


def test_the_cap_limits_a_percent_coupon(shelf):
    CouponFactory(code="HALF", value=Decimal("50.00"), max_discount=Decimal("40.00"))

    assert evaluate("HALF", lines=[line(category=shelf, unit_price="300.00")]).amount == Decimal("40.00")


def test_a_fixed_coupon_never_takes_more_than_the_amount(shelf):
    CouponFactory(code="BIG", kind=Kind.FIXED, value=Decimal("80.00"))

    assert evaluate("BIG", lines=[line(category=shelf, unit_price="50.00")]).amount == Decimal("50.00")


def test_a_scoped_coupon_applies_only_to_its_lines(shelf):
    books = CategoryFactory()
    CouponFactory(code="SHELF", kind=Kind.FIXED, value=Decimal("80.00"), categories=[shelf])
    cart = [line(category=CategoryFactory(parent=shelf), unit_price="30.00"), line(category=books, unit_price="200.00")]

    assert evaluate("SHELF", lines=cart).amount == Decimal("30.00")


def test_flash_lines_take_no_coupon(shelf):
    CouponFactory(code="TEN", value=Decimal("10.00"))
    cart = [line(category=shelf, unit_price="100.00"), line(category=shelf, unit_price="500.00", flash=True)]

    assert evaluate("TEN", lines=cart).amount == Decimal("10.00")


# --- Every refusal, with its reason ---------------------------------------------------------


def test_an_unknown_code_is_refused(shelf):
    error = refusal("NOPE", lines=[line(category=shelf, unit_price="10.00")])

    assert error.extra["reason"] == "unknown"
    assert error.detail == "Unknown coupon code “NOPE”."


def test_a_coupon_before_its_start_is_refused(shelf):
    now = timezone.now()
    CouponFactory(code="SOON", starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=2))

    error = refusal("SOON", lines=[line(category=shelf, unit_price="10.00")], at=now)

    assert error.extra["reason"] == "not_started"
    assert "is not valid until" in error.detail


def test_an_expired_coupon_is_refused(shelf):
    now = timezone.now()
    CouponFactory(code="OLD", starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1))

    error = refusal("OLD", lines=[line(category=shelf, unit_price="10.00")], at=now)

    assert error.extra["reason"] == "expired"
    assert "expired on" in error.detail


def test_the_minimum_spend_is_checked_on_the_amount_after_the_promotion(shelf):
    CouponFactory(code="MIN100", min_spend=Decimal("100.00"))
    cart = [line(category=shelf, unit_price="120.00")]

    error = refusal("MIN100", lines=cart, amount="90.00", promotion_applied=True)  # 120 − 30 off

    assert error.extra["reason"] == "min_spend"
    assert error.detail == "Coupon MIN100 needs a spend of ¥100.00 after promotions; spend ¥10.00 more."
    assert evaluate("MIN100", lines=cart, amount="120.00").amount == Decimal("12.00")


def test_flash_sale_lines_do_not_count_towards_the_minimum_spend(shelf):
    CouponFactory(code="MIN100", min_spend=Decimal("100.00"))
    cart = [line(category=shelf, unit_price="60.00"),
            line(category=shelf, unit_price="50.00", flash=True)]

    error = refusal("MIN100", lines=cart, amount="110.00")

    assert error.extra["reason"] == "min_spend"
    assert error.detail.endswith("spend ¥40.00 more.")


def test_a_used_up_coupon_is_refused(shelf):
    CouponFactory(code="GONE", usage_limit=3, used=3)

    error = refusal("GONE", lines=[line(category=shelf, unit_price="10.00")])

    assert error.extra["reason"] == "used_up"
    assert error.detail == "Coupon GONE has been used up."


def test_a_coupon_the_shopper_already_used_is_refused(shelf, shopper):
    coupon = CouponFactory(code="ONCE", per_customer_limit=1)
    CouponRedemptionFactory(coupon=coupon, user=shopper)

    error = refusal("ONCE", lines=[line(category=shelf, unit_price="10.00")], user=shopper)

    assert error.extra["reason"] == "already_used"
    assert error.detail == "You have already used coupon ONCE."
    assert evaluate("ONCE", lines=[line(category=shelf, unit_price="10.00")], user=UserFactory()).amount


def test_a_released_use_does_not_count_against_the_shopper(shelf, shopper):
    coupon = CouponFactory(code="ONCE", per_customer_limit=1)
    CouponRedemptionFactory(coupon=coupon, user=shopper, released_at=timezone.now())

    assert evaluate("ONCE", lines=[line(category=shelf, unit_price="10.00")], user=shopper).amount == Decimal("1.00")


def test_a_coupon_for_other_tiers_is_refused(shelf):
    CouponFactory(code="GOLDONLY", tiers=["gold"])

    error = refusal("GOLDONLY", lines=[line(category=shelf, unit_price="10.00")], tier_code="silver")

    assert error.extra["reason"] == "wrong_tier"
    assert error.detail == "Coupon GOLDONLY is not available for your membership tier."
    assert evaluate("GOLDONLY", lines=[line(category=shelf, unit_price="10.00")], tier_code="gold").amount


def test_a_scoped_coupon_with_nothing_in_scope_is_refused(shelf):
    CouponFactory(code="SHELF", categories=[shelf])

    error = refusal("SHELF", lines=[line(category=CategoryFactory(), unit_price="10.00"),
                                    line(category=shelf, unit_price="99.00", flash=True)])

    assert error.extra["reason"] == "nothing_in_scope"
    assert error.detail == "Nothing in your cart is eligible for coupon SHELF."


def test_a_coupon_not_combinable_with_promotions_is_refused_when_one_applies(shelf):
    CouponFactory(code="SOLO", combinable_with_promotions=False)
    cart = [line(category=shelf, unit_price="250.00")]

    error = refusal("SOLO", lines=cart, amount="220.00", promotion_applied=True)

    assert error.extra["reason"] == "not_combinable"
    assert error.detail == "Coupon SOLO can't be combined with the promotion applied to your order."
    assert evaluate("SOLO", lines=cart, promotion_applied=False).amount == Decimal("25.00")
