"""The rules the tables keep themselves: clear messages in clean(), CHECKs in the database."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from marketing.models import Coupon, CouponRedemption, Discount, Kind, Promotion
from marketing.tests.factories import CouponFactory, DiscountFactory, PromotionFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
WINDOW = {"starts_at": NOW, "ends_at": NOW + timedelta(days=1)}


@pytest.mark.parametrize("model, fields, field, message", [
    (Discount, {"name": "x", "kind": Kind.PERCENT, "value": Decimal("0.00")}, "value",
     "A percentage must be more than 0 and at most 100."),
    (Discount, {"name": "x", "kind": Kind.FIXED, "value": Decimal("-1.00")}, "value",
     "A fixed amount off must be more than 0.00."),
    (Promotion, {"name": "x", "threshold": Decimal("100.00"), "amount_off": Decimal("0.00")}, "amount_off",
     "The amount off must be more than 0.00."),
    (Promotion, {"name": "x", "threshold": Decimal("100.00"), "amount_off": Decimal("5.00"), "tiers": "gold"},
     "tiers", 'Tiers must be a list of tier codes, e.g. ["gold", "platinum"].'),
    (Coupon, {"code": "X", "kind": Kind.FIXED, "value": Decimal("5.00"), "max_discount": Decimal("0.00")},
     "max_discount", "The cap must be more than 0.00 (leave it empty for no cap)."),
])
def test_clean_refuses_bad_values_with_a_clear_message(model, fields, field, message):
    with pytest.raises(ValidationError) as caught:
        model(**WINDOW, **fields).full_clean()

    assert caught.value.message_dict[field] == [message]


@pytest.mark.parametrize("factory, update", [
    (DiscountFactory, {"value": Decimal("100.01")}),
    (DiscountFactory, {"ends_at": NOW - timedelta(days=30)}),
    (PromotionFactory, {"amount_off": Decimal("500.00")}),
    (CouponFactory, {"usage_limit": 0}),
    (CouponFactory, {"per_customer_limit": 0}),
    (CouponFactory, {"kind": Kind.FIXED, "value": Decimal("0.00")}),
])
def test_the_database_refuses_what_clean_refuses(factory, update):
    row = factory()

    with pytest.raises(IntegrityError), transaction.atomic():
        type(row).objects.filter(pk=row.pk).update(**update)


def test_coupon_codes_are_unique_ignoring_case_in_the_database():
    CouponFactory(code="WELCOME10")

    with pytest.raises(IntegrityError), transaction.atomic():
        CouponFactory(code="welcome10")


def test_a_coupon_redemptions_reference_is_described_as_the_order_reference_it_stores():
    help_text = CouponRedemption._meta.get_field("reference").help_text
    assert "order:SO" in help_text
