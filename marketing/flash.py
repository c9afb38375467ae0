"""Flash sales (秒杀): create and end sales, reserve and release units, reconcile the gate.

How a stampede of buyers is answered (DESIGN.md "Marketing"):

1. The sale is read through a process-local cache that lives CACHE_SECONDS, so the
   thousands of attempts of the first second cost no query to find it. A price, limit or
   window edited by staff reaches every web process within that time; the database step
   below re-checks the window and the units, so a stale copy can never sell too much.
2. With REDIS_URL, the Redis gate (marketing/flash_gate.py) checks and takes the sale's units
   and the shopper's count in one Lua call. A refusal (`sold_out`, `limit_reached`) ends
   there: it never reaches the database.
3. An attempt the gate lets through goes to the database, the source of truth: the
   conditional UPDATE `sold + q <= quantity` (inside the window, stock not yet returned)
   takes the units and the sale row's lock; the shopper's active purchases are counted only
   after it, under that lock, so two attempts by one shopper queue on the row and the second
   sees the first's committed purchase — race-free under READ COMMITTED. The FlashPurchase
   row is written in the same transaction as the order (orders/flash.py).
4. When the database refuses or the order fails, the gate's units go back
   (`Admission.give_back`), except on a database `sold_out` or `limit_reached`: then the gate
   let through what the database refuses, and it is reconciled instead. The database answers
   in the gate's order: a shopper at their limit hears `limit_reached` even when the sale is
   also sold out.

Without REDIS_URL step 2 is skipped and the conditional UPDATE alone gives the guarantee.

`flash_reconcile` replaces the gate's counters with the database's figures (left =
quantity − units in active purchases; per shopper, their active units). It runs when the gate
answers NOT_LOADED (Redis restarted or flushed), after a database `sold_out`, when a sale is
created, and every minute for running sales and those about to start (beat). Attempts in
flight during a reconcile can leave the gate too generous for a moment — the database refuses
the surplus — and a give-back lost to a crash leaves it too strict until the next reconcile:
never more than the quota is sold, and no unit stays stranded longer than a minute.

Units: creating a sale takes `quantity` out of the SKU's stock (catalog.services.stock_reserve),
so ordinary orders cannot eat them. A cancelled or unpaid flash order gives its units back to
the sale (`flash_release`). When the sale ends, `flash_sale_end` returns the unsold units to the
SKU's stock once; units released after that go straight to the stock. Ending and releasing
both take the sale row's lock first, so whichever runs second sees what the first did: no
unit is returned twice or lost.

Invariant (each write keeps it inside one transaction): sold = Σ quantity of the sale's
active (reserved or paid) purchases.
"""

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet, Sum
from django.utils import timezone

from catalog.errors import OutOfStock
from catalog.models import Sku
from catalog.services import stock_release, stock_reserve
from marketing import flash_gate
from marketing.errors import LimitReached, NotActive, SoldOut
from marketing.models import FlashPurchase, FlashSale

log = logging.getLogger(__name__)

# How long a web process trusts its copy of a sale (see 1. above).
CACHE_SECONDS = 2.0
# The beat reconcile loads sales this long before they start, so the first second of a sale
# does not send every attempt to the database to load the gate.
PRELOAD_AHEAD = timedelta(minutes=2)
EDITABLE = ("price", "per_customer_limit", "starts_at", "ends_at")

# --- Reads ---------------------------------------------------------------------------------

_cache: dict[int, tuple[float, FlashSale | None]] = {}
_CACHE_MAX = 10_000


def flash_sale_cached(*, sale_id: int) -> FlashSale | None:
    """Return the sale with its SKU and product, from this process's short-lived cache.

    An unknown id is remembered too (as None), so guessing ids costs no more queries than
    hammering a real sale. Callers must treat the copy as read-only.
    """
    now = time.monotonic()
    hit = _cache.get(sale_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    sale = FlashSale.objects.select_related("sku__product").filter(pk=sale_id).first()
    if len(_cache) >= _CACHE_MAX:
        _cache.clear()
    _cache[sale_id] = (now + CACHE_SECONDS, sale)
    return sale


def flash_cache_forget(*, sale_id: int | None = None) -> None:
    """Drop this process's copy of a sale (all of them without `sale_id`)."""
    if sale_id is None:
        _cache.clear()
    else:
        _cache.pop(sale_id, None)


def flash_sales_listed(*, at: datetime) -> QuerySet[FlashSale]:
    """Return sales not yet ended at `at`, running ones first, with SKU and product (1 query)."""
    return (
        FlashSale.objects.filter(ends_at__gt=at, stock_returned_at__isnull=True)
        .select_related("sku__product")
        .order_by("starts_at", "pk")
    )


def flash_sale_for_product(*, product_id: int, at: datetime) -> FlashSale | None:
    """Return the product's running flash sale, else its next upcoming one, else None (1 query)."""
    return (
        flash_sales_listed(at=at).filter(sku__product_id=product_id, sku__is_active=True)
        .first()
    )


def flash_remaining_left(*, sale: FlashSale) -> int | None:
    """Return the units the gate still lets through, or None without Redis (for checks and admin)."""
    if not flash_gate.enabled():
        return None
    return flash_gate.read(sale_id=sale.pk)[0]


# --- Staff writes (admin and API) -------------------------------------------------------------


@transaction.atomic
def flash_sale_create(
    *, sku: Sku, price, quantity: int, starts_at: datetime, ends_at: datetime,
    per_customer_limit: int = 1,
) -> FlashSale:
    """Create a sale and set its `quantity` aside from the SKU's stock; raise ValidationError.

    Refused: an end not after the start or already past, a flash price not below the base
    price, fewer than 1 unit or a limit under 1, more units than the SKU has in stock.
    """
    sale = FlashSale(sku=sku, price=price, quantity=quantity, starts_at=starts_at,
                     ends_at=ends_at, per_customer_limit=per_customer_limit)
    sale.full_clean()
    if ends_at <= timezone.now():
        raise ValidationError({"ends_at": "The end must be in the future."})
    try:
        # The conditional UPDATE decides "quantity ≤ available stock", racing orders included.
        stock_reserve(lines={sku.pk: quantity})
    except OutOfStock:
        fresh = Sku.objects.filter(pk=sku.pk).values("stock", "is_active").first() or {}
        if not fresh.get("is_active", False):
            raise ValidationError({"sku": f"SKU {sku.code} is not for sale."}) from None
        raise ValidationError({"quantity": (
            f"Only {fresh['stock']} units of {sku.code} are in stock: "
            f"a flash sale cannot set aside {quantity}."
        )}) from None
    sale.save()
    transaction.on_commit(lambda: _reconcile_if_near(sale))
    return sale


@transaction.atomic
def flash_sale_update(*, sale: FlashSale, **fields) -> FlashSale:
    """Change a sale's price, limit or window; raise ValidationError.

    The SKU and the quantity are fixed once the units are set aside (end the sale and create
    another instead), and an ended sale cannot be changed. Only the edited columns are
    written, never `sold`, which racing orders change meanwhile.
    """
    fixed = {name: fields.pop(name) for name in ("sku", "quantity") if name in fields}
    errors = {
        name: f"The {'SKU' if name == 'sku' else name} of a flash sale cannot change once it is created."
        for name, value in fixed.items()
        if value != getattr(sale, name)
    }
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    current = FlashSale.objects.select_for_update().get(pk=sale.pk)
    if current.stock_returned_at is not None:
        raise ValidationError("This flash sale has ended; create a new one instead.")
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    current.save(update_fields=list(fields))
    flash_cache_forget(sale_id=sale.pk)
    transaction.on_commit(lambda: _reconcile_if_near(current))
    return current


@transaction.atomic
def flash_sale_delete(*, sale: FlashSale) -> None:
    """Delete a sale nobody has bought from, giving its set-aside units back to stock."""
    if FlashPurchase.objects.filter(sale_id=sale.pk).exists():
        raise ValidationError("Shoppers have bought from this flash sale: end it instead of deleting it.")
    # Taking the row with `sold = 0` locks it: a purchase racing this one waits, then finds
    # the row gone and is refused as not active.
    current = FlashSale.objects.select_for_update().filter(pk=sale.pk, sold=0).first()
    if current is None:
        raise ValidationError("Shoppers have bought from this flash sale: end it instead of deleting it.")
    if current.stock_returned_at is None:
        stock_release(lines={current.sku_id: current.quantity})
    current.delete()
    flash_cache_forget(sale_id=sale.pk)
    _on_commit_gate(flash_gate.forget, sale_id=sale.pk)


# --- Ending: unsold units back to stock, once -------------------------------------------------


@transaction.atomic
def flash_sale_end(*, sale_id: int, now: datetime | None = None) -> int | None:
    """Return an ended sale's unsold units to the SKU's stock once; return how many went back.

    None when there was nothing to do (not ended yet, or its units went back already).

    The conditional UPDATE (`stock_returned_at IS NULL`) makes a second run, or two racing
    ones, do nothing; it also takes the row's lock, so the `sold` read next includes every
    purchase committed before it, and a reservation or release arriving later sees
    `stock_returned_at` and acts accordingly.
    """
    now = now or timezone.now()
    ended = FlashSale.objects.filter(
        pk=sale_id, ends_at__lte=now, stock_returned_at__isnull=True
    ).update(stock_returned_at=now)
    if not ended:
        return None
    sale = FlashSale.objects.get(pk=sale_id)
    unsold = sale.quantity - sale.sold
    if unsold > 0:
        stock_release(lines={sale.sku_id: unsold})
    flash_cache_forget(sale_id=sale_id)
    _on_commit_gate(flash_gate.forget, sale_id=sale_id)
    return unsold


def flash_sales_end_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """End every sale past its end whose unsold units are not back yet; return how many."""
    now = now or timezone.now()
    due = FlashSale.objects.filter(ends_at__lte=now, stock_returned_at__isnull=True)
    return sum(
        1 for sale_id in due.order_by("ends_at").values_list("pk", flat=True)[:limit]
        if flash_sale_end(sale_id=sale_id, now=now) is not None
    )


# --- Reservation ------------------------------------------------------------------------------


@dataclass
class Admission:
    """The gate's yes to one attempt: units Redis holds until the database confirms them.

    A caller that reserves inside a larger transaction (orders placing the order) calls
    `give_back()` when that transaction fails; it is idempotent, and a no-op once the
    reservation itself has already given the units back or reconciled.
    """

    sale_id: int
    user_id: int
    quantity: int
    gated: bool
    settled: bool = False

    def give_back(self) -> None:
        if self.gated and not self.settled:
            _gate_call(flash_gate.release, sale_id=self.sale_id, user_id=self.user_id,
                       quantity=self.quantity)
        self.settled = True


def flash_admit(*, sale: FlashSale, user, quantity: int, at: datetime | None = None) -> Admission:
    """Check the window and ask the gate for the units; raise NotActive, SoldOut, LimitReached.

    With the sale from `flash_sale_cached` this touches no database: a refusal costs one Lua
    call. Without REDIS_URL (or with Redis unreachable) the attempt is let through and the
    database decides alone.
    """
    if quantity < 1:
        raise ValueError(f"quantity must be positive, got {quantity}")
    at = at or timezone.now()
    if not sale.is_running(at):
        raise _not_active(sale, at)
    if quantity > sale.per_customer_limit:
        raise _limit_reached(sale)
    if not flash_gate.enabled():
        return Admission(sale.pk, user.pk, quantity, gated=False)
    ask = {"sale_id": sale.pk, "user_id": user.pk, "quantity": quantity,
           "limit": sale.per_customer_limit}
    answer = _gate_call(flash_gate.reserve, **ask)
    if answer == flash_gate.NOT_LOADED:
        flash_reconcile(sale=sale)
        answer = _gate_call(flash_gate.reserve, **ask)
    if answer == flash_gate.SOLD_OUT:
        raise _sold_out(sale)
    if answer == flash_gate.LIMIT_REACHED:
        raise _limit_reached(sale)
    # OK; or None / NOT_LOADED when Redis failed us: the database decides alone.
    return Admission(sale.pk, user.pk, quantity, gated=answer == flash_gate.OK)


def flash_reserve(
    *, sale: FlashSale, user, quantity: int, reference: str, admission: Admission | None = None,
) -> FlashPurchase:
    """Take `quantity` units of the sale for the order `reference`; return the purchase.

    Raise NotActive (400) outside the window, SoldOut or LimitReached (409). Pass the
    `admission` of an earlier `flash_admit` when the gate was asked before the order was
    written (orders does, so a refusal costs no query); without it the gate is asked here.
    Run inside the order's transaction so a failed order rolls the units back.
    """
    if admission is None:
        admission = flash_admit(sale=sale, user=user, quantity=quantity)
    try:
        return _take(sale=sale, user=user, quantity=quantity, reference=reference)
    except (SoldOut, LimitReached):
        # The gate let through what the database refuses: its counters are off.
        if admission.gated:
            admission.settled = True
            flash_reconcile(sale=sale)
        raise
    except BaseException:
        admission.give_back()
        raise


@transaction.atomic
def _take(*, sale: FlashSale, user, quantity: int, reference: str) -> FlashPurchase:
    now = timezone.now()
    # Units and the sale row's lock in one statement; `stock_returned_at IS NULL` keeps a
    # purchase from landing after the ending gave the unsold units back.
    taken = FlashSale.objects.filter(
        pk=sale.pk, starts_at__lte=now, ends_at__gt=now, stock_returned_at__isnull=True,
        sold__lte=F("quantity") - quantity,
    ).update(sold=F("sold") + quantity)
    if not taken:
        # Nothing taken, so no lock yet: take the row's lock (the same lock, so the same
        # order) before counting, then answer in the gate's order: limit before stock.
        fresh = FlashSale.objects.select_for_update().filter(pk=sale.pk).first()
        if fresh is None or not fresh.is_running(now) or fresh.stock_returned_at is not None:
            raise _not_active(fresh or sale, now)
        if _held(sale=sale, user=user) + quantity > sale.per_customer_limit:
            raise _limit_reached(sale)
        raise _sold_out(sale)
    # Under the row lock: every earlier purchase of this shopper is committed and visible.
    if _held(sale=sale, user=user) + quantity > sale.per_customer_limit:
        raise _limit_reached(sale)
    return FlashPurchase.objects.create(sale_id=sale.pk, user=user, quantity=quantity,
                                        reference=reference)


def _held(*, sale: FlashSale, user) -> int:
    """Return the units the shopper holds in the sale's active purchases (call under its lock)."""
    return FlashPurchase.objects.filter(
        sale_id=sale.pk, user=user, state__in=FlashPurchase.ACTIVE
    ).aggregate(units=Sum("quantity"))["units"] or 0


@transaction.atomic
def flash_release(*, reference: str) -> int:
    """Give a cancelled order's flash units back, once; return how many (0 if it had none).

    Back to the sale (and the gate) while the sale has not returned its unsold units; after
    that, straight to the SKU's stock.
    """
    purchase = FlashPurchase.objects.filter(
        reference=reference, state__in=FlashPurchase.ACTIVE
    ).first()
    if purchase is None:
        return 0
    released = FlashPurchase.objects.filter(
        pk=purchase.pk, state__in=FlashPurchase.ACTIVE
    ).update(state=FlashPurchase.State.RELEASED, released_at=timezone.now())
    if not released:  # a racing cancel released it first
        return 0
    FlashSale.objects.filter(pk=purchase.sale_id).update(sold=F("sold") - purchase.quantity)
    # The UPDATE above holds the sale row: an ending committed before it is visible now.
    sale = FlashSale.objects.only("sku_id", "stock_returned_at").get(pk=purchase.sale_id)
    if sale.stock_returned_at is not None:
        stock_release(lines={sale.sku_id: purchase.quantity})
    else:
        _on_commit_gate(flash_gate.release, sale_id=purchase.sale_id, user_id=purchase.user_id,
                        quantity=purchase.quantity)
    return purchase.quantity


@transaction.atomic
def flash_purchase_paid(*, reference: str) -> bool:
    """Mark the flash purchase of a paid order paid (history only; it stays active)."""
    return bool(FlashPurchase.objects.filter(
        reference=reference, state=FlashPurchase.State.RESERVED
    ).update(state=FlashPurchase.State.PAID))


# --- Reconcile --------------------------------------------------------------------------------


def flash_reconcile(*, sale: FlashSale) -> bool:
    """Load the gate with the database's figures for `sale`; return whether it was loaded.

    One query: the shopper totals of active purchases, whose sum is `sold` (the invariant
    above), so left and held come from one consistent snapshot. An ended sale's counters are
    dropped instead.
    """
    if not flash_gate.enabled():
        return False
    if sale.stock_returned_at is not None or sale.ends_at <= timezone.now():
        _gate_call(flash_gate.forget, sale_id=sale.pk)
        return False
    held = dict(
        FlashPurchase.objects.filter(sale_id=sale.pk, state__in=FlashPurchase.ACTIVE)
        .values("user_id").annotate(units=Sum("quantity")).values_list("user_id", "units")
    )
    left = sale.quantity - sum(held.values())
    return _gate_call(flash_gate.load, sale_id=sale.pk, left=left, held=held) is not _FAILED


def flash_sales_reconcile_running(*, now: datetime | None = None) -> int:
    """Reconcile every running sale and those starting within PRELOAD_AHEAD; return how many."""
    if not flash_gate.enabled():
        return 0
    now = now or timezone.now()
    sales = FlashSale.objects.filter(
        starts_at__lte=now + PRELOAD_AHEAD, ends_at__gt=now, stock_returned_at__isnull=True
    )
    return sum(1 for sale in sales if flash_reconcile(sale=sale))


def _reconcile_if_near(sale: FlashSale) -> None:
    if sale.starts_at <= timezone.now() + PRELOAD_AHEAD:
        flash_reconcile(sale=sale)


# --- Helpers ----------------------------------------------------------------------------------

_FAILED = object()


def _gate_call(fn, **kwargs):
    """Call the gate; on a Redis failure log it and return _FAILED (the database still decides)."""
    try:
        return fn(**kwargs)
    except redis.RedisError:
        log.warning("flash gate: %s(%s) failed; the database decides alone", fn.__name__, kwargs,
                    exc_info=True)
        return _FAILED


def _on_commit_gate(fn, **kwargs) -> None:
    if flash_gate.enabled():
        transaction.on_commit(lambda: _gate_call(fn, **kwargs))


def _name(sale: FlashSale) -> str:
    sku = sale.sku
    return f"{sku.product.name} ({sku.code})"


def _not_active(sale: FlashSale, at: datetime) -> NotActive:
    local = timezone.localtime
    if at < sale.starts_at:
        return NotActive(f"The flash sale of {_name(sale)} starts at "
                         f"{local(sale.starts_at):%Y-%m-%d %H:%M}.", status=sale.Status.UPCOMING)
    return NotActive(f"The flash sale of {_name(sale)} has ended.", status=sale.Status.ENDED)


def _sold_out(sale: FlashSale) -> SoldOut:
    return SoldOut(f"The flash sale of {_name(sale)} is sold out.")


def _limit_reached(sale: FlashSale) -> LimitReached:
    limit = sale.per_customer_limit
    return LimitReached(
        f"The flash sale of {_name(sale)} allows {limit} unit{'s' if limit != 1 else ''} "
        f"per customer, and you have reached it."
    )
