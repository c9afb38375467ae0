"""Demo data: the four tiers and a shopper in each tier above Regular, idempotently."""

from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User
from membership import demo
from membership.models import SpendRecord, Tier
from membership.services import membership_get

pytestmark = pytest.mark.django_db


def test_the_demo_makes_the_four_tiers_and_a_shopper_in_each_twice_safely():
    demo.seed(out=lambda message: None)
    demo.seed(out=lambda message: None)

    assert [(t.code, t.threshold, t.discount_percent, t.points_multiplier, t.free_shipping)
            for t in Tier.objects.order_by("rank")] == [
        ("regular", Decimal("0.00"), Decimal("0.00"), Decimal("1.00"), False),
        ("silver", Decimal("1000.00"), Decimal("2.00"), Decimal("1.20"), False),
        ("gold", Decimal("5000.00"), Decimal("5.00"), Decimal("1.50"), True),
        ("platinum", Decimal("20000.00"), Decimal("8.00"), Decimal("2.00"), True),
    ]
    for code in ("silver", "gold", "platinum"):
        user = User.objects.get(email=f"{code}@example.com")
        assert user.check_password(demo.DEMO_PASSWORD)
        assert EmailAddress.objects.get(user=user).verified
        assert membership_get(user).tier.code == code
        assert SpendRecord.objects.filter(user=user).count() == 1


def test_the_demo_places_a_shopper_who_signed_up_before_the_tiers(db):
    early = User.objects.create_user("demo@example.com", "pw-12345678")

    demo.seed(out=lambda message: None)

    assert membership_get(early).tier.code == "regular"
