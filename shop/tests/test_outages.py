"""Redis down: pages, placement and payment still answer; queued work waits for the sweeps.

Redis is pointed at a closed port (nothing listens on port 1) for the cache, the broker and
the result backend alike, as when the Redis server is stopped.
"""

import logging
import socket
import time
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from orders.models import Order, OrderEmail
from orders.tests.factories import ADDRESS, SkuFactory, UserFactory
from shop import celery as shop_celery
from shop.celery import app, enqueue_on_commit

DOWN = "redis://127.0.0.1:1/0"

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _reset_celery_connections():
    app._pool = None
    app.amqp._producer_pool = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def redis_down(settings):
    """The cache, the broker and the result backend all point at a Redis that is not there."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": DOWN}}
    settings.REDIS_URL = DOWN
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=DOWN, result_backend=DOWN, task_always_eager=False)
    _reset_celery_connections()
    yield
    app.conf.update(saved)
    _reset_celery_connections()


def _failures(task_name):
    from shop.metrics import COUNTERS

    return COUNTERS["enqueue_failures"].labels(task=task_name)._value.get()


def test_the_catalogue_renders_from_the_database_with_the_cache_down(client, redis_down):
    sku = SkuFactory(price=Decimal("9.00"))

    assert client.get("/").status_code == 200
    assert client.get(f"/p/{sku.product.slug}/").status_code == 200
    assert client.get("/api/v1/products/").status_code == 200


def test_an_order_is_placed_and_paid_with_redis_down_and_the_lost_messages_counted(
    redis_down, caplog
):
    api = APIClient()
    api.force_authenticate(UserFactory())
    sku = SkuFactory(price=Decimal("40.00"), stock=3)
    email_failures = _failures("orders.tasks.order_email_task")
    settle_failures = _failures("orders.tasks.order_settle_task")

    placed = api.post("/api/v1/orders/", {"address": ADDRESS, "lines": [
        {"sku": sku.code, "quantity": 1}]}, format="json")
    started = time.monotonic()
    paid = api.post(f"/api/v1/orders/{placed.json()['number']}/pay/",
                    {"gateway": "dummy", "outcome": "approve"}, format="json")
    elapsed = time.monotonic() - started

    assert (placed.status_code, paid.status_code) == (201, 200)
    # The due-markers committed with the payment: the order is owed its settlement (paid,
    # not settled) and its emails (outbox rows); the outbox sweep does them.
    order = Order.objects.get()
    assert order.status == Order.Status.PAID
    assert dict(OrderEmail.objects.filter(order=order).values_list("kind", "status")) == {
        "placed": "pending", "paid": "pending"}
    # Five messages lost (placed and paid emails, settle, two webhook dispatches), each
    # logged and counted.
    assert _failures("orders.tasks.order_email_task") == email_failures + 2
    assert _failures("orders.tasks.order_settle_task") == settle_failures + 1
    lost = [r for r in caplog.records if r.getMessage().startswith("queueing ")]
    assert len(lost) == 5 and all(r.levelno == logging.ERROR for r in lost)
    assert elapsed < 1.5  # bounded broker timeouts: paying does not wait for Redis


def test_enqueue_on_commit_logs_and_counts_a_broker_failure_instead_of_raising(redis_down):
    before = _failures("shop.ping")

    from django.db import transaction

    with transaction.atomic():
        enqueue_on_commit("shop.ping", 1)

    assert _failures("shop.ping") == before + 1


def test_publishing_to_a_down_broker_gives_up_at_once(redis_down):
    started = time.monotonic()

    assert shop_celery.publish(shop_celery.ping, (1,), {}) is False

    assert time.monotonic() - started < 1


@pytest.fixture
def redis_hanging(settings):
    """A broker that accepts connections and never answers (a hung or overloaded Redis)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)  # the kernel completes handshakes; nothing ever reads or replies
    url = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    _reset_celery_connections()
    yield
    app.conf.update(saved)
    _reset_celery_connections()
    listener.close()


def test_publishing_to_a_hung_broker_gives_up_within_about_a_second(redis_hanging):
    before = _failures("shop.ping")
    started = time.monotonic()

    assert shop_celery.publish(shop_celery.ping, (1,), {}) is False

    assert time.monotonic() - started < 2
    assert _failures("shop.ping") == before + 1


def test_healthz_keeps_the_node_in_the_load_balancer_and_says_redis_is_down(client, redis_down):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": True, "redis": False}
