"""The points ledger's write API: earn, bonus, redeem, refund, reverse, expire, adjust.

Each function is one transaction and follows the lock order of models.py: the account row
first, then the account's lots in (expires_at, pk) order. Every call that names a reference
happens once: a second call for the same (kind, reference) returns the first entry.
The optional `at` argument is the moment the entry happens (now by default); it exists so
tests and back-fills can place entries in time.
"""

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext

from points.errors import InsufficientPoints, InvalidPoints, ReasonRequired
from points.models import LedgerEntry, Lot, LotUse, PointsAccount
from shop.shopper import shopper_changed

Kind = LedgerEntry.Kind


def whole_points(points) -> int:
    """Return `points` as an int; raise InvalidPoints for fractions, floats and non-numbers."""
    if isinstance(points, int) and not isinstance(points, bool):
        return points
    if isinstance(points, Decimal) and points.is_finite() and points == points.to_integral_value():
        return int(points)
    raise InvalidPoints(gettext("Points are whole numbers, not %(points)s.") % {"points": repr(points)})


def describe(reference: str) -> str:
    """Return a reference for people: `order:SO1` -> `order SO1`."""
    prefix, _, rest = reference.partition(":")
    return f"order {rest}" if prefix == "order" and rest else reference


# --- Credits: award, bonus, adjust up ---------------------------------------------------


@transaction.atomic
def points_award(*, user, points: int, reference: str, at: datetime | None = None) -> LedgerEntry | None:
    """Award earned points (a settled order), once per reference; points <= 0 writes nothing.

    The points open a lot expiring settings.SHOP_POINTS_EXPIRY_DAYS after `at`.
    """
    return _credit_once(user=user, kind=Kind.EARN, points=points, reference=reference,
                        reason=f"Earned on {describe(reference)}", at=at)


@transaction.atomic
def points_bonus(*, user, points: int, reference: str, reason: str = "Sign-up bonus",
                 at: datetime | None = None) -> LedgerEntry | None:
    """Give bonus points (sign-up: reference `signup:<user id>`), once per reference."""
    return _credit_once(user=user, kind=Kind.BONUS, points=points, reference=reference,
                        reason=reason, at=at)


def _credit_once(*, user, kind, points, reference, reason, at) -> LedgerEntry | None:
    points = whole_points(points)
    if points <= 0:
        return None
    account = _locked_account(user, create=True)
    existing = LedgerEntry.objects.filter(kind=kind, reference=reference).first()
    if existing is not None:
        return existing
    return _credit(account, kind=kind, points=points, reference=reference, reason=reason, at=at)


def _credit(account, *, kind, points, reference, reason, at, by=None) -> LedgerEntry:
    """Write a credit entry, open its lot and raise the balance (account already locked)."""
    at = at or timezone.now()
    expires_at = at + timedelta(days=settings.SHOP_POINTS_EXPIRY_DAYS)
    entry = LedgerEntry.objects.create(
        account=account, delta=points, kind=kind, reference=reference, reason=reason,
        created_at=at, expires_at=expires_at, created_by=by,
    )
    Lot.objects.create(account=account, entry=entry, points=points, remaining=points,
                       expires_at=expires_at)
    PointsAccount.objects.filter(pk=account.pk).update(balance=F("balance") + points)
    shopper_changed(user_id=account.user_id)  # the header's balance
    return entry


# --- Debits: redeem, reverse, adjust down ----------------------------------------------


@transaction.atomic
def points_redeem(*, user, points: int, reference: str, at: datetime | None = None) -> LedgerEntry | None:
    """Debit points for an order, oldest lots first; raise InsufficientPoints if short.

    Once per reference: a second call returns the first entry. points <= 0 writes nothing.
    """
    points = whole_points(points)
    if points <= 0:
        return None
    account = _locked_account(user, create=False)
    if account is None:
        raise InsufficientPoints(gettext("You have 0 points; this needs %(points)s.") % {"points": points})
    existing = LedgerEntry.objects.filter(kind=Kind.REDEEM, reference=reference).first()
    if existing is not None:
        return existing
    entry = _debit(account, kind=Kind.REDEEM, points=points, reference=reference,
                   reason=f"Used on {describe(reference)}", at=at)
    if entry is None:
        raise InsufficientPoints(gettext("You have %(balance)s points; this needs %(points)s.")
                                 % {"balance": account.balance, "points": points})
    return entry


@transaction.atomic
def points_reverse(*, reference: str, at: datetime | None = None) -> LedgerEntry | None:
    """Take back the points earned for a refunded order, once; None if it earned none.

    Never below zero: what the shopper already spent stays spent, the reversal takes what is
    left (the award's own lot first, then the oldest) and records the rest as `shortfall`.
    Points of the award that already expired are not taken twice. Call points_refund for the
    same order first, so points it gives back can cover the reversal.
    """
    award, account, existing = _answer_once(of=Kind.EARN, kind=Kind.REVERSE, reference=reference)
    if award is None or existing is not None:
        return existing
    expired = LotUse.objects.filter(lot__entry=award, entry__kind=Kind.EXPIRE).aggregate(
        total=Sum("points"))["total"] or 0
    wanted = award.delta - expired
    taken = min(wanted, account.balance)
    reason = f"Reversed: {describe(reference)} refunded"
    if taken < wanted:
        reason += f" ({wanted - taken} points already spent)"
    entry = _debit(account, kind=Kind.REVERSE, points=taken, reference=reference,
                   reason=reason, at=at, shortfall=wanted - taken, first_lot_id=award.lot.pk)
    if entry is None:  # impossible under the account lock; refuse rather than go negative
        raise RuntimeError(f"points account {account.pk}: balance moved under the lock")
    return entry


@transaction.atomic
def points_adjust(*, user, delta: int, reason: str, by=None, at: datetime | None = None) -> LedgerEntry:
    """Record a staff adjustment (positive or negative) with its reason; never below zero.

    A positive adjustment opens a lot like earned points; a negative one consumes the oldest
    lots and raises InsufficientPoints rather than going below zero.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    delta = whole_points(delta)
    if delta == 0:
        raise InvalidPoints(gettext("An adjustment needs a non-zero number of points."))
    reference = f"adjust:{uuid.uuid4().hex}"
    if delta > 0:
        account = _locked_account(user, create=True)
        return _credit(account, kind=Kind.ADJUST, points=delta, reference=reference,
                       reason=reason, at=at, by=by)
    account = _locked_account(user, create=False)
    entry = account and _debit(account, kind=Kind.ADJUST, points=-delta, reference=reference,
                               reason=reason, at=at, by=by)
    if not entry:
        balance = account.balance if account else 0
        raise InsufficientPoints(
            gettext("The balance is %(balance)s points; it cannot go below zero.")
            % {"balance": balance})
    return entry


def _debit(account, *, kind, points: int, reference: str, reason: str, at, by=None,
           shortfall: int = 0, first_lot_id: int | None = None) -> LedgerEntry | None:
    """Take `points` (0 or more) off the balance and its lots and write the entry.

    Return None, writing nothing, when the balance is short. The caller holds the account
    lock; the UPDATE is conditional all the same (not read-then-write), so even a caller
    that skipped the lock could not take the balance below zero.
    """
    if points and not PointsAccount.objects.filter(pk=account.pk, balance__gte=points).update(
        balance=F("balance") - points
    ):
        return None
    if points:
        shopper_changed(user_id=account.user_id)  # the header's balance
    entry = LedgerEntry.objects.create(
        account=account, delta=-points, kind=kind, reference=reference, reason=reason,
        shortfall=shortfall, created_at=at or timezone.now(), created_by=by,
    )
    if points:
        _consume(account, entry=entry, points=points, first_lot_id=first_lot_id)
    return entry


def _consume(account, *, entry, points: int, first_lot_id: int | None = None) -> None:
    """Take `points` from the account's lots, oldest expiry first, recording each use.

    The caller holds the account lock; lots are then locked in (expires_at, pk) order.
    """
    lots = list(
        Lot.objects.select_for_update()
        .filter(account=account, remaining__gt=0)
        .order_by("expires_at", "pk")
    )
    if first_lot_id is not None:
        lots.sort(key=lambda lot: lot.pk != first_lot_id)  # stable: the rest stay FIFO
    left = points
    for lot in lots:
        if not left:
            break
        take = min(lot.remaining, left)
        Lot.objects.filter(pk=lot.pk).update(remaining=F("remaining") - take)
        LotUse.objects.create(lot=lot, entry=entry, points=take)
        left -= take
    if left:
        # The lots no longer add up to the balance: refuse rather than write a lie.
        raise RuntimeError(f"points account {account.pk}: lots short by {left} for {entry}")


# --- Giving back: refund a redemption --------------------------------------------------


@transaction.atomic
def points_refund(*, reference: str, at: datetime | None = None) -> LedgerEntry | None:
    """Give back the points a cancelled order redeemed, once; None if it redeemed none.

    The points go back into the lots they were taken from, keeping those lots' expiry dates:
    a refund cannot stretch points' life. Points whose lot has passed its date meanwhile
    expire at the next expiry run (the lot's later expiry entry is `lot:<id>:<n>`).
    """
    redemption, account, existing = _answer_once(of=Kind.REDEEM, kind=Kind.REFUND,
                                                 reference=reference)
    if redemption is None or existing is not None:
        return existing
    points = -redemption.delta
    entry = LedgerEntry.objects.create(
        account=account, delta=points, kind=Kind.REFUND, reference=reference,
        reason=f"Returned: {describe(reference)} cancelled", created_at=at or timezone.now(),
    )
    uses = {use.lot_id: use.points for use in LotUse.objects.filter(entry=redemption)}
    for lot in Lot.objects.select_for_update().filter(pk__in=uses).order_by("expires_at", "pk"):
        Lot.objects.filter(pk=lot.pk).update(remaining=F("remaining") + uses[lot.pk])
    PointsAccount.objects.filter(pk=account.pk).update(balance=F("balance") + points)
    shopper_changed(user_id=account.user_id)  # the header's balance
    return entry


# --- Expiry -----------------------------------------------------------------------------


def points_expire(*, at: datetime | None = None, batch_size: int = 200) -> int:
    """Expire what is left of every lot past its date at `at`; return the points expired.

    Batched: one short transaction per account, accounts in pk order. Safe to run twice or
    concurrently: an expired lot has nothing left, so a second run finds nothing to do.
    """
    at = at or timezone.now()
    total = 0
    after = 0
    while True:
        account_ids = list(
            Lot.objects.filter(remaining__gt=0, expires_at__lte=at, account_id__gt=after)
            .order_by("account_id").values_list("account_id", flat=True).distinct()[:batch_size]
        )
        if not account_ids:
            return total
        for account_id in account_ids:
            total += _expire_account(account_id=account_id, at=at)
        after = account_ids[-1]


@transaction.atomic
def _expire_account(*, account_id: int, at: datetime) -> int:
    account = PointsAccount.objects.select_for_update().get(pk=account_id)
    lots = (
        Lot.objects.select_for_update(of=("self",)).select_related("entry")
        .filter(account=account, remaining__gt=0, expires_at__lte=at)
        .order_by("expires_at", "pk")
    )
    expired = 0
    for lot in lots:
        # A lot expires once, unless a refund put points back into it after its date.
        earlier = LotUse.objects.filter(lot=lot, entry__kind=Kind.EXPIRE).count()
        reference = f"lot:{lot.pk}" if not earlier else f"lot:{lot.pk}:{earlier + 1}"
        entry = LedgerEntry.objects.create(
            account=account, delta=-lot.remaining, kind=Kind.EXPIRE, reference=reference,
            reason=f"Expired: {lot.entry.get_kind_display().lower()} points of "
                   f"{lot.entry.created_at:%Y-%m-%d} ({describe(lot.entry.reference)})",
            created_at=at,
        )
        LotUse.objects.create(lot=lot, entry=entry, points=lot.remaining)
        Lot.objects.filter(pk=lot.pk).update(remaining=0)
        expired += lot.remaining
    if expired:
        PointsAccount.objects.filter(pk=account.pk).update(balance=F("balance") - expired)
        shopper_changed(user_id=account.user_id)  # the header's balance
    return expired


# --- Helpers ----------------------------------------------------------------------------


def _answer_once(*, of, kind, reference: str):
    """Return (the `of` entry of `reference`, its account locked, an earlier `kind` entry).

    For the entries that answer another (a reversal answers the award, a refund the
    redemption): (None, None, None) when there is nothing to answer. The earlier answer
    is read under the account lock, so two callers cannot both write one.
    """
    source = LedgerEntry.objects.filter(kind=of, reference=reference).first()
    if source is None:
        return None, None, None
    account = PointsAccount.objects.select_for_update().get(pk=source.account_id)
    return source, account, LedgerEntry.objects.filter(kind=kind, reference=reference).first()


def _locked_account(user, *, create: bool) -> PointsAccount | None:
    """Return the user's account, row-locked for this transaction (made first if `create`)."""
    account = PointsAccount.objects.select_for_update().filter(user=user).first()
    if account is None and create:
        # get_or_create: two first credits of a new shopper race on the unique user column.
        PointsAccount.objects.get_or_create(user=user)
        account = PointsAccount.objects.select_for_update().filter(user=user).first()
    return account
