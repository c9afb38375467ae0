"""Celery entry points: take ids, call one service; each is safe to run twice."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from orders import services
from orders.models import OrderEmail, Refund
from shop.celery import RETRYING


@shared_task(**RETRYING)
def order_settle_task(order_id: int) -> None:
    services.order_settle(order_id=order_id)  # refuses to settle twice


@shared_task(**RETRYING)
def order_fulfil_task(order_id: int) -> None:
    services.shipment_prepare(order_id=order_id)  # opens at most one shipment


@shared_task(**RETRYING)
def orders_cancel_unpaid_task() -> int:
    return services.orders_cancel_unpaid()


@shared_task(**RETRYING)
def orders_complete_shipped_task() -> int:
    return services.orders_complete_shipped()


@shared_task(**RETRYING)
def orders_outbox_sweep_task() -> dict[str, int]:
    return services.orders_outbox_sweep()


@shared_task(**RETRYING)
def orders_settle_stragglers_task() -> dict[str, int]:
    """The outbox sweep under its former name, for a beat schedule row that still names it."""
    return services.orders_outbox_sweep()


# A dropped database connection (a failover, a terminated backend) is retried like a
# network error: the row is claimed before sending, so a retry never sends twice.
@shared_task(bind=True, acks_late=True, autoretry_for=(OSError, OperationalError, InterfaceError),
             retry_backoff=True, max_retries=5)
def order_email_task(self, order_id: int, kind: str) -> str | None:
    """Send an owed order email once; on a failed send, try again after its back-off.

    Run eagerly it tries once and leaves the rest to the outbox sweep (an eager retry
    would run at once, inside the request that queued it).
    """
    email = services.order_email_deliver(order_id=order_id, kind=kind)
    if email is None or email.status != OrderEmail.Status.PENDING:
        return email and email.status
    if not self.request.is_eager and self.request.retries < self.max_retries:
        wait = (email.next_attempt_at - timezone.now()).total_seconds()
        raise self.retry(countdown=max(wait, 1))
    return email.status


@shared_task(bind=True, **RETRYING)
def refund_send_task(self, refund_id: int) -> str | None:
    """Pay a recorded refund through its gateway; on passing trouble, try again after its back-off.

    Run eagerly (no broker) it tries once and leaves the rest to refunds_retry_due_task:
    an eager retry would run at once, inside the request that queued it.
    """
    refund = services.refund_send(refund_id=refund_id)
    if refund is None or refund.status != Refund.Status.PENDING:
        return refund and refund.status
    # After its own few retries the task stops; the sweep keeps trying on the same back-off.
    if not self.request.is_eager and self.request.retries < self.max_retries:
        wait = (refund.next_attempt_at - timezone.now()).total_seconds()
        raise self.retry(countdown=max(wait, 1))
    return refund.status


@shared_task(**RETRYING)
def refunds_retry_due_task() -> int:
    return services.refunds_retry_due()
