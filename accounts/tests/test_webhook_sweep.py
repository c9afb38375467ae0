"""The sweep: beat runs it, and it sends what a killed worker left claimed but unsent."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from accounts.models import WebhookDelivery, WebhookEvent
from accounts.tests.receiver import Receiver
from accounts.webhooks import ATTEMPT_LEASE, subscription_create, webhooks_sweep


def test_beat_runs_the_sweep_at_least_every_30_seconds():
    from shop.celery import app, task_named

    entry = settings.CELERY_BEAT_SCHEDULE["accounts: webhooks sweep"]

    assert task_named(entry["task"]) is app.tasks["accounts.tasks.webhooks_sweep_task"]
    assert entry["schedule"] <= timedelta(seconds=30)


def test_a_delivery_whose_worker_died_mid_attempt_is_sent_after_its_lease(transactional_db,
                                                                          settings):
    settings.SHOP_WEBHOOK_ALLOW_PRIVATE = True
    with Receiver() as receiver:
        subscription = subscription_create(url=receiver.url, events=["stock.low"])
        now = timezone.now()
        event = WebhookEvent.objects.create(uuid=uuid.uuid4(), type="stock.low",
                                            stream="sku:1", data={"sku": "A", "stock": 1},
                                            dispatched_at=now)
        # What a worker leaves when it is killed after claiming the attempt, before the POST.
        WebhookDelivery.objects.create(event=event, subscription=subscription,
                                       stream=event.stream, next_attempt_at=now + ATTEMPT_LEASE,
                                       retry_until=now + timedelta(hours=25))

        with time_machine.travel(now + timedelta(seconds=30), tick=False):
            webhooks_sweep()
        assert receiver.requests == []  # still leased: the worker might be alive
        with time_machine.travel(now + ATTEMPT_LEASE + timedelta(seconds=11), tick=False):
            webhooks_sweep()

    assert [request["headers"]["X-Shop-Delivery"] for request in receiver.requests] == [
        str(event.uuid)]
    assert WebhookDelivery.objects.get().status == "delivered"


@pytest.mark.django_db
def test_the_sweep_purges_finished_events_after_the_keep_period(settings):
    settings.SHOP_WEBHOOK_KEEP_DAYS = 30
    old = timezone.now() - timedelta(days=31)
    WebhookEvent.objects.create(uuid=uuid.uuid4(), type="stock.low", stream="sku:1",
                                data={}, created_at=old, dispatched_at=old)
    kept = WebhookEvent.objects.create(uuid=uuid.uuid4(), type="stock.low", stream="sku:2",
                                       data={}, created_at=timezone.now(),
                                       dispatched_at=timezone.now())

    webhooks_sweep()

    assert list(WebhookEvent.objects.all()) == [kept]
