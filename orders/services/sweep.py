"""The outbox sweep: what must follow a commit and whose message was lost, done within a minute.

Every piece of work an order owes after a commit is written in the database by the same
transaction, so the rows themselves say what is left undone:

| work | owed while | done by |
| --- | --- | --- |
| settlement | the order is `paid` | `order_settle` (paid → processing, once) |
| fulfilment | the order is `processing` without a shipment | `shipment_prepare` (one shipment) |
| an order email | its OrderEmail row is pending (or its sending lease ran out) | `order_email_task` |
| a refund | its Refund row is pending | `refunds_retry_due` (its own sweep) |

The message queued after the commit only makes it happen at once. Beat runs this sweep
every 30 seconds; it leaves work younger than GRACE to the message queued for it, so it
redoes only what a lost message (broker down at commit, a killed worker, Redis restarted
empty) left behind. Each piece is guarded (a conditional UPDATE, a lock, a claim), so the
sweep racing a late message still does the work once. What it recovers is counted in
/metrics as `shop_sweep_recovered_total{kind}`.
"""

import logging
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from orders.models import Order, OrderEmail, Shipment
from orders.services.mail import SEND_TASK
from orders.services.settlement import order_settle, shipment_prepare
from shop.celery import publish, task_named
from shop.metrics import sweep_recovered_record

log = logging.getLogger(__name__)

# Work younger than this is left to the message queued for it.
GRACE = timedelta(seconds=20)


def orders_outbox_sweep(*, now: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Do the settlement, fulfilment and order emails left undone; return how many of each."""
    now = now or timezone.now()
    cutoff = now - GRACE
    done = {
        "settlement": _settle_due(cutoff=cutoff, limit=limit),
        "fulfilment": _fulfil_due(cutoff=cutoff, limit=limit),
        "email": _emails_due(now=now, cutoff=cutoff, limit=limit),
    }
    for kind, how_many in done.items():
        if how_many:
            sweep_recovered_record(kind, how_many)
            log.warning("outbox sweep: %s %s left undone by a lost message", how_many, kind)
    return done


def _settle_due(*, cutoff: datetime, limit: int) -> int:
    # A paid order's updated_at is the moment it was paid: nothing else moves a paid order.
    due = (Order.objects.filter(status=Order.Status.PAID, updated_at__lte=cutoff)
           .order_by("pk").values_list("pk", flat=True)[:limit])
    return sum(order_settle(order_id=order_id) is not None for order_id in list(due))


def _fulfil_due(*, cutoff: datetime, limit: int) -> int:
    shipment = Shipment.objects.filter(order=OuterRef("pk"))
    due = (Order.objects.filter(status=Order.Status.PROCESSING, updated_at__lte=cutoff)
           .exclude(Exists(shipment)).order_by("pk").values_list("pk", flat=True)[:limit])
    return sum(shipment_prepare(order_id=order_id) is not None for order_id in list(due))


def _emails_due(*, now: datetime, cutoff: datetime, limit: int) -> int:
    """Queue the unsent emails whose message was lost, on the emails queue.

    Sent by the emails workers, not here: a slow or unreachable SMTP server must not hold
    up the other sweeps. A pending row older than GRACE, or a sending row whose lease ran
    out (its runner died), is due; the claim in the task makes a duplicate message a no-op.
    """
    due = (
        OrderEmail.objects.filter(
            Q(status=OrderEmail.Status.PENDING, next_attempt_at__lte=cutoff)
            | Q(status=OrderEmail.Status.SENDING, next_attempt_at__lte=now)
        )
        .order_by("next_attempt_at", "pk").values_list("order_id", "kind")[:limit]
    )
    task = task_named(SEND_TASK)
    return sum(publish(task, (order_id, kind), {}) for order_id, kind in list(due))
