"""/metrics: business counters in the Prometheus text format, for a token or staff only."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.test import APIClient

from orders.gateways.dummy import payment_simulate
from orders.models import Order, OrderEmail, OrderEvent
from orders.services import orders_outbox_sweep
from orders.tests.factories import ADDRESS, SkuFactory, UserFactory, place
from shop.celery import app
from shop.metrics import count

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token-for-tests"


@pytest.fixture
def scrape(client, settings):
    """Read /metrics with the token; return {(name, labels): value}."""
    settings.SHOP_METRICS_TOKEN = TOKEN

    def read() -> dict:
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain; version=")
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.content.decode())
            for sample in family.samples
        }

    return read


def _pay(api, number, outcome):
    return api.post(f"/api/v1/orders/{number}/pay/", {"gateway": "dummy", "outcome": outcome},
                    format="json")


def test_metrics_count_orders_placed_and_payments_approved_and_declined(
    scrape, django_capture_on_commit_callbacks
):
    before = scrape()
    api = APIClient()
    api.force_authenticate(UserFactory())
    sku = SkuFactory(price=Decimal("50.00"), stock=10)
    with django_capture_on_commit_callbacks(execute=True):
        numbers = [api.post("/api/v1/orders/", {"address": ADDRESS, "lines": [
            {"sku": sku.code, "quantity": 1}]}, format="json").json()["number"] for _ in range(3)]
        assert _pay(api, numbers[0], "approve").status_code == 200
        assert _pay(api, numbers[1], "decline").status_code == 402
        assert _pay(api, numbers[2], "approve").status_code == 200

    after = scrape()

    def delta(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert delta("shop_orders_placed_total") == 3
    assert delta("shop_payments_total", outcome="approved") == 2
    assert delta("shop_payments_total", outcome="declined") == 1


def test_an_order_rolled_back_is_not_counted(scrape, django_capture_on_commit_callbacks):
    from django.db import transaction

    before = scrape().get(("shop_orders_placed_total", ()), 0)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            place(skus=[SkuFactory()])
            raise RuntimeError("the caller's transaction fails after placing")

    assert scrape().get(("shop_orders_placed_total", ()), 0) == before


def test_flash_attempts_are_counted_by_outcome_through_the_helper(scrape):
    before = scrape().get(("shop_flash_attempts_total", (("outcome", "sold_out"),)), 0)

    count("flash_attempts", outcome="sold_out")
    count("flash_attempts", outcome="sold_out")

    assert scrape()[("shop_flash_attempts_total", (("outcome", "sold_out"),))] == before + 2


def test_the_helper_refuses_a_counter_that_does_not_exist():
    with pytest.raises(KeyError):
        count("orders_placd")


def test_settlement_lag_is_the_age_of_the_oldest_paid_order_not_yet_settled(scrape):
    assert scrape()[("shop_settlement_lag_seconds", ())] == 0
    order = place(skus=[SkuFactory(price=Decimal("20.00"))])
    # Paid, and its settle message lost: on_commit callbacks of this test never run.
    Order.objects.filter(pk=order.pk).update(status=Order.Status.PAID)
    OrderEvent.objects.create(order=order, from_status="pending_payment", to_status="paid",
                              note="Paid")
    OrderEvent.objects.filter(order=order, to_status="paid").update(
        created_at=timezone.now() - timedelta(minutes=7))

    lag = scrape()[("shop_settlement_lag_seconds", ())]

    assert 7 * 60 <= lag < 8 * 60


def test_the_email_outbox_age_is_the_age_of_the_oldest_email_not_yet_sent(scrape):
    assert scrape()[("shop_email_outbox_age_seconds", ())] == 0
    order = place(skus=[SkuFactory(price=Decimal("20.00"))])  # its "placed" email is owed
    OrderEmail.objects.filter(order=order).update(created_at=timezone.now() - timedelta(minutes=3))

    age = scrape()[("shop_email_outbox_age_seconds", ())]

    assert 3 * 60 <= age < 4 * 60


def test_work_the_outbox_sweep_recovers_is_counted_by_kind(scrape):
    order = place(skus=[SkuFactory(price=Decimal("20.00"))])
    payment_simulate(order=order, outcome="approve")  # the messages of this test are lost
    key = ("shop_sweep_recovered_total", (("kind", "settlement"),))
    before = scrape().get(key, 0)

    orders_outbox_sweep(now=timezone.now() + timedelta(minutes=1))

    after = scrape()
    assert after[key] == before + 1
    assert ("shop_sweep_recovered_total", (("kind", "email"),)) in after


def test_a_task_that_fails_for_good_is_counted(scrape):
    @app.task(name="shop.tests.always_fails", bind=False)
    def always_fails():
        raise ValueError("broken on purpose")

    key = ("shop_task_failures_total", (("task", "shop.tests.always_fails"),))
    before = scrape().get(key, 0)

    # As a worker runs it: the error is recorded (task_failure), not raised to the caller.
    result = always_fails.apply(throw=False)

    assert isinstance(result.result, ValueError)
    assert scrape()[key] == before + 1


@pytest.mark.redis
def test_queue_depth_is_read_from_redis_for_each_queue(scrape, settings):
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete("emails")
    client.rpush("emails", "m1", "m2", "m3")
    try:
        samples = scrape()
    finally:
        client.delete("emails")

    assert samples[("shop_queue_depth", (("queue", "emails"),))] == 3
    assert {labels[0][1] for (name, labels) in samples if name == "shop_queue_depth"} == set(
        settings.SHOP_CELERY_QUEUES)


def test_webhook_failures_are_skipped_while_no_delivery_table_exists(scrape):
    assert not any(name == "shop_webhook_deliveries_failing" for name, _ in scrape())


def test_anonymous_scrapes_are_refused_with_debug_off(client, settings):
    settings.DEBUG = False
    settings.SHOP_METRICS_TOKEN = TOKEN

    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=TOKEN).status_code == 403


def test_without_a_token_setting_no_bearer_is_accepted(client, settings):
    settings.SHOP_METRICS_TOKEN = ""

    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_a_shopper_is_refused_and_staff_may_read(client):
    client.force_login(UserFactory())
    assert client.get("/metrics").status_code == 403

    client.force_login(UserFactory(is_staff=True))
    response = client.get("/metrics")
    assert response.status_code == 200
    assert b"shop_orders_placed_total" in response.content


def test_failing_webhook_deliveries_are_counted_when_the_delivery_table_exists(scrape, settings):
    from django.db import connection

    settings.SHOP_WEBHOOK_DELIVERY_TABLE = "test_webhook_delivery"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE test_webhook_delivery (id integer, status varchar(20))")
        cursor.execute("INSERT INTO test_webhook_delivery VALUES "
                       "(1, 'failed'), (2, 'delivered'), (3, 'failed')")

    assert scrape()[("shop_webhook_deliveries_failing", ())] == 2


def test_debug_alone_does_not_open_metrics_the_explicit_switch_does(client, settings):
    settings.DEBUG = True
    settings.SHOP_METRICS_OPEN_IN_DEBUG = False
    assert client.get("/metrics").status_code == 403

    settings.SHOP_METRICS_OPEN_IN_DEBUG = True
    assert client.get("/metrics").status_code == 200

    settings.DEBUG = False  # the switch means nothing in production
    assert client.get("/metrics").status_code == 403
