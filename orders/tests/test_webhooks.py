"""Webhooks end to end: an order's events reach a receiver in order, signed, retried, swept."""

from datetime import timedelta

import pytest
import time_machine
from celery import Celery
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable
from rest_framework.test import APIClient

from accounts import webhooks as accounts_webhooks
from accounts.models import WebhookAttempt, WebhookDelivery, WebhookEvent
from accounts.partner_keys import apikey_create
from accounts.tests.factories import UserFactory
from accounts.tests.receiver import Receiver, signature_valid
from accounts.webhooks import subscription_create, webhooks_sweep
from catalog.services import stock_sync
from catalog.tests.factories import SkuFactory
from orders.gateways.dummy import payment_simulate
from orders.models import Shipment
from orders.services import order_confirm, order_ship
from orders.services.tracking import shipment_event_add
from orders.tests.factories import place
from shop import celery as shop_celery

ORDER_EVENTS = ["order.placed", "order.paid", "order.cancelled", "order.shipped",
                "order.delivered", "order.completed", "order.refunded"]


@pytest.fixture
def allow_private(settings):
    settings.SHOP_WEBHOOK_ALLOW_PRIVATE = True


def _ship_and_deliver(order):
    order_ship(order=order, carrier="SF Express", tracking_number="SF1")
    shipment = Shipment.objects.get(order=order, status=Shipment.Status.SHIPPED)
    shipment_event_add(shipment=shipment, status="in_transit", location="Hangzhou hub")
    shipment_event_add(shipment=shipment, status="delivered")
    order.refresh_from_db()
    return order


def test_an_orders_life_reaches_the_receiver_in_order_and_signed(transactional_db,
                                                                 allow_private):
    with Receiver() as receiver:
        subscription = subscription_create(url=receiver.url, events=ORDER_EVENTS)

        order = place()
        payment_simulate(order=order, outcome="approve")  # settles at once (eager tasks)
        order.refresh_from_db()
        order = _ship_and_deliver(order)
        order_confirm(order=order)

    types = [event["type"] for event in receiver.events]
    assert types == ["order.placed", "order.paid", "order.shipped", "order.delivered",
                     "order.completed"]
    assert all(signature_valid(request, subscription.secret) for request in receiver.requests)
    assert not any(signature_valid(request, "whsec_other") for request in receiver.requests)
    for request, event in zip(receiver.requests, receiver.events):
        assert request["headers"]["X-Shop-Event"] == event["type"]
        assert request["headers"]["X-Shop-Delivery"] == event["id"]
        assert set(event) == {"id", "type", "created_at", "data"}
        assert event["data"]["number"] == order.number
    statuses = [event["data"]["status"] for event in receiver.events]
    assert statuses == ["pending_payment", "paid", "shipped", "shipped", "completed"]
    assert receiver.events[3]["data"]["delivered_at"] is not None


def test_a_receiver_answering_500_gets_the_same_delivery_again_and_the_log_shows_it(
        transactional_db, allow_private):
    admin = UserFactory(is_staff=True, is_superuser=True)
    with Receiver(answers=[500]) as receiver:
        subscription = subscription_create(url=receiver.url, events=["order.placed"])
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            place()
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            "pending", 1, 500)
        # The first retry is due within 30 s; the sweep sends it once the task is overdue.
        assert delivery.next_attempt_at - start <= timedelta(seconds=30)
        with time_machine.travel(delivery.next_attempt_at + timedelta(seconds=11), tick=False):
            webhooks_sweep()
            webhooks_sweep()  # nothing is due any more: no third POST

    ids = [request["headers"]["X-Shop-Delivery"] for request in receiver.requests]
    assert len(ids) == 2 and ids[0] == ids[1]
    assert [a.status_code for a in WebhookAttempt.objects.order_by("at")] == [500, 200]
    client = APIClient()
    client.force_authenticate(admin)
    log = client.get(f"/api/v1/webhooks/{subscription.pk}/deliveries/").json()["results"]
    assert log == [{
        "event_id": ids[0], "type": "order.placed", "status": "delivered", "attempts": 2,
        "last_status_code": 200, "last_attempt_at": log[0]["last_attempt_at"],
        "next_attempt_at": log[0]["next_attempt_at"],
    }]


def test_a_later_event_of_an_order_waits_for_the_earlier_one(transactional_db, allow_private):
    with Receiver(answers=[503]) as receiver:
        subscription_create(url=receiver.url, events=ORDER_EVENTS)
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            order = place()
            payment_simulate(order=order, outcome="approve")
        assert [e["type"] for e in receiver.events] == ["order.placed"]  # the 503; paid waits
        with time_machine.travel(start + timedelta(minutes=1), tick=False):
            webhooks_sweep()

    assert [e["type"] for e in receiver.events] == ["order.placed", "order.placed", "order.paid"]


def test_a_delivery_failing_for_the_whole_window_is_marked_failed(transactional_db,
                                                                  allow_private, settings):
    settings.SHOP_WEBHOOK_RETRY_HOURS = 24
    with Receiver(answers=[500] * 100) as receiver:
        subscription_create(url=receiver.url, events=["order.placed"])
        now = timezone.now()
        with time_machine.travel(now, tick=False):
            place()
        while WebhookDelivery.objects.get().status == "pending":
            now = WebhookDelivery.objects.get().next_attempt_at + timedelta(seconds=11)
            with time_machine.travel(now, tick=False):
                webhooks_sweep()

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"
    assert delivery.attempts == len(receiver.requests) == WebhookAttempt.objects.count()
    assert delivery.last_attempt_at - delivery.created_at >= timedelta(hours=23)


def test_an_event_whose_task_was_lost_to_a_broker_outage_is_delivered_once_by_the_sweep(
        transactional_db, allow_private, monkeypatch):
    with Receiver() as receiver:
        subscription_create(url=receiver.url, events=["order.placed", "order.paid"])
        order = place()

        real_task_named = accounts_webhooks.task_named
        # The webhook tasks are sent to a broker nobody listens on: a real refused connection.
        dead_broker = Celery("outage", broker="redis://127.0.0.1:1/0", set_as_current=False)

        class ViaDeadBroker:
            def __init__(self, name):
                self.name = name

            def apply_async(self, args=(), kwargs=None, countdown=None, **options):
                return dead_broker.send_task(self.name, args=args, countdown=countdown,
                                             retry=False)

        # Every task of the payment goes to the dead broker, as in production (not eager).
        monkeypatch.setattr(accounts_webhooks, "task_named", ViaDeadBroker)
        monkeypatch.setattr(shop_celery, "task_named", ViaDeadBroker)
        with pytest.raises(BrokerUnreachable):  # it really is unreachable
            dead_broker.send_task("accounts.tasks.webhook_dispatch_task", args=(0,), retry=False)
        shop_celery.app.conf.task_always_eager = False
        payment_simulate(order=order, outcome="approve")  # the change commits all the same
        shop_celery.app.conf.task_always_eager = True
        monkeypatch.setattr(shop_celery, "task_named", real_task_named)
        assert [e["type"] for e in receiver.events] == ["order.placed"]
        assert WebhookEvent.objects.filter(type="order.paid", dispatched_at__isnull=True).exists()

        monkeypatch.setattr(accounts_webhooks, "task_named", real_task_named)  # the broker is back
        with time_machine.travel(timezone.now() + timedelta(seconds=30), tick=False):
            webhooks_sweep()
            webhooks_sweep()

    assert [e["type"] for e in receiver.unique_events()] == ["order.placed", "order.paid"]
    assert [e["type"] for e in receiver.events].count("order.paid") == 1


def test_a_sku_falling_to_the_low_stock_level_is_reported_once(transactional_db, allow_private,
                                                               settings):
    settings.SHOP_LOW_STOCK = 5
    sku = SkuFactory(stock=7)
    with Receiver() as receiver:
        subscription_create(url=receiver.url, events=["stock.low"])
        place(skus=[sku], quantity=1)  # 6: above the level
        place(skus=[sku], quantity=2)  # 4: falls to it
        place(skus=[sku], quantity=1)  # 3: was low already
        stock_sync(items=[(sku.code, 50)])
        stock_sync(items=[(sku.code, 2)])  # the WMS counted few

    assert [e["data"] for e in receiver.events] == [{"sku": sku.code, "stock": 4},
                                                    {"sku": sku.code, "stock": 2}]


# --- Query budget: the outbox row is the only query an event adds ---------------------------


def _queries(operation) -> int:
    with CaptureQueriesContext(connection) as captured:
        operation()
    return len(captured)


@pytest.mark.django_db
def test_writing_an_event_adds_at_most_one_query_to_paying(monkeypatch,
                                                           django_assert_max_num_queries):
    first, second = place(), place()
    with monkeypatch.context() as patched:
        patched.setattr("orders.webhooks.event_record", lambda **kwargs: None)
        without_outbox = _queries(lambda: payment_simulate(order=first, outcome="approve"))

    with django_assert_max_num_queries(without_outbox + 1):
        payment_simulate(order=second, outcome="approve")
    assert WebhookEvent.objects.filter(type="order.paid").count() == 1


@pytest.mark.django_db
def test_writing_an_event_adds_at_most_one_query_to_placing(monkeypatch,
                                                            django_assert_max_num_queries):
    user, skus = UserFactory(), [SkuFactory(), SkuFactory()]
    place(user=user, skus=skus)  # warm: the first order of a user reads more
    with monkeypatch.context() as patched:
        patched.setattr("orders.webhooks.event_record", lambda **kwargs: None)
        without_outbox = _queries(lambda: place(user=user, skus=skus))

    with django_assert_max_num_queries(without_outbox + 1):
        place(user=user, skus=skus)


@pytest.mark.django_db
def test_a_low_stock_event_adds_at_most_one_query_to_placing(monkeypatch, settings,
                                                             django_assert_max_num_queries):
    settings.SHOP_LOW_STOCK = 5
    user = UserFactory()
    place(user=user)
    quiet, falling = SkuFactory(stock=100), SkuFactory(stock=6)
    without_event = _queries(lambda: place(user=user, skus=[quiet]))

    with django_assert_max_num_queries(without_event + 1):
        place(user=user, skus=[falling])
    assert WebhookEvent.objects.filter(type="stock.low").count() == 1


# --- Webhook subscriptions by API ------------------------------------------------------------


def _key_client(*scopes):
    _, raw = apikey_create(name="CRM", scopes=list(scopes))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return client


@pytest.mark.django_db
def test_a_key_with_webhooks_manage_subscribes_and_sees_the_secret_once(allow_private):
    client = _key_client("webhooks:manage")

    made = client.post("/api/v1/webhooks/", {"url": "http://127.0.0.1:9/hooks",
                                             "events": ["order.paid"]}, format="json")
    listed = client.get("/api/v1/webhooks/")
    other = _key_client("webhooks:manage").get("/api/v1/webhooks/")

    assert made.status_code == 201, made.content
    assert set(made.json()) == {"id", "url", "events", "secret", "is_active", "created_at"}
    assert made.json()["secret"].startswith("whsec_")
    assert "secret" not in listed.json()["results"][0]
    assert other.json()["count"] == 0  # a key manages its own subscriptions
    assert client.delete(f"/api/v1/webhooks/{made.json()['id']}/").status_code == 204


@pytest.mark.django_db
def test_a_key_without_webhooks_manage_cannot_subscribe():
    response = _key_client("orders:read").post(
        "/api/v1/webhooks/", {"url": "https://example.com/h", "events": ["order.paid"]},
        format="json")

    assert response.status_code == 403


def test_redeliver_sends_the_same_event_id_again(transactional_db, allow_private):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = APIClient()
    client.force_authenticate(admin)
    with Receiver() as receiver:
        subscription = subscription_create(url=receiver.url, events=["order.placed"])
        place()
        event_id = receiver.events[0]["id"]

        response = client.post(
            f"/api/v1/webhooks/{subscription.pk}/deliveries/{event_id}/redeliver/")

    assert response.status_code == 202
    assert [e["id"] for e in receiver.events] == [event_id, event_id]


# --- The production path: a real worker on the Redis broker ----------------------------------


@pytest.fixture
def allow_private_everywhere(monkeypatch, settings):
    """Allow the loopback receiver here and in the worker process (it reads the environment)."""
    monkeypatch.setenv("SHOP_WEBHOOK_ALLOW_PRIVATE", "1")
    settings.SHOP_WEBHOOK_ALLOW_PRIVATE = True


@pytest.mark.redis
@pytest.mark.postgres
def test_a_real_worker_delivers_an_orders_events_within_seconds(allow_private_everywhere,
                                                                celery_worker_process):
    import time

    with Receiver() as receiver:
        subscription = subscription_create(url=receiver.url, events=["order.placed",
                                                                     "order.paid"])
        order = place()
        payment_simulate(order=order, outcome="approve")
        deadline = time.monotonic() + 30
        while len(receiver.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)

    if len(receiver.requests) < 2:
        pytest.fail(f"not delivered in 30 s; worker said:\n{celery_worker_process.output()}")
    assert [e["type"] for e in receiver.events] == ["order.placed", "order.paid"]
    assert all(signature_valid(request, subscription.secret) for request in receiver.requests)


@pytest.mark.django_db
def test_cancelling_and_refunding_write_their_events():
    from orders.services import order_cancel, order_refund, order_settle

    cancelled = place()
    order_cancel(order=cancelled)
    refunded = place()
    payment_simulate(order=refunded, outcome="approve")
    order_settle(order_id=refunded.pk)
    refunded.refresh_from_db()
    order_refund(order=refunded)

    def types(order):
        return list(WebhookEvent.objects.filter(stream=f"order:{order.pk}")
                    .order_by("pk").values_list("type", flat=True))

    assert types(cancelled) == ["order.placed", "order.cancelled"]
    assert types(refunded) == ["order.placed", "order.paid", "order.refunded"]
