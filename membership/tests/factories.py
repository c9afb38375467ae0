"""Factories for membership: tiers (and the standard four-tier ladder), spend records."""

from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from membership.models import SpendRecord, Tier


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tier
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"tier-{n}")
    name = factory.LazyAttribute(lambda o: o.code.title())
    rank = factory.Sequence(lambda n: n + 1)
    threshold = factory.Sequence(lambda n: Decimal(n * 1000))
    discount_percent = Decimal("0")
    points_multiplier = Decimal("1")
    free_shipping = False


# The demo ladder (docs/points-and-membership.md): code, name, rank, threshold, discount, ×, free.
LADDER = [
    ("regular", "Regular", 1, "0.00", "0.00", "1.00", False),
    ("silver", "Silver", 2, "1000.00", "2.00", "1.20", False),
    ("gold", "Gold", 3, "5000.00", "5.00", "1.50", True),
    ("platinum", "Platinum", 4, "20000.00", "8.00", "2.00", True),
]


def tier_ladder() -> dict[str, Tier]:
    """Create Regular, Silver, Gold and Platinum (idempotent by code); return them by code."""
    return {
        code: TierFactory(code=code, name=name, rank=rank, threshold=Decimal(threshold),
                          discount_percent=Decimal(discount),
                          points_multiplier=Decimal(multiplier), free_shipping=free)
        for code, name, rank, threshold, discount, multiplier, free in LADDER
    }


class SpendRecordFactory(factory.django.DjangoModelFactory):
    """A raw spend row (no evaluation): use services.spend_record to move tiers."""

    class Meta:
        model = SpendRecord

    user = factory.SubFactory(UserFactory)
    reference = factory.Sequence(lambda n: f"order:SO-TEST-{n:05d}")
    amount = Decimal("100.00")
    at = factory.LazyFunction(timezone.now)
