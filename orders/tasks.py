"""Celery entry points: take ids, call one service; each is safe to run twice."""

from celery import shared_task

from orders import emails, services
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
def orders_settle_stragglers_task() -> int:
    return services.orders_settle_stragglers()


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def order_email_task(order_id: int, kind: str) -> None:
    emails.order_email_send(order_id=order_id, kind=kind)
