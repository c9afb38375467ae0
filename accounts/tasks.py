"""Celery entry points of the webhooks: take ids, call one service; each is safe to run twice."""

from celery import shared_task

from accounts import webhooks
from shop.celery import RETRYING


@shared_task(**RETRYING)
def webhook_dispatch_task(event_id: int) -> list[int]:
    return webhooks.webhook_dispatch(event_id=event_id)


@shared_task(**RETRYING)
def webhook_deliver_task(delivery_id: int) -> str:
    # The attempt is claimed by a conditional UPDATE: a duplicate task does nothing.
    return webhooks.webhook_deliver(delivery_id=delivery_id)


@shared_task(**RETRYING)
def webhooks_sweep_task() -> dict:
    return webhooks.webhooks_sweep()
