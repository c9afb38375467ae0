"""Flash-sale reconcile: load the Redis gate's counters from the database's figures."""

from datetime import datetime, timedelta

from django.db.models import Sum
from django.utils import timezone

from marketing.flash import gate
from marketing.flash._helpers import FAILED, gate_call
from marketing.models import FlashPurchase, FlashSale

# The beat reconcile loads sales this long before they start, so the first second of a sale
# does not send every attempt to the database to load the gate.
PRELOAD_AHEAD = timedelta(minutes=2)


def flash_reconcile(*, sale: FlashSale) -> bool:
    """Load the gate with the database's figures for `sale`; return whether it was loaded.

    One query: the shopper totals of active purchases, whose sum is `sold` (the invariant
    above), so left and held come from one consistent snapshot. An ended sale's counters are
    dropped instead.
    """
    if not gate.enabled():
        return False
    if sale.stock_returned_at is not None or sale.ends_at <= timezone.now():
        gate_call(gate.forget, sale_id=sale.pk)
        return False
    held = dict(
        FlashPurchase.objects.filter(sale_id=sale.pk, state__in=FlashPurchase.ACTIVE)
        .values("user_id").annotate(units=Sum("quantity")).values_list("user_id", "units")
    )
    left = sale.quantity - sum(held.values())
    return gate_call(gate.load, sale_id=sale.pk, left=left, held=held) is not FAILED


def flash_sales_reconcile_running(*, now: datetime | None = None) -> int:
    """Reconcile every running sale and those starting within PRELOAD_AHEAD; return how many."""
    if not gate.enabled():
        return 0
    now = now or timezone.now()
    sales = FlashSale.objects.filter(
        starts_at__lte=now + PRELOAD_AHEAD, ends_at__gt=now, stock_returned_at__isnull=True
    )
    return sum(1 for sale in sales if flash_reconcile(sale=sale))


def reconcile_if_near(sale: FlashSale) -> None:
    if sale.starts_at <= timezone.now() + PRELOAD_AHEAD:
        flash_reconcile(sale=sale)
