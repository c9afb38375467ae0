"""Racing redemptions on PostgreSQL never take the balance below zero."""

import pytest

from accounts.tests.factories import UserFactory
from points.errors import InsufficientPoints
from points.models import LedgerEntry, Lot
from points.selectors import balance_for, points_discrepancies
from points.services import points_redeem
from points.tests.factories import earned
from shop.testing import run_concurrently


def redeem_outcome(*, user, points, reference) -> str:
    try:
        points_redeem(user=user, points=points, reference=reference)
    except InsufficientPoints:
        return "insufficient_points"
    return "redeemed"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_checkouts_each_redeeming_the_whole_balance_succeed_exactly_once():
    user = UserFactory()
    earned(user, 300)
    earned(user, 700)

    results = run_concurrently(
        20, lambda i: redeem_outcome(user=user, points=1000, reference=f"order:SORACE{i:02d}")
    )

    assert sorted(map(str, results)) == ["insufficient_points"] * 19 + ["redeemed"]
    assert balance_for(user) == 0
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REDEEM).count() == 1
    assert list(Lot.objects.values_list("remaining", flat=True)) == [0, 0]
    assert points_discrepancies() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_calls_redeeming_for_one_order_debit_once():
    user = UserFactory()
    earned(user, 1000)

    results = run_concurrently(
        20, lambda i: redeem_outcome(user=user, points=100, reference="order:SOSAME")
    )

    assert results == ["redeemed"] * 20  # the same order asked twenty times: one debit
    assert balance_for(user) == 900
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REDEEM).count() == 1
