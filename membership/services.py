"""Membership's write API: memberships, spend records, tier evaluation, tier validation."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min, Q, Sum
from django.utils import timezone

from membership.errors import InvalidSpend
from membership.models import Membership, SpendRecord, Tier, TierChange
from membership.selectors import spend_counted, tier_lowest
from shop.money import ZERO, format_money, money

REVIEW_BATCH_SIZE = 500


# --- Tiers ------------------------------------------------------------------------------


def tier_for_spend(spend: Decimal) -> Tier | None:
    """Return the best tier `spend` reaches (the lowest tier for no spend; None if no tiers)."""
    # Thresholds strictly increase with rank (tier_validate), so the highest threshold
    # reached is also the highest rank reached.
    return Tier.objects.filter(threshold__lte=spend).order_by("-rank").first() or tier_lowest()


def tier_validate(*, tier: Tier) -> None:
    """Raise ValidationError (by field) if saving `tier` would break the ladder.

    The ladder: thresholds strictly increase with rank, exactly one tier (the lowest) starts
    at 0, discount 0–100 %, multiplier ≥ 1. Used by Tier.clean(), so the admin and every
    form get the same messages.
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
    others = list(Tier.objects.exclude(pk=tier.pk).order_by("rank")) if tier.pk else list(
        Tier.objects.order_by("rank")
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


# --- Memberships ------------------------------------------------------------------------


def membership_get(user) -> Membership:
    """Return the user's membership, creating it on the lowest tier the first time.

    Every read goes through here, so users made outside sign-up (admin, createsuperuser)
    have a membership too.
    """
    membership = Membership.objects.select_related("tier").filter(user_id=user.pk).first()
    if membership is None:
        membership = _membership_create(user)
    elif membership.tier_id is None and Tier.objects.exists():
        # Signed up before any tier existed: place them now.
        membership = membership_evaluate(user=user, reason=TierChange.Reason.JOINED)
    membership.user = user
    return membership


@transaction.atomic
def _membership_create(user) -> Membership:
    tier = tier_lowest()
    # get_or_create: two first requests of a new user race on the unique user column;
    # the loser reads the winner's row.
    membership, created = Membership.objects.get_or_create(user_id=user.pk, defaults={"tier": tier})
    if created and tier is not None:
        TierChange.objects.create(
            membership=membership, from_tier=None, to_tier=tier,
            reason=TierChange.Reason.JOINED, spend=ZERO, created_at=membership.created_at,
        )
    return membership


def _membership_locked(user) -> Membership:
    """Return the user's membership row locked for this transaction, creating it if needed."""
    membership = Membership.objects.select_for_update().filter(user_id=user.pk).first()
    if membership is None:
        _membership_create(user)
        membership = Membership.objects.select_for_update().get(user_id=user.pk)
    return membership


@transaction.atomic
def membership_evaluate(*, user, at: datetime | None = None,
                        reason: str = TierChange.Reason.STAFF, reference: str = "") -> Membership:
    """Recompute the user's spend in the window and move them to the tier it reaches.

    Upgrades and downgrades alike write a TierChange row; nothing changes if the tier
    is already right, so running it twice is harmless.
    """
    at = at or timezone.now()
    # Locked: a settlement and the daily task re-evaluating one member at once must not
    # both write a change from the same old tier.
    membership = _membership_locked(user)
    counted = spend_counted(user_id=user.pk, at=at).aggregate(total=Sum("amount"), oldest=Min("at"))
    spend = money(counted["total"] or ZERO)
    tier = tier_for_spend(spend)
    membership.spend_365d = spend
    membership.evaluated_at = at
    # The next moment the spend can drop: when the oldest counted record leaves the window.
    membership.review_at = (
        counted["oldest"] + timedelta(days=settings.SHOP_MEMBERSHIP_WINDOW_DAYS)
        if counted["oldest"] else None
    )
    if tier is not None and tier.pk != membership.tier_id:
        TierChange.objects.create(
            membership=membership, from_tier_id=membership.tier_id, to_tier=tier,
            reason=reason, reference=reference, spend=spend, created_at=at,
        )
        membership.tier = tier
    membership.save(update_fields=["tier", "spend_365d", "evaluated_at", "review_at"])
    return membership


# --- Spend ------------------------------------------------------------------------------


@transaction.atomic
def spend_record(*, user, reference: str, amount: Decimal, at: datetime | None = None) -> SpendRecord:
    """Record spend for an order (idempotent per reference) and move the tier at once.

    `amount` is what the shopper paid minus shipping. A second call with the same
    reference returns the first record and changes nothing.
    """
    amount = money(amount)
    if amount < 0:
        raise InvalidSpend(f"A spend amount is 0 or more, not {amount}.")
    # Lock order: membership row, then the spend record (spend_reverse does the same).
    _membership_locked(user)
    record, created = SpendRecord.objects.get_or_create(
        reference=reference,
        defaults={"user_id": user.pk, "amount": amount, "at": at or timezone.now()},
    )
    if created:
        membership_evaluate(user=user, reason=TierChange.Reason.ORDER, reference=reference)
    return record


@transaction.atomic
def spend_reverse(*, reference: str) -> SpendRecord | None:
    """Reverse the spend of a refunded order, once, and re-evaluate (may downgrade).

    Return the reversed record, or None if there was nothing (left) to reverse.
    """
    record = SpendRecord.objects.select_related("user").filter(reference=reference).first()
    if record is None:
        return None
    _membership_locked(record.user)
    # A conditional UPDATE: two refunds racing reverse the spend once.
    now = timezone.now()
    reversed_now = SpendRecord.objects.filter(pk=record.pk, reversed_at__isnull=True).update(
        reversed_at=now
    )
    if not reversed_now:
        return None
    membership_evaluate(user=record.user, at=now, reason=TierChange.Reason.REFUND,
                        reference=reference)
    record.reversed_at = now
    return record


# --- The daily review -------------------------------------------------------------------


def membership_review_due(*, at: datetime | None = None, batch_size: int = REVIEW_BATCH_SIZE) -> int:
    """Re-evaluate every member whose counted spend has started to age out; return how many.

    Members are taken in batches by id, each evaluated in its own transaction, so a long
    run holds no lock for long; evaluated members move their review time forward, so a
    second run the same day finds nothing to do.
    """
    at = at or timezone.now()
    due = Q(review_at__lte=at)
    if Tier.objects.exists():
        due |= Q(tier__isnull=True)
    count, last_id = 0, 0
    while True:
        batch = list(
            Membership.objects.filter(due, pk__gt=last_id).order_by("pk")
            .select_related("user")[:batch_size]
        )
        if not batch:
            return count
        for membership in batch:
            membership_evaluate(user=membership.user, at=at, reason=TierChange.Reason.AGED)
        count += len(batch)
        last_id = batch[-1].pk
