"""Membership's write API: tiers (staff), memberships, spend records, tier evaluation."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from membership.errors import InvalidSpend
from membership.models import Membership, SpendRecord, Tier, TierChange
from membership.selectors import spend_counted, tier_for_spend, tier_lowest
from shop.money import ZERO, money
from shop.shopper import shopper_changed, shoppers_changed

REVIEW_BATCH_SIZE = 500


# --- Tiers ------------------------------------------------------------------------------


@transaction.atomic
def tier_save(*, tier: Tier) -> Tier:
    """Validate and save a tier (staff, through the admin); mark every membership due.

    A new or changed threshold can move members either way, and the daily review
    (membership_review_due) only looks at memberships whose review time has come: so every
    review time is set to now, and the next daily run re-evaluates everyone.
    """
    tier.full_clean()
    tier.save()
    _memberships_mark_due()
    shoppers_changed()  # every member's header and price audience carry tier names and discounts
    return tier


@transaction.atomic
def tier_delete(*, tier: Tier) -> None:
    """Delete a tier (none of whose members or history may point at it); mark every membership due."""
    tier.delete()
    _memberships_mark_due()
    shoppers_changed()


def _memberships_mark_due() -> None:
    Membership.objects.update(review_at=timezone.now())


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
    shopper_changed(user_id=user.pk)
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
    # Locked: a settlement and the daily task re-evaluating one member at once must not
    # both write a change from the same old tier.
    return _evaluate(_membership_locked(user), user=user, at=at or timezone.now(),
                     reason=reason, reference=reference)


def _evaluate(membership: Membership, *, user, at: datetime, reason: str,
              reference: str) -> Membership:
    """Evaluate `membership`, already locked by the caller's transaction (membership_evaluate)."""
    counted = spend_counted(user_id=user.pk, at=at).aggregate(total=Sum("amount"), oldest=Min("at"))
    spend = money(counted["total"] or ZERO)
    tier = tier_for_spend(spend=spend)
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
        shopper_changed(user_id=user.pk)  # the header's tier and the price audience
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
        raise InvalidSpend(_("A spend amount is 0 or more, not %(amount)s.") % {"amount": amount})
    # Lock order: membership row, then the spend record (spend_reverse does the same).
    membership = _membership_locked(user)
    # Read, then a plain INSERT (no get_or_create savepoint): a reference is one order's, so
    # its one user's membership lock, held now, keeps a second call for it waiting here.
    record = SpendRecord.objects.filter(reference=reference).first()
    if record is not None:
        return record
    record = SpendRecord.objects.create(reference=reference, user_id=user.pk, amount=amount,
                                        at=at or timezone.now())
    _evaluate(membership, user=user, at=timezone.now(), reason=TierChange.Reason.ORDER,
              reference=reference)
    return record


@transaction.atomic
def spend_reverse(*, reference: str) -> SpendRecord | None:
    """Reverse the spend of a refunded order, once, and re-evaluate (may downgrade).

    Return the reversed record, or None if there was nothing (left) to reverse.
    """
    record = SpendRecord.objects.select_related("user").filter(reference=reference).first()
    if record is None:
        return None
    membership = _membership_locked(record.user)
    # A conditional UPDATE: two refunds racing reverse the spend once.
    now = timezone.now()
    reversed_now = SpendRecord.objects.filter(pk=record.pk, reversed_at__isnull=True).update(
        reversed_at=now
    )
    if not reversed_now:
        return None
    _evaluate(membership, user=record.user, at=now, reason=TierChange.Reason.REFUND,
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
