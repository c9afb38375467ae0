"""Points reads: balance, what expires soon, history, and the ledger's integrity check."""

from datetime import datetime, timedelta

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from points.models import LedgerEntry, Lot, PointsAccount

EXPIRING_SOON_DAYS = 30


def balance_for(user) -> int:
    """Return the user's points balance (0 for anonymous visitors and new shoppers)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    balance = PointsAccount.objects.filter(user=user).values_list("balance", flat=True).first()
    return balance or 0


def expiring_soon(user, *, days: int = EXPIRING_SOON_DAYS, at: datetime | None = None) -> list[dict]:
    """Return `[{points, expires_at}]` of the user's lots expiring within `days`, soonest first.

    Lots already past their date but not yet swept by the daily expiry task are included:
    they are still in the balance and go first.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    until = (at or timezone.now()) + timedelta(days=days)
    lots = (
        Lot.objects.filter(account__user=user, remaining__gt=0, expires_at__lte=until)
        .order_by("expires_at", "pk")
        .values_list("remaining", "expires_at")
    )
    return [{"points": remaining, "expires_at": expires_at} for remaining, expires_at in lots]


def entries_for(user) -> QuerySet[LedgerEntry]:
    """Return the user's ledger entries, newest first (empty for anonymous visitors)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return LedgerEntry.objects.none()
    return LedgerEntry.objects.filter(account__user=user).order_by("-created_at", "-pk")


def entry_summary(entry: LedgerEntry) -> str:
    """Return what a ledger entry means to the shopper, in the request's language.

    Written from the kind and the order it names, never from the stored reason or
    reference: those are for staff (`order:SO…`, `lot:12`, `demo:welcome-order`). Only an
    adjustment shows its reason, which staff write for the shopper to read.
    """
    number = entry.order_number
    Kind = LedgerEntry.Kind
    if entry.kind == Kind.EARN:
        return (gettext("Points earned for order %(number)s") % {"number": number} if number
                else gettext("Points earned"))
    if entry.kind == Kind.REDEEM:
        return (gettext("Points used on order %(number)s") % {"number": number} if number
                else gettext("Points used"))
    if entry.kind == Kind.REFUND:
        return (gettext("Points returned: order %(number)s cancelled") % {"number": number}
                if number else gettext("Points returned"))
    if entry.kind == Kind.REVERSE:
        return (gettext("Points taken back: order %(number)s refunded") % {"number": number}
                if number else gettext("Points taken back"))
    if entry.kind == Kind.EXPIRE:
        return gettext("Points expired unused")
    if entry.kind == Kind.BONUS:
        return gettext(entry.reason) if entry.reason else gettext("Bonus points")
    return entry.reason or gettext("Adjusted by the shop")


def points_discrepancies() -> list[dict]:
    """Return the accounts whose stored balance differs from their ledger sum or lot remainders.

    One query for all accounts: `[{account_id, user_id, balance, ledger_sum, lots_sum}]`.
    """
    ledger_sum = (
        LedgerEntry.objects.filter(account=OuterRef("pk")).order_by()
        .values("account").annotate(total=Sum("delta")).values("total")
    )
    lots_sum = (
        Lot.objects.filter(account=OuterRef("pk")).order_by()
        .values("account").annotate(total=Sum("remaining")).values("total")
    )
    return list(
        PointsAccount.objects.annotate(
            ledger_sum=Coalesce(Subquery(ledger_sum), Value(0)),
            lots_sum=Coalesce(Subquery(lots_sum), Value(0)),
        )
        .filter(~Q(balance=F("ledger_sum")) | ~Q(balance=F("lots_sum")))
        .order_by("pk")
        .values("user_id", "balance", "ledger_sum", "lots_sum", account_id=F("pk"))
    )


def points_issued_and_redeemed(*, since: datetime, until: datetime) -> dict[str, int]:
    """Return `{issued, redeemed}` points between `since` and `until` (one query).

    Issued counts what orders earned and bonuses gave; redeemed what checkouts used, as a
    positive number. Refunds, reversals, expiry and staff adjustments are neither.
    """
    issued = Q(kind__in=[LedgerEntry.Kind.EARN, LedgerEntry.Kind.BONUS])
    redeemed = Q(kind=LedgerEntry.Kind.REDEEM)
    totals = LedgerEntry.objects.filter(created_at__gte=since, created_at__lt=until).aggregate(
        issued=Coalesce(Sum("delta", filter=issued), Value(0)),
        redeemed=Coalesce(Sum("delta", filter=redeemed), Value(0)),
    )
    return {"issued": totals["issued"], "redeemed": -totals["redeemed"]}
