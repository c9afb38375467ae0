"""The ledger services one by one: idempotency, FIFO, expiry, refund, reverse, adjust."""

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError
from django.utils import timezone

from accounts.tests.factories import StaffFactory, UserFactory
from points.errors import InsufficientPoints, InvalidPoints, ReasonRequired
from points.models import LedgerEntry, Lot, PointsAccount
from points.selectors import balance_for, points_discrepancies
from points.services import (
    points_adjust,
    points_award,
    points_expire,
    points_redeem,
    points_refund,
    points_reverse,
)
from points.tests.factories import earned

pytestmark = pytest.mark.django_db
Kind = LedgerEntry.Kind


def lots_of(user):
    return list(Lot.objects.filter(account__user=user).order_by("expires_at", "pk")
                .values_list("remaining", flat=True))


# --- Once per reference ----------------------------------------------------------------


def test_award_twice_for_one_reference_credits_once():
    user = UserFactory()
    first = points_award(user=user, points=300, reference="order:SO1")
    second = points_award(user=user, points=300, reference="order:SO1")
    assert second == first
    assert balance_for(user) == 300
    assert LedgerEntry.objects.filter(kind=Kind.EARN).count() == 1


def test_redeem_twice_for_one_reference_debits_once():
    user = UserFactory()
    earned(user, 500)
    first = points_redeem(user=user, points=200, reference="order:SO2")
    second = points_redeem(user=user, points=200, reference="order:SO2")
    assert second == first
    assert balance_for(user) == 300


def test_reverse_twice_for_one_reference_takes_back_once():
    user = UserFactory()
    earned(user, 100)
    points_award(user=user, points=400, reference="order:SO3")
    first = points_reverse(reference="order:SO3")
    second = points_reverse(reference="order:SO3")
    assert second == first
    assert first.delta == -400
    assert balance_for(user) == 100


def test_refund_twice_for_one_reference_gives_back_once():
    user = UserFactory()
    earned(user, 500)
    points_redeem(user=user, points=200, reference="order:SO4")
    first = points_refund(reference="order:SO4")
    second = points_refund(reference="order:SO4")
    assert second == first
    assert balance_for(user) == 500


def test_the_database_refuses_a_second_entry_of_one_kind_and_reference():
    user = UserFactory()
    entry = points_award(user=user, points=10, reference="order:SO5")
    with pytest.raises(IntegrityError):
        LedgerEntry.objects.create(account=entry.account, delta=10, kind=Kind.EARN,
                                   reference="order:SO5")


def test_award_of_zero_or_fewer_points_writes_nothing():
    user = UserFactory()
    assert points_award(user=user, points=0, reference="order:SO6") is None
    assert points_award(user=user, points=-5, reference="order:SO7") is None
    assert not LedgerEntry.objects.exists()


def test_award_refuses_fractional_points():
    with pytest.raises(InvalidPoints):
        points_award(user=UserFactory(), points=1.5, reference="order:SO8")


def test_refund_and_reverse_of_an_order_without_points_do_nothing():
    assert points_refund(reference="order:NONE") is None
    assert points_reverse(reference="order:NONE") is None
    assert not LedgerEntry.objects.exists()


# --- Redeem -----------------------------------------------------------------------------


def test_redeem_more_than_the_balance_is_refused_and_changes_nothing():
    user = UserFactory()
    earned(user, 100)
    with pytest.raises(InsufficientPoints) as exc:
        points_redeem(user=user, points=101, reference="order:SO9")
    assert exc.value.code == "insufficient_points"
    assert balance_for(user) == 100
    assert not LedgerEntry.objects.filter(kind=Kind.REDEEM).exists()


def test_redeem_without_an_account_is_insufficient():
    with pytest.raises(InsufficientPoints):
        points_redeem(user=UserFactory(), points=1, reference="order:SO10")


# --- FIFO and expiry with the clock moved -----------------------------------------------


def test_redemption_uses_the_oldest_lot_first():
    user = UserFactory()
    with time_machine.travel("2026-01-01 00:00Z", tick=False):
        earned(user, 100)
    with time_machine.travel("2026-03-01 00:00Z", tick=False):
        earned(user, 200)
        points_redeem(user=user, points=150, reference="order:SO11")
    assert lots_of(user) == [0, 150]


def test_expiry_takes_exactly_what_is_left_of_lots_past_their_date_and_only_once(settings):
    settings.SHOP_POINTS_EXPIRY_DAYS = 365
    user = UserFactory()
    with time_machine.travel("2026-01-01 00:00Z", tick=False):
        earned(user, 100)
    with time_machine.travel("2026-06-01 00:00Z", tick=False):
        earned(user, 200)
        points_redeem(user=user, points=60, reference="order:SO12")  # 40 left of the first lot
    with time_machine.travel("2027-01-01 00:00Z", tick=False):  # first lot's date, not second's
        assert points_expire() == 40
        assert points_expire() == 0  # twice: nothing more
    assert balance_for(user) == 200
    assert lots_of(user) == [0, 200]
    expiry = LedgerEntry.objects.get(kind=Kind.EXPIRE)
    assert expiry.delta == -40
    with time_machine.travel("2027-06-02 00:00Z", tick=False):
        assert points_expire() == 200
    assert balance_for(user) == 0
    assert points_discrepancies() == []


def test_expiry_leaves_lots_before_their_date_alone():
    user = UserFactory()
    now = timezone.now()
    earned(user, 100, at=now)
    assert points_expire(at=now + timedelta(days=364)) == 0
    assert balance_for(user) == 100


def test_expiry_walks_every_account_in_batches():
    users = UserFactory.create_batch(5)
    long_ago = timezone.now() - timedelta(days=400)
    for user in users:
        earned(user, 10, at=long_ago)
    assert points_expire(batch_size=2) == 50
    assert sum(balance_for(user) for user in users) == 0


# --- Refund (cancel) --------------------------------------------------------------------


def test_refund_puts_points_back_into_the_lots_they_came_from():
    user = UserFactory()
    start = timezone.now()
    earned(user, 100, at=start)
    earned(user, 100, at=start + timedelta(days=1))
    points_redeem(user=user, points=150, reference="order:SO13")
    assert lots_of(user) == [0, 50]
    points_refund(reference="order:SO13")
    assert lots_of(user) == [100, 100]
    assert balance_for(user) == 200


def test_refunded_points_of_a_lot_past_its_date_expire_at_the_next_run():
    user = UserFactory()
    start = timezone.now() - timedelta(days=366)
    earned(user, 100, at=start)
    points_redeem(user=user, points=100, reference="order:SO14", at=start + timedelta(days=1))
    assert points_expire() == 0  # nothing left in the lot
    points_refund(reference="order:SO14")
    assert balance_for(user) == 100
    assert points_expire() == 100
    assert balance_for(user) == 0
    assert points_discrepancies() == []


# --- Reverse (refund of a paid order) ---------------------------------------------------


def test_reverse_never_goes_below_zero_and_records_the_shortfall():
    user = UserFactory()
    points_award(user=user, points=500, reference="order:SO15")
    points_redeem(user=user, points=450, reference="order:SO16")
    entry = points_reverse(reference="order:SO15")
    assert entry.delta == -50
    assert entry.shortfall == 450
    assert balance_for(user) == 0
    assert points_discrepancies() == []


def test_reverse_takes_the_awards_own_lot_before_older_ones():
    user = UserFactory()
    start = timezone.now()
    earned(user, 100, at=start)
    points_award(user=user, points=300, reference="order:SO17", at=start + timedelta(days=1))
    points_reverse(reference="order:SO17")
    assert lots_of(user) == [100, 0]


def test_reverse_does_not_take_back_points_of_the_award_that_already_expired():
    user = UserFactory()
    start = timezone.now() - timedelta(days=400)
    points_award(user=user, points=300, reference="order:SO18", at=start)
    points_expire()
    earned(user, 500)
    entry = points_reverse(reference="order:SO18")
    assert entry.delta == 0
    assert entry.shortfall == 0
    assert balance_for(user) == 500


# --- Adjust -----------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_staff_adjustment_without_a_reason_is_refused(reason):
    user = UserFactory()
    with pytest.raises(ReasonRequired):
        points_adjust(user=user, delta=100, reason=reason, by=StaffFactory())
    assert not LedgerEntry.objects.exists()


def test_staff_adjustment_up_and_down_with_a_reason():
    user, staff = UserFactory(), StaffFactory()
    up = points_adjust(user=user, delta=300, reason="Goodwill: late parcel", by=staff)
    down = points_adjust(user=user, delta=-100, reason="Duplicate goodwill", by=staff)
    assert (up.kind, up.created_by, up.reason) == (Kind.ADJUST, staff, "Goodwill: late parcel")
    assert up.reference != down.reference
    assert balance_for(user) == 200
    assert lots_of(user) == [200]


def test_staff_adjustment_never_takes_the_balance_below_zero():
    user = UserFactory()
    earned(user, 50)
    with pytest.raises(InsufficientPoints):
        points_adjust(user=user, delta=-51, reason="Clawback", by=StaffFactory())
    assert balance_for(user) == 50


def test_the_database_refuses_a_negative_balance():
    account = PointsAccount.objects.create(user=UserFactory())
    with pytest.raises(IntegrityError):
        PointsAccount.objects.filter(pk=account.pk).update(balance=-1)


def test_ledger_entries_cannot_be_edited_or_deleted():
    entry = points_award(user=UserFactory(), points=10, reference="order:SO19")
    entry.delta = 1000
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
