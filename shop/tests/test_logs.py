"""Logs: one JSON object a line, each with the request id the response carries back."""

import io
import json
import logging
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from orders.tests.factories import ADDRESS, SkuFactory, UserFactory
from shop import context
from shop.celery import REQUEST_ID_HEADER, bind_request_id, pass_request_id, unbind_request_id
from shop.middleware import request_id_from


@pytest.fixture
def log_lines():
    """What the configured console handler writes during the test, as a list of lines."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield lambda: stream.getvalue().splitlines()
    handler.setStream(previous)


def _records(lines):
    return [json.loads(line) for line in lines]  # fails on any line that is not JSON


@pytest.mark.django_db
def test_every_log_line_of_a_request_is_json_with_the_id_the_response_carries(
    client, settings, log_lines
):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # the health check logs a warning

    response = client.get("/healthz")

    records = _records(log_lines())
    messages = [r["message"] for r in records]
    assert "GET /healthz 200" in messages
    assert any(m.startswith("healthz: redis check failed") for m in messages)  # from the view
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert {r["request_id"] for r in records} == {request_id}
    assert {"timestamp", "level", "logger", "user_id", "order_number"} <= set(records[0])


@pytest.mark.django_db
def test_a_sane_incoming_request_id_is_kept_and_returned(client, log_lines):
    response = client.get("/ping", HTTP_X_REQUEST_ID="lb-7f3a:0001.retry_2")

    assert response["X-Request-ID"] == "lb-7f3a:0001.retry_2"
    assert _records(log_lines())[-1]["request_id"] == "lb-7f3a:0001.retry_2"


@pytest.mark.parametrize("hostile", [
    "a" * 129,                       # longer than any id a proxy makes
    "abc\nGET /admin 200",           # a forged second log line
    "ид-запроса",                    # non-ASCII
    "abc def",                       # a space
    "",
])
def test_a_hostile_request_id_is_replaced(hostile):
    replaced = request_id_from(hostile)

    assert replaced != hostile
    assert re.fullmatch(r"[0-9a-f]{32}", replaced)


@pytest.mark.django_db
def test_a_hostile_request_id_header_never_reaches_the_response_or_the_logs(client, log_lines):
    response = client.get("/ping", HTTP_X_REQUEST_ID="x" * 500)

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert _records(log_lines())[-1]["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
def test_log_lines_of_an_order_page_name_the_user_and_the_order(client, log_lines):
    from orders.tests.factories import place

    user = UserFactory()
    order = place(user=user, skus=[SkuFactory(price=Decimal("20.00"))])
    client.force_login(user)
    log_lines()  # placing logged too; only the page's lines count below

    response = client.get(f"/orders/{order.number}/")

    assert response.status_code == 200
    last = _records(log_lines())[-1]
    assert (last["user_id"], last["order_number"]) == (user.pk, order.number)


@pytest.mark.django_db(transaction=True)
def test_a_task_queued_by_a_request_logs_the_request_id(log_lines):
    # Transactional: the task is queued when the request's transaction commits, inside it.
    api = APIClient()
    api.force_authenticate(UserFactory())
    sku = SkuFactory(price=Decimal("30.00"))

    response = api.post("/api/v1/orders/", {"address": ADDRESS, "lines": [
        {"sku": sku.code, "quantity": 1}]}, format="json", HTTP_X_REQUEST_ID="req-42")

    assert response.status_code == 201
    records = _records(log_lines())
    email_task = [r for r in records if r.get("task") == "orders.tasks.order_email_task"]
    assert email_task and {r["request_id"] for r in email_task} == {"req-42"}


def test_the_request_id_travels_in_the_task_message_and_binds_in_the_worker():
    token = context.request_id.set("req-from-web")
    headers = {}
    try:
        pass_request_id(headers=headers)
    finally:
        context.request_id.reset(token)
    assert headers == {REQUEST_ID_HEADER: "req-from-web"}

    # The worker side: a message carrying the header, in a process with no request.
    task = SimpleNamespace(name="orders.tasks.order_email_task",
                           request=SimpleNamespace(headers=None, **headers))
    bind_request_id(task_id="t-1", task=task)
    assert context.request_id.get() == "req-from-web"
    unbind_request_id(task_id="t-1", task=task, state="SUCCESS")
    assert context.request_id.get() is None


def test_a_task_nobody_requested_logs_under_its_own_id():
    task = SimpleNamespace(name="orders.tasks.orders_cancel_unpaid_task",
                           request=SimpleNamespace(headers=None))
    bind_request_id(task_id="beat-task-9", task=task)
    try:
        assert context.request_id.get() == "beat-task-9"
    finally:
        unbind_request_id(task_id="beat-task-9", task=task, state="SUCCESS")


@pytest.mark.redis
@pytest.mark.postgres
def test_a_real_worker_runs_a_task_under_the_request_id_of_whoever_queued_it(
    celery_worker_process,
):
    from shop.celery import request_id_task

    token = context.request_id.set("req-through-redis")
    try:
        outcome = request_id_task.delay()
    finally:
        context.request_id.reset(token)

    assert outcome.get(timeout=30) == "req-through-redis", celery_worker_process.output()
    unrequested = request_id_task.delay()  # as beat queues: no request around
    assert unrequested.get(timeout=30) == unrequested.id
