"""Settlement may run twice at once: spend still counts once (PostgreSQL, real threads)."""

from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from membership.models import SpendRecord, TierChange
from membership.services import membership_get, spend_record
from membership.tests.factories import tier_ladder
from shop.testing import run_concurrently


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_reference_recorded_by_two_settlements_at_once_counts_once():
    tiers = tier_ladder()
    user = UserFactory()
    membership_get(user)

    results = run_concurrently(
        2, lambda i: spend_record(user=user, reference="order:SO1", amount=Decimal("1000.00")).pk
    )

    assert results[0] == results[1]
    assert SpendRecord.objects.filter(user=user).count() == 1
    membership = membership_get(user)
    assert (membership.tier, membership.spend_365d) == (tiers["silver"], Decimal("1000.00"))
    assert membership.changes.filter(reason=TierChange.Reason.ORDER).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_orders_settled_at_once_both_count_and_upgrade_once():
    tiers = tier_ladder()
    user = UserFactory()
    membership_get(user)

    run_concurrently(
        2, lambda i: spend_record(user=user, reference=f"order:SO{i}", amount=Decimal("2500.00"))
    )

    membership = membership_get(user)
    assert (membership.tier, membership.spend_365d) == (tiers["gold"], Decimal("5000.00"))
    upgrades = membership.changes.filter(reason=TierChange.Reason.ORDER)
    assert sorted((c.from_tier.code, c.to_tier.code) for c in upgrades) == [
        ("regular", "silver"), ("silver", "gold")
    ]
