"""Tier validation: the ladder rule, run by Tier.clean() (the other tiers are read here).

No import of membership.models: the models import this module. The other tiers are read
through `type(tier).objects`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from shop.money import format_money

if TYPE_CHECKING:
    from membership.models import Tier


def tier_validate(*, tier: Tier) -> None:
    """Raise ValidationError (by field) if saving `tier` would break the ladder.

    The ladder: thresholds strictly increase with rank, exactly one tier (the lowest) starts
    at 0, discount 0–100 %, multiplier ≥ 1. Run by Tier.clean(), so the admin, tier_save
    and every form get the same messages.
    """
    errors: dict[str, str] = {}
    if tier.discount_percent is not None and not (0 <= tier.discount_percent <= 100):
        errors["discount_percent"] = "A member discount is between 0 and 100 %."
    if tier.points_multiplier is not None and tier.points_multiplier < 1:
        errors["points_multiplier"] = "The points multiplier is at least 1 (1 means no bonus)."
    if tier.threshold is not None and tier.threshold < 0:
        errors["threshold"] = "A spend threshold is 0 or more."
    if tier.rank is not None and tier.threshold is not None and "threshold" not in errors:
        errors.update(_ladder_errors(tier))
    if errors:
        raise ValidationError(errors)


def _ladder_errors(tier: Tier) -> dict[str, str]:
    """Return what is wrong with `tier`'s place among the other tiers (empty if nothing)."""
    others = list(type(tier).objects.exclude(pk=tier.pk).order_by("rank")) if tier.pk else list(
        type(tier).objects.order_by("rank")
    )
    same_rank = next((t for t in others if t.rank == tier.rank), None)
    if same_rank is not None:
        return {"rank": f"Rank {tier.rank} is already {same_rank.name}'s; each tier has its own rank."}
    below = [t for t in others if t.rank < tier.rank]
    above = [t for t in others if t.rank > tier.rank]
    if tier.threshold == 0:
        starter = next((t for t in others if t.threshold == 0), None)
        if starter is not None:
            return {"threshold": f"{starter.name} already starts at {format_money(0)}: only one "
                                 "tier, the lowest, has threshold 0."}
        if below:
            return {"threshold": f"Only the lowest tier starts at {format_money(0)}; "
                                 f"{below[-1].name} (rank {below[-1].rank}) ranks below this one."}
    elif not below:
        return {"threshold": f"The lowest tier starts at {format_money(0)} so every member has "
                             "a tier; give this tier threshold 0 or a higher rank."}
    name = tier.name or "This tier"
    if below and tier.threshold <= below[-1].threshold:
        lower = below[-1]
        return {"threshold": f"{name} (rank {tier.rank}) needs a threshold above {lower.name}'s "
                             f"{format_money(lower.threshold)} (rank {lower.rank}): thresholds "
                             "strictly increase with rank."}
    if above and tier.threshold >= above[0].threshold:
        higher = above[0]
        return {"threshold": f"{name} (rank {tier.rank}) needs a threshold below {higher.name}'s "
                             f"{format_money(higher.threshold)} (rank {higher.rank}): thresholds "
                             "strictly increase with rank."}
    return {}
