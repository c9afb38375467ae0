"""Order emails through an outbox: owed inside the move's transaction, sent once by a worker.

`order_email_queue` writes an OrderEmail row (pending) in the caller's transaction and
queues `orders.tasks.order_email_task` for after the commit; the message is only a nudge.
If it is lost (broker down at commit, worker killed, Redis restarted empty) the row is
still pending and the outbox sweep (orders.services.sweep) sends it.

`order_email_deliver` sends one row:

1. claim it: in one transaction, lock the row if it is due (pending and past its back-off,
   or sending with its lease run out: its runner died), `FOR UPDATE SKIP LOCKED`, and set
   it sending with a lease (`next_attempt_at = now + LEASE`), so two runners never both
   send;
2. send it (orders.emails.order_email_send: the content);
3. mark it sent `WHERE status = sending AND attempts = <the claim's>`: a runner whose lease
   ran out and was overtaken does not mark another's attempt.

A failed send puts the row back to pending with a back-off; after MAX_ATTEMPTS it is
failed for good. Only a crash between the SMTP server's acceptance and step 3 sends an
email twice (after the lease); nothing sends it never.
"""

import logging
import time
from datetime import datetime, timedelta

from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from orders import emails
from orders.models import Order, OrderEmail
from shop.celery import enqueue_on_commit
from shop.metrics import task_failure_record

log = logging.getLogger(__name__)

SEND_TASK = "orders.tasks.order_email_task"
# Longer than an SMTP conversation may take (DJANGO_EMAIL_TIMEOUT, 10 s by default): a
# runner that died while sending frees the row this late.
LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8


def retry_delay(attempts: int) -> timedelta:
    """Return the wait after `attempts` failed sends: 30 s, 1, 2, 4 … minutes, at most 1 h."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def order_email_queue(*, order: Order, kind: str) -> None:
    """Owe the `kind` email of `order` (inside the caller's transaction); nudge a worker.

    Idempotent: a kind already owed (or sent) for this order keeps its one row.
    """
    if kind not in emails.KINDS:
        raise ValueError(f"unknown order email {kind!r}")
    # ON CONFLICT DO NOTHING: owing it twice is owing it once. A second nudge is harmless,
    # the row is claimed before it is sent.
    OrderEmail.objects.bulk_create(
        [OrderEmail(order=order, kind=kind, next_attempt_at=timezone.now())],
        ignore_conflicts=True,
    )
    enqueue_on_commit(SEND_TASK, order.pk, kind)


@transaction.atomic
def _claim(*, order_id: int, kind: str, now: datetime) -> OrderEmail | None:
    """Take the row for one attempt, or return None if it is not due or another runner has it.

    Read and claimed in one transaction under the row's lock (SKIP LOCKED: a runner that
    finds it locked leaves it), so a connection cut half-way claims nothing: the row stays
    due instead of waiting out a lease nobody holds.
    """
    due = Q(status=OrderEmail.Status.PENDING) | Q(status=OrderEmail.Status.SENDING)
    email = (OrderEmail.objects.select_for_update(skip_locked=True)
             .filter(due, order_id=order_id, kind=kind, next_attempt_at__lte=now).first())
    if email is None:
        return None
    email.status, email.attempts = OrderEmail.Status.SENDING, email.attempts + 1
    email.next_attempt_at = now + LEASE
    email.save(update_fields=["status", "attempts", "next_attempt_at"])
    return email


def _settle_claim(email: OrderEmail, **changes) -> bool:
    """Write the outcome of a claimed attempt; a dropped database connection is retried.

    Giving up here would leave the row `sending` until its lease ends (and a sent email
    to be sent again then), so a connection cut (a failover, a terminated backend) gets a
    few tries on a fresh connection first.
    """
    for attempt in range(3):
        try:
            return bool(OrderEmail.objects.filter(
                pk=email.pk, status=OrderEmail.Status.SENDING, attempts=email.attempts,
            ).update(**changes))
        except (OperationalError, InterfaceError):
            if attempt == 2 or connection.in_atomic_block:
                raise
            connection.close()
            time.sleep(0.2 * (attempt + 1))
    return False  # pragma: no cover - the loop returns or raises


def _mark_sent(email: OrderEmail) -> bool:
    return _settle_claim(email, status=OrderEmail.Status.SENT, sent_at=timezone.now(),
                         last_error="")


def order_email_deliver(*, order_id: int, kind: str, now: datetime | None = None) -> OrderEmail | None:
    """Send the owed `kind` email of order `order_id` once; return its row, or None.

    None means there was nothing to send now: no such row (an email nobody owed), already
    sent or failed, another runner holds it, or its back-off has not passed. Call it outside
    a transaction: the SMTP conversation must not hold database locks.
    """
    now = now or timezone.now()
    email = _claim(order_id=order_id, kind=kind, now=now)
    if email is None:
        return None
    try:
        emails.order_email_send(order_id=order_id, kind=kind)
    except Exception as exc:  # noqa: BLE001 - any trouble is retried later, never lost
        log.warning("order email %s of order %s: attempt %s failed: %r",
                    kind, order_id, email.attempts, exc)
        gave_up = email.attempts >= MAX_ATTEMPTS
        _settle_claim(
            email, status=OrderEmail.Status.FAILED if gave_up else OrderEmail.Status.PENDING,
            next_attempt_at=now + retry_delay(email.attempts), last_error=repr(exc)[:255],
        )
        if gave_up:
            log.error("order email %s of order %s failed for good: %r", kind, order_id, exc)
            task_failure_record(SEND_TASK)  # the task-failure alert sees it
    else:
        _mark_sent(email)
    email.refresh_from_db()
    return email
