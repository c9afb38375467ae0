"""`points_quote` converts and caps known amounts exactly (the ledger side of checkout)."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.tests.factories import UserFactory
from points.errors import InsufficientPoints, InvalidPoints, PointsOverCap
from points.pricing import points_available, points_cap, points_quote
from points.tests.factories import earned

pytestmark = pytest.mark.django_db


@pytest.fixture
def rich():
    user = UserFactory()
    earned(user, 100_000)
    return user


@pytest.mark.parametrize(
    ("amount", "requested", "expected"),
    [
        (Decimal("200.00"), 10_000, (10_000, Decimal("100.00"))),  # exactly 50 %
        (Decimal("200.00"), 2_550, (2_550, Decimal("25.50"))),
        (Decimal("99.99"), 4_999, (4_999, Decimal("49.99"))),  # 49.995 caps down to 4,999
        (Decimal("0.01"), 0, (0, Decimal("0.00"))),
        (Decimal("50.00"), -10, (0, Decimal("0.00"))),
    ],
)
def test_points_quote_converts_100_points_to_one_unit(rich, amount, requested, expected):
    assert points_quote(user=rich, requested=requested, amount=amount) == expected


@pytest.mark.parametrize(
    ("amount", "cap"),
    [(Decimal("200.00"), 10_000), (Decimal("99.99"), 4_999), (Decimal("0.01"), 0),
     (Decimal("0.02"), 1), (Decimal("0.00"), 0), (Decimal("-5.00"), 0)],
)
def test_cap_is_half_the_amount_in_whole_points(amount, cap):
    assert points_cap(amount) == cap


def test_asking_for_more_than_the_cap_names_the_maximum(rich):
    with pytest.raises(PointsOverCap) as exc:
        points_quote(user=rich, requested=5_000, amount=Decimal("99.99"))
    body = exc.value.as_dict()
    assert body["code"] == "points_over_cap"
    assert body["max_points"] == 4_999
    assert "4,999 points" in body["detail"]
    assert exc.value.status == 400


def test_asking_for_more_than_the_balance_is_insufficient_points():
    user = UserFactory()
    earned(user, 300)
    with pytest.raises(InsufficientPoints) as exc:
        points_quote(user=user, requested=301, amount=Decimal("1000.00"))
    assert exc.value.status == 400
    assert points_quote(user=user, requested=300, amount=Decimal("1000.00")) == (300, Decimal("3.00"))


def test_anonymous_visitors_have_no_points_to_use():
    with pytest.raises(InsufficientPoints):
        points_quote(user=AnonymousUser(), requested=1, amount=Decimal("100.00"))


def test_fractional_points_are_refused(rich):
    with pytest.raises(InvalidPoints):
        points_quote(user=rich, requested=Decimal("10.5"), amount=Decimal("100.00"))


def test_the_cap_keeps_the_rounded_value_within_the_ratio(rich, settings):
    # 1,000 points = 1.00: 5 points are worth 0.005, which rounds half-up to 0.01 -- more
    # than half of 0.01. The cap stops at 4 points (0.004 rounds to 0.00).
    settings.SHOP_POINTS_PER_UNIT = 1000
    assert points_cap(Decimal("0.01")) == 4
    assert points_quote(user=rich, requested=4, amount=Decimal("0.01")) == (4, Decimal("0.00"))
    with pytest.raises(PointsOverCap):
        points_quote(user=rich, requested=5, amount=Decimal("0.01"))


def test_points_available_is_the_lower_of_cap_and_balance():
    user = UserFactory()
    earned(user, 3_000)
    assert points_available(user=user, amount=Decimal("100.00")) == (3_000, Decimal("30.00"))
    assert points_available(user=user, amount=Decimal("20.00")) == (1_000, Decimal("10.00"))
    assert points_available(user=AnonymousUser(), amount=Decimal("20.00")) == (0, Decimal("0.00"))
