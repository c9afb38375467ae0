"""Membership reads: a shopper's benefits for pricing, spend in the window, the member centre."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet, Sum
from django.utils import timezone

from membership.models import Membership, SpendRecord, Tier, TierChange
from shop.money import ZERO, money
from shop.pricing import NO_BENEFITS, MemberBenefits


def tier_lowest() -> Tier | None:
    """Return the tier every member starts on (the lowest rank), or None if there are none."""
    return Tier.objects.order_by("rank").first()


def tier_for_spend(*, spend: Decimal) -> Tier | None:
    """Return the best tier `spend` reaches (the lowest tier for no spend; None if no tiers)."""
    # Thresholds strictly increase with rank (validators.tier_validate), so the highest
    # threshold reached is also the highest rank reached. A ladder is a handful of rows:
    # one query for all of them, the choice made here.
    tiers = list(Tier.objects.order_by("rank"))
    reached = [tier for tier in tiers if tier.threshold <= spend]
    return reached[-1] if reached else (tiers[0] if tiers else None)


def tier_benefits(tier: Tier | None) -> MemberBenefits:
    """Return what `tier` gives at checkout (NO_BENEFITS for no tier)."""
    if tier is None:
        return NO_BENEFITS
    return MemberBenefits(
        tier_code=tier.code,
        tier_name=tier.name,
        discount_percent=tier.discount_percent,
        points_multiplier=tier.points_multiplier,
        free_shipping=tier.free_shipping,
    )


# Inside `benefits_remembered()`: the benefits already read, by user id (None: anonymous).
_remembered: ContextVar[dict | None] = ContextVar("membership_benefits", default=None)


@contextmanager
def benefits_remembered() -> Iterator[None]:
    """Read each shopper's benefits at most once inside the block (one quote, one placement).

    The pricing steps each ask for the benefits (member prices, the promotion's tier scope,
    shipping); within one quote the tier cannot change, so the first answer serves them all.
    """
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def benefits_for(user) -> MemberBenefits:
    """Return the benefits of the user's tier.

    Anonymous visitors and users without a membership get the lowest tier's benefits (what
    they will have once signed up), or NO_BENEFITS when no tier exists. One query for a
    member, two otherwise (none again inside `benefits_remembered`); no writes, so pricing
    can call it anywhere.
    """
    remembered = _remembered.get()
    if remembered is None:
        return _benefits_read(user)
    key = user.pk if user is not None and getattr(user, "is_authenticated", False) else None
    if key not in remembered:
        remembered[key] = _benefits_read(user)
    return remembered[key]


def _benefits_read(user) -> MemberBenefits:
    if user is not None and getattr(user, "is_authenticated", False):
        membership = (
            Membership.objects.select_related("tier").filter(user_id=user.pk).only(
                "tier__code", "tier__name", "tier__discount_percent",
                "tier__points_multiplier", "tier__free_shipping",
            ).first()
        )
        if membership is not None and membership.tier is not None:
            return tier_benefits(membership.tier)
    return tier_benefits(tier_lowest())


def spend_window_start(at: datetime) -> datetime:
    """Return the start of the trailing spend window ending at `at` (exclusive)."""
    return at - timedelta(days=settings.SHOP_MEMBERSHIP_WINDOW_DAYS)


def spend_counted(*, user_id: int, at: datetime) -> QuerySet[SpendRecord]:
    """Return the spend records that count at `at`: in the window and not reversed."""
    return SpendRecord.objects.filter(
        user_id=user_id, at__gt=spend_window_start(at), at__lte=at, reversed_at__isnull=True
    )


def spend_in_window(*, user, at: datetime | None = None) -> Decimal:
    """Return the user's spend over the trailing window (SHOP_MEMBERSHIP_WINDOW_DAYS)."""
    records = spend_counted(user_id=user.pk, at=at or timezone.now())
    return money(records.aggregate(total=Sum("amount"))["total"] or ZERO)


@dataclass(frozen=True)
class Progress:
    """Where a member stands: spend in the window and what the next tier still needs."""

    tier: Tier | None
    spend: Decimal
    next_tier: Tier | None
    spend_to_next: Decimal | None
    # Spend as a share of the next tier's threshold, 0–100 (100 at the top tier).
    percent: int


def progress_for(*, tier: Tier | None, spend: Decimal, tiers: list[Tier]) -> Progress:
    """Return the progress from `spend` towards the tier above `tier` (`tiers` by rank)."""
    above = [t for t in tiers if tier is None or t.rank > tier.rank]
    next_tier = above[0] if above else None
    if next_tier is None:
        return Progress(tier=tier, spend=spend, next_tier=None, spend_to_next=None, percent=100)
    to_next = max(ZERO, money(next_tier.threshold - spend))
    if next_tier.threshold <= 0:
        percent = 100
    else:
        # Rounded down: the bar reads 100 % only when the tier is actually reached.
        percent = min(100, int(spend * 100 // next_tier.threshold))
    return Progress(tier=tier, spend=spend, next_tier=next_tier, spend_to_next=to_next,
                    percent=percent)


@dataclass(frozen=True)
class Overview:
    """Everything the member centre and the API show a member about their membership."""

    membership: Membership
    benefits: MemberBenefits
    progress: Progress
    tiers: list[Tier]
    history: list[TierChange]


def membership_overview(*, membership: Membership, at: datetime | None = None,
                        history_limit: int = 20) -> Overview:
    """Return the member centre's data for `membership` in a fixed number of queries."""
    tiers = list(Tier.objects.order_by("rank"))
    tier = next((t for t in tiers if t.pk == membership.tier_id), None)
    spend = spend_in_window(user=membership.user, at=at)
    history = list(
        membership.changes.select_related("from_tier", "to_tier")[:history_limit]
    )
    return Overview(
        membership=membership,
        benefits=tier_benefits(tier),
        progress=progress_for(tier=tier, spend=spend, tiers=tiers),
        tiers=tiers,
        history=history,
    )
