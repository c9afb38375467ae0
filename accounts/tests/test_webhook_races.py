"""Webhook deliveries under concurrency: one POST per attempt, one delivery per subscription."""

import uuid

import pytest

from accounts.models import WebhookAttempt, WebhookDelivery, WebhookEvent
from accounts.tests.receiver import Receiver
from accounts.webhooks import subscription_create, webhook_deliver, webhook_dispatch
from shop.testing import run_concurrently

pytestmark = [pytest.mark.postgres]


@pytest.fixture
def allow_private(settings):
    settings.SHOP_WEBHOOK_ALLOW_PRIVATE = True


def _event() -> WebhookEvent:
    return WebhookEvent.objects.create(uuid=uuid.uuid4(), type="stock.low", stream="sku:1",
                                       data={"sku": "A", "stock": 1})


def test_workers_racing_for_one_delivery_post_it_once(transactional_db, allow_private):
    with Receiver() as receiver:
        subscription = subscription_create(url=receiver.url, events=["stock.low"])
        event = _event()
        # Made directly: a dispatch would queue (and, eagerly, send) it first.
        WebhookEvent.objects.filter(pk=event.pk).update(dispatched_at=event.created_at)
        delivery = WebhookDelivery.objects.create(
            event=event, subscription=subscription, stream=event.stream,
            retry_until=event.created_at.replace(year=2100))

        results = run_concurrently(8, lambda i: webhook_deliver(delivery_id=delivery.pk))

    assert sorted(results) == ["delivered"] + ["not_due"] * 7
    assert len(receiver.requests) == 1
    assert WebhookAttempt.objects.count() == 1


def test_two_dispatches_of_one_event_make_one_delivery_per_subscription(transactional_db,
                                                                         allow_private,
                                                                         monkeypatch):
    from accounts import webhooks

    monkeypatch.setattr(webhooks, "_enqueue", lambda *args, **kwargs: None)  # no POSTs here
    subscription_create(url="http://127.0.0.1:9/a", events=["stock.low"])
    subscription_create(url="http://127.0.0.1:9/b", events=["stock.low"])
    event = _event()

    run_concurrently(2, lambda i: webhook_dispatch(event_id=event.pk))

    assert WebhookDelivery.objects.filter(event=event).count() == 2
