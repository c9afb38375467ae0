"""Refunds: owed inside the transaction that owes them, paid through the gateway after commit.

One path for every refund. A staff cancel of a paid order, a refund of a processing,
shipped or completed order, and a payment flagged for refund all call `refund_record`
inside their own transaction: it writes a pending Refund row (amount, idempotency key) and
queues `orders.tasks.refund_send_task` for after the commit. A rolled-back move therefore
leaves neither a row nor a task, and no money has moved.

`refund_send` then pays the refund:

1. claim the attempt: `UPDATE … WHERE status = pending AND next_attempt_at <= now` pushes
   `next_attempt_at` forward (a lease), so two runners never call the gateway at once;
2. call the gateway with the row's idempotency key, so a retry after a crash between the
   gateway's answer and step 3 gets the refund already made, not a second one;
3. mark the row done with `UPDATE … WHERE status = pending`: exactly once, whoever else ran.

Passing trouble (a timeout, an outage) leaves the row pending with a back-off; the task
retries it and the `refunds_retry_due` sweep picks up whatever the task did not finish.
A refusal for good (RefundDeclined) or too many attempts mark it failed, for staff.
"""

import logging
import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.errors import RefundDeclined
from orders.gateways import gateway_get
from orders.models import Order, OrderEvent, Payment, Refund
from shop.celery import enqueue_on_commit
from shop.errors import InvalidTransition

log = logging.getLogger(__name__)

SEND_TASK = "orders.tasks.refund_send_task"
# Longer than any gateway call may take: a runner that died holding it frees it this late.
ATTEMPT_LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 10


def retry_delay(attempts: int) -> timedelta:
    """Return how long to wait after `attempts` failed tries: 2, 4, 8 … minutes, at most 1 h."""
    return timedelta(minutes=min(2 ** max(attempts, 1), 60))


# --- Owing: inside the caller's transaction ----------------------------------------------


def refund_record(*, payment: Payment) -> Refund:
    """Record that `payment` is to be given back in full; queue sending it after commit.

    Run inside the caller's transaction with the payment row locked (select_for_update or
    a conditional UPDATE), so two callers cannot both record it. A payment already owed
    back keeps its one Refund row, which is returned.
    """
    existing = Refund.objects.filter(payment=payment).first()
    if existing is not None:
        return existing
    Payment.objects.filter(pk=payment.pk).update(flagged_for_refund=False)
    payment.flagged_for_refund = False
    refund = Refund.objects.create(
        payment=payment, order_id=payment.order_id, amount=payment.amount,
        currency=payment.currency, idempotency_key=f"refund-{uuid.uuid4().hex}",
        next_attempt_at=timezone.now(),
    )
    enqueue_on_commit(SEND_TASK, refund.pk)
    return refund


def order_refunds_record(*, order: Order) -> list[Refund]:
    """Record a refund of every captured payment of `order` (inside the caller's transaction)."""
    payments = order.payments.select_for_update().filter(status=Payment.Status.CAPTURED)
    return [refund_record(payment=payment) for payment in payments.order_by("pk")]


@transaction.atomic
def payment_refund(*, payment: Payment, actor=None) -> Refund:
    """Give back a payment flagged for refund (money the order could not take); once.

    The conditional UPDATE of the flag is the guard: of two staff refunding the same
    payment, one records the refund and the other gets InvalidTransition.
    """
    claimed = Payment.objects.filter(
        pk=payment.pk, status=Payment.Status.CAPTURED, flagged_for_refund=True
    ).update(flagged_for_refund=False)
    if not claimed:
        raise InvalidTransition(_("Payment %(reference)s is not waiting for a refund.")
                                % {"reference": payment.reference})
    payment.refresh_from_db()
    refund = refund_record(payment=payment)
    order = payment.order
    OrderEvent.objects.create(
        order=order, from_status=order.status, to_status=order.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=f"Refund of payment {payment.reference} requested",
    )
    return refund


# --- Paying: after commit, in a task or the sweep ----------------------------------------


def refund_send(*, refund_id: int, now: datetime | None = None) -> Refund | None:
    """Try once to pay refund `refund_id` through its gateway; return the row, or None.

    None means there was nothing to try now: the refund is done or failed, another runner
    holds the attempt, or its back-off has not passed. Never call it inside a transaction:
    the gateway call must not wait on (or be undone by) the database.
    """
    now = now or timezone.now()
    claimed = Refund.objects.filter(
        pk=refund_id, status=Refund.Status.PENDING, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + ATTEMPT_LEASE)
    if not claimed:
        return None
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    payment = refund.payment
    try:
        reference = gateway_get(payment.gateway, enabled_only=False).refund(
            payment=payment, amount=refund.amount, idempotency_key=refund.idempotency_key
        )
    except RefundDeclined as exc:
        _refund_failed(refund, error=exc.detail)
    except Exception as exc:  # noqa: BLE001 - any other trouble is retried, never lost
        log.warning("refund %s of payment %s: attempt %s failed: %r",
                    refund.pk, payment.reference, refund.attempts, exc)
        if refund.attempts >= MAX_ATTEMPTS:
            _refund_failed(refund, error=f"Gave up after {refund.attempts} attempts: {exc!r}")
        else:
            Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
                next_attempt_at=now + retry_delay(refund.attempts), last_error=repr(exc)[:255]
            )
    else:
        _refund_done(refund, reference=reference)
    refund.refresh_from_db()
    return refund


def refunds_retry_due(*, now: datetime | None = None, limit: int = 100) -> int:
    """Try every pending refund whose back-off (or lost runner's lease) has passed; return
    how many are done now. Safe to run beside the tasks: each attempt is claimed first."""
    now = now or timezone.now()
    due = Refund.objects.filter(status=Refund.Status.PENDING, next_attempt_at__lte=now)
    done = 0
    for refund_id in due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]:
        refund = refund_send(refund_id=refund_id, now=now)
        done += refund is not None and refund.status == Refund.Status.DONE
    return done


@transaction.atomic
def _refund_done(refund: Refund, *, reference: str) -> bool:
    """Mark the refund and its payment refunded, once; False if another run did it first."""
    moved = Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
        status=Refund.Status.DONE, gateway_reference=reference, done_at=timezone.now(),
        last_error="",
    )
    if not moved:
        return False
    Payment.objects.filter(pk=refund.payment_id).update(
        status=Payment.Status.REFUNDED, refund_reference=reference, flagged_for_refund=False
    )
    _note(refund, f"Payment {refund.payment.reference} refunded ({reference})")
    return True


@transaction.atomic
def _refund_failed(refund: Refund, *, error: str) -> None:
    """Give up on the refund (staff take it from the admin), once."""
    log.error("refund %s of payment %s failed: %s", refund.pk, refund.payment.reference, error)
    moved = Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
        status=Refund.Status.FAILED, last_error=error[:255]
    )
    if moved:
        _note(refund, f"Refund of payment {refund.payment.reference} failed: {error}"[:255])


def _note(refund: Refund, note: str) -> None:
    """Write an event on the refund's order that leaves its status as it is."""
    status = Order.objects.values_list("status", flat=True).get(pk=refund.order_id)
    OrderEvent.objects.create(order_id=refund.order_id, from_status=status, to_status=status,
                              note=note)
