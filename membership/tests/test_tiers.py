"""Tier validation: the ladder stays ordered, one tier starts at 0."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from membership.models import Tier
from membership.validators import tier_validate

pytestmark = pytest.mark.django_db


def new_tier(**fields) -> Tier:
    values = {"code": "new", "name": "Diamond", "rank": 5, "threshold": Decimal("50000.00"),
              "discount_percent": Decimal("10"), "points_multiplier": Decimal("3")}
    return Tier(**{**values, **fields})


def messages(exc: ValidationError) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_a_tier_that_keeps_the_ladder_in_order_is_valid(tiers):
    tier_validate(tier=new_tier())
    tier = tiers["gold"]
    tier.threshold = Decimal("19999.99")
    tier.full_clean()


def test_a_threshold_not_above_the_tier_below_is_rejected_with_names_and_amounts(tiers):
    with pytest.raises(ValidationError) as exc:
        new_tier(threshold=Decimal("20000.00")).full_clean()

    assert messages(exc) == {"threshold": [
        "Diamond (rank 5) needs a threshold above Platinum's ¥20,000.00 (rank 4): "
        "thresholds strictly increase with rank."
    ]}


def test_a_threshold_not_below_the_tier_above_is_rejected(tiers):
    silver = tiers["silver"]
    silver.threshold = Decimal("6000.00")

    with pytest.raises(ValidationError) as exc:
        silver.full_clean()

    assert messages(exc) == {"threshold": [
        "Silver (rank 2) needs a threshold below Gold's ¥5,000.00 (rank 3): "
        "thresholds strictly increase with rank."
    ]}


def test_a_rank_already_taken_is_rejected(tiers):
    with pytest.raises(ValidationError) as exc:
        new_tier(rank=3, threshold=Decimal("3000.00")).full_clean()

    assert messages(exc) == {"rank": ["Rank 3 is already Gold's; each tier has its own rank."]}


def test_a_higher_rank_with_a_lower_threshold_is_rejected(tiers):
    with pytest.raises(ValidationError) as exc:
        new_tier(rank=5, threshold=Decimal("4000.00")).full_clean()

    assert messages(exc)["threshold"][0].startswith(
        "Diamond (rank 5) needs a threshold above Platinum's ¥20,000.00"
    )


def test_a_second_tier_starting_at_zero_is_rejected(tiers):
    with pytest.raises(ValidationError) as exc:
        new_tier(rank=0, threshold=Decimal("0")).full_clean()

    assert messages(exc)["threshold"] == [
        "Regular already starts at ¥0.00: only one tier, the lowest, has threshold 0."
    ]


def test_the_lowest_tier_must_start_at_zero(tiers):
    regular = tiers["regular"]
    regular.threshold = Decimal("10.00")
    with pytest.raises(ValidationError) as exc:
        regular.full_clean()
    assert "The lowest tier starts at ¥0.00" in messages(exc)["threshold"][0]


def test_the_first_tier_must_start_at_zero(db):
    with pytest.raises(ValidationError) as exc:
        new_tier(rank=1).full_clean()
    assert "The lowest tier starts at ¥0.00" in messages(exc)["threshold"][0]
    new_tier(rank=1, threshold=Decimal("0")).full_clean()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("discount_percent", "100.01", "A member discount is between 0 and 100 %."),
     ("discount_percent", "-1", "A member discount is between 0 and 100 %."),
     ("points_multiplier", "0.99", "The points multiplier is at least 1 (1 means no bonus).")],
)
def test_discount_and_multiplier_out_of_range_are_rejected(tiers, field, value, message):
    with pytest.raises(ValidationError) as exc:
        tier_validate(tier=new_tier(**{field: Decimal(value)}))
    assert messages(exc) == {field: [message]}
