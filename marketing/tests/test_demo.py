"""Demo data: a running category discount, the 满减 promotion, WELCOME10 and GRAB20, once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.tests.factories import CategoryFactory
from marketing import demo
from marketing.models import Coupon, Discount, Promotion

pytestmark = pytest.mark.django_db


def test_seeding_twice_makes_each_row_once():
    electronics = CategoryFactory(slug="electronics", name="Electronics")
    messages = []

    demo.seed(out=messages.append)
    demo.seed(out=messages.append)

    discount = Discount.objects.get()
    assert list(discount.categories.all()) == [electronics]
    assert discount.is_running() and discount.value == Decimal("15.00")
    promotion = Promotion.objects.get()
    assert (promotion.threshold, promotion.amount_off) == (Decimal("200.00"), Decimal("30.00"))
    assert promotion.is_running()
    coupon = Coupon.objects.get(code="WELCOME10")
    assert (coupon.value, coupon.min_spend, coupon.per_customer_limit) == (Decimal("10.00"), Decimal("100.00"), 1)
    assert coupon.ends_at - timezone.now() > timedelta(days=360)
    assert "coupon WELCOME10 already there" in messages
    grab = Coupon.objects.get(code="GRAB20")
    assert (grab.claimable, grab.claims_total, grab.claims_left) == (True, 100, 100)
    assert "coupon GRAB20 already there" in messages


def test_without_the_category_the_discount_is_skipped_politely():
    messages = []

    demo.seed(out=messages.append)

    assert not Discount.objects.exists()
    assert any("skipped the demo discount" in m for m in messages)
    assert Coupon.objects.filter(code="WELCOME10").exists()
