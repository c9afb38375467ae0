"""Any sequence of ledger operations keeps the books straight.

A hypothesis state machine awards, redeems, refunds, reverses, expires and adjusts with the
clock moving forward; after every step the stored balance equals the ledger sum, the lots'
remainders add up to the balance, and nothing is negative.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Sum
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from accounts.tests.factories import StaffFactory, UserFactory
from points.errors import InsufficientPoints
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


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.clock = datetime(2026, 1, 1, tzinfo=UTC)
        self.counter = 0
        self.awarded: list[str] = []
        self.redeemed: list[str] = []

    @initialize()
    def make_shoppers(self):
        self.user = UserFactory()
        self.bystander = UserFactory()  # another account the operations must never touch
        points_award(user=self.bystander, points=777, reference="order:BYSTANDER", at=self.clock)
        self.staff = StaffFactory()

    def teardown(self):
        # Every example runs inside the one test transaction: remove its ledger (entries,
        # lots and uses go with the accounts by cascade); the users are rolled back at the end.
        PointsAccount.objects.all().delete()

    def reference(self) -> str:
        self.counter += 1
        return f"order:SOM{self.counter:05d}"

    def balance(self) -> int:
        return balance_for(self.user)

    # --- operations ---------------------------------------------------------------------

    @rule(points=st.integers(min_value=1, max_value=1000))
    def award(self, points):
        before, reference = self.balance(), self.reference()
        entry = points_award(user=self.user, points=points, reference=reference, at=self.clock)
        assert entry.delta == points
        assert self.balance() == before + points
        self.awarded.append(reference)

    @rule(points=st.integers(min_value=1, max_value=2500))
    def redeem(self, points):
        before, reference = self.balance(), self.reference()
        if points > before:
            with pytest.raises(InsufficientPoints):
                points_redeem(user=self.user, points=points, reference=reference, at=self.clock)
            assert self.balance() == before
        else:
            points_redeem(user=self.user, points=points, reference=reference, at=self.clock)
            assert self.balance() == before - points
            self.redeemed.append(reference)

    @precondition(lambda self: self.redeemed)
    @rule(data=st.data())
    def refund(self, data):
        reference = data.draw(st.sampled_from(self.redeemed))
        before = self.balance()
        already = LedgerEntry.objects.filter(kind="refund", reference=reference).exists()
        entry = points_refund(reference=reference, at=self.clock)
        redeemed = -LedgerEntry.objects.get(kind="redeem", reference=reference).delta
        assert entry.delta == redeemed
        assert self.balance() == before + (0 if already else redeemed)

    @precondition(lambda self: self.awarded)
    @rule(data=st.data())
    def reverse(self, data):
        reference = data.draw(st.sampled_from(self.awarded))
        before = self.balance()
        already = LedgerEntry.objects.filter(kind="reverse", reference=reference).exists()
        entry = points_reverse(reference=reference, at=self.clock)
        assert entry.delta <= 0 and entry.shortfall >= 0
        assert self.balance() == before + (0 if already else entry.delta)

    @rule(points=st.integers(min_value=-1500, max_value=1500).filter(bool))
    def adjust(self, points):
        before = self.balance()
        if before + points < 0:
            with pytest.raises(InsufficientPoints):
                points_adjust(user=self.user, delta=points, reason="test", by=self.staff,
                              at=self.clock)
            assert self.balance() == before
        else:
            points_adjust(user=self.user, delta=points, reason="test", by=self.staff, at=self.clock)
            assert self.balance() == before + points

    @rule(days=st.integers(min_value=0, max_value=400))
    def time_passes(self, days):
        self.clock += timedelta(days=days)

    @rule()
    def expire(self):
        points_expire(at=self.clock)
        assert not Lot.objects.filter(expires_at__lte=self.clock, remaining__gt=0).exists()
        assert points_expire(at=self.clock) == 0  # a second run expires nothing more

    # --- the books ----------------------------------------------------------------------

    @invariant()
    def balance_equals_ledger_sum_and_lot_remainders(self):
        for account in PointsAccount.objects.filter(user__in=[self.user, self.bystander]):
            ledger = account.entries.aggregate(total=Sum("delta"))["total"] or 0
            lots = account.lots.aggregate(total=Sum("remaining"))["total"] or 0
            assert account.balance == ledger == lots
            assert account.balance >= 0
        assert points_discrepancies() == []

    @invariant()
    def no_lot_is_negative_or_over_full(self):
        for lot in Lot.objects.all():
            assert 0 <= lot.remaining <= lot.points

    @invariant()
    def the_bystander_is_untouched(self):
        # The bystander's one lot expires a year in; expiry may take it, nothing else may.
        assert balance_for(self.bystander) in (0, 777)


@pytest.mark.django_db
def test_any_sequence_of_ledger_operations_keeps_balance_ledger_and_lots_equal():
    run_state_machine_as_test(
        LedgerMachine,
        settings=hsettings(max_examples=30, stateful_step_count=25, deadline=None),
    )
