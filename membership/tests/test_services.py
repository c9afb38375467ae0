"""Spend, upgrades, refunds and history, membership side."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.signals import user_registered
from accounts.tests.factories import UserFactory
from membership.errors import InvalidSpend
from membership.models import Membership, SpendRecord, TierChange
from membership.selectors import spend_in_window, tier_for_spend
from membership.services import (
    membership_evaluate,
    membership_get,
    spend_record,
    spend_reverse,
)
from membership.tests.factories import SpendRecordFactory, tier_ladder

pytestmark = pytest.mark.django_db


def test_a_registered_user_gets_a_membership_on_the_lowest_tier_with_a_joined_row(tiers):
    user = UserFactory()

    user_registered.send(sender=User, user=user, request=None)

    membership = Membership.objects.get(user=user)
    assert membership.tier == tiers["regular"]
    change = membership.changes.get()
    assert (change.from_tier, change.to_tier, change.reason) == (
        None, tiers["regular"], TierChange.Reason.JOINED
    )


def test_a_user_made_outside_sign_up_gets_a_membership_when_first_read(tiers):
    admin = User.objects.create_superuser("boss@example.com", "pw-12345678")

    assert membership_get(admin).tier == tiers["regular"]
    assert Membership.objects.filter(user=admin).count() == 1
    membership_get(admin)
    assert Membership.objects.filter(user=admin).count() == 1


def test_a_user_who_joined_before_any_tier_existed_is_placed_once_tiers_exist(db):
    user = UserFactory()
    user_registered.send(sender=User, user=user, request=None)
    assert Membership.objects.get(user=user).tier is None

    ladder = tier_ladder()
    assert membership_get(user).tier == ladder["regular"]


@pytest.mark.parametrize(
    ("spend", "code"),
    [("0.00", "regular"), ("999.99", "regular"), ("1000.00", "silver"), ("4999.99", "silver"),
     ("5000.00", "gold"), ("20000.00", "platinum"), ("1000000.00", "platinum")],
)
def test_the_tier_for_a_spend_is_the_highest_threshold_reached(tiers, spend, code):
    assert tier_for_spend(spend=Decimal(spend)) == tiers[code]


def test_spend_that_crosses_a_threshold_upgrades_at_once_with_a_history_row(tiers):
    user = UserFactory()
    spend_record(user=user, reference="order:SO1", amount=Decimal("800.00"))
    assert membership_get(user).tier == tiers["regular"]

    spend_record(user=user, reference="order:SO2", amount=Decimal("200.00"))

    membership = membership_get(user)
    assert membership.tier == tiers["silver"]
    assert membership.spend_365d == Decimal("1000.00")
    upgrade = membership.changes.exclude(reason=TierChange.Reason.JOINED).get()
    assert (upgrade.from_tier, upgrade.to_tier, upgrade.reason, upgrade.reference, upgrade.spend) == (
        tiers["regular"], tiers["silver"], TierChange.Reason.ORDER, "order:SO2", Decimal("1000.00")
    )


def test_recording_the_same_reference_twice_counts_once(tiers):
    user = UserFactory()

    first = spend_record(user=user, reference="order:SO1", amount=Decimal("600.00"))
    second = spend_record(user=user, reference="order:SO1", amount=Decimal("600.00"))

    assert first.pk == second.pk
    assert SpendRecord.objects.filter(user=user).count() == 1
    assert spend_in_window(user=user) == Decimal("600.00")
    assert membership_get(user).tier == tiers["regular"]


def test_a_negative_spend_is_refused(tiers):
    with pytest.raises(InvalidSpend):
        spend_record(user=UserFactory(), reference="order:SO1", amount=Decimal("-1.00"))
    assert not SpendRecord.objects.exists()


def test_a_reversed_spend_downgrades_below_the_tier_with_a_refund_row(tiers):
    user = UserFactory()
    spend_record(user=user, reference="order:SO1", amount=Decimal("700.00"))
    spend_record(user=user, reference="order:SO2", amount=Decimal("4500.00"))
    assert membership_get(user).tier == tiers["gold"]

    spend_reverse(reference="order:SO2")

    membership = membership_get(user)
    assert membership.tier == tiers["regular"]
    assert membership.spend_365d == Decimal("700.00")
    last = membership.changes.first()
    assert (last.from_tier, last.to_tier, last.reason, last.reference) == (
        tiers["gold"], tiers["regular"], TierChange.Reason.REFUND, "order:SO2"
    )


def test_a_reversal_that_leaves_the_spend_above_the_threshold_keeps_the_tier(tiers):
    user = UserFactory()
    spend_record(user=user, reference="order:SO1", amount=Decimal("6000.00"))
    spend_record(user=user, reference="order:SO2", amount=Decimal("100.00"))

    spend_reverse(reference="order:SO2")

    membership = membership_get(user)
    assert membership.tier == tiers["gold"]
    assert membership.spend_365d == Decimal("6000.00")
    assert not membership.changes.filter(reason=TierChange.Reason.REFUND).exists()


def test_reversing_twice_or_an_unknown_reference_changes_nothing(tiers):
    user = UserFactory()
    spend_record(user=user, reference="order:SO1", amount=Decimal("1500.00"))
    spend_record(user=user, reference="order:SO2", amount=Decimal("500.00"))

    assert spend_reverse(reference="order:SO2") is not None
    assert spend_reverse(reference="order:SO2") is None
    assert spend_reverse(reference="order:NOPE") is None

    assert spend_in_window(user=user) == Decimal("1500.00")
    assert membership_get(user).changes.filter(reason=TierChange.Reason.REFUND).count() == 0


def test_evaluating_twice_writes_history_once(tiers):
    user = UserFactory()
    SpendRecordFactory(user=user, amount=Decimal("5000.00"))

    membership_evaluate(user=user)
    membership_evaluate(user=user)

    membership = membership_get(user)
    assert membership.tier == tiers["gold"]
    assert membership.changes.filter(reason=TierChange.Reason.STAFF).count() == 1


def test_evaluation_sets_the_review_time_to_when_the_oldest_spend_leaves_the_window(tiers):
    user = UserFactory()
    old = timezone.now() - timedelta(days=100)
    SpendRecordFactory(user=user, amount=Decimal("10.00"), at=old)
    SpendRecordFactory(user=user, amount=Decimal("10.00"), at=old + timedelta(days=5))

    membership = membership_evaluate(user=user)

    assert membership.review_at == old + timedelta(days=365)


def test_spend_of_another_user_never_counts(tiers):
    user, other = UserFactory(), UserFactory()
    spend_record(user=other, reference="order:SO1", amount=Decimal("9000.00"))

    assert spend_in_window(user=user) == Decimal("0.00")
    assert membership_get(user).tier == tiers["regular"]
