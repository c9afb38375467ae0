"""Refunds: owed inside the move's transaction, paid by the gateway after commit, once."""

import threading
import time
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone

from catalog.models import Sku
from orders.errors import RefundDeclined
from orders.gateways.dummy import DummyGateway, payment_simulate
from orders.models import Order, OrderEvent, Payment, Refund
from orders.services import (
    order_cancel,
    order_refund,
    order_settle,
    payment_refund,
    refund_send,
    refunds_retry_due,
)
from orders.services.refunds import MAX_ATTEMPTS
from orders.tasks import refund_send_task
from orders.tests.factories import SkuFactory, place
from shop.errors import InvalidTransition
from shop.testing import run_concurrently

pytestmark = pytest.mark.django_db


def _paid(**kwargs) -> Order:
    order = place(skus=[SkuFactory(stock=10, price=Decimal("50.00"))], quantity=2, **kwargs)
    payment_simulate(order=order, outcome="approve")
    order.refresh_from_db()
    return order


def _processing() -> Order:
    order = _paid()
    order_settle(order_id=order.pk)
    order.refresh_from_db()
    return order


def _gateway_refund():
    """Patch the dummy gateway's refund, still answering as it does, to count its calls."""
    real = DummyGateway.refund
    return mock.patch.object(DummyGateway, "refund", autospec=True,
                             side_effect=lambda self, **kw: real(self, **kw))


def _refunded_events(order) -> int:
    return OrderEvent.objects.filter(order=order, note__contains="refunded (").count()


# --- Acceptance: no money leaves before the commit, and it leaves once --------------------


def test_when_the_step_after_the_refund_fails_no_gateway_refund_happens_and_the_order_is_unchanged(
        django_capture_on_commit_callbacks):
    order = _processing()
    stock = Sku.objects.get(pk=order.lines.get().sku_id).stock
    with _gateway_refund() as gateway_refund, \
         mock.patch("orders.services.lifecycle.spend_reverse", side_effect=RuntimeError("down")), \
         django_capture_on_commit_callbacks(execute=True) as callbacks, \
         pytest.raises(RuntimeError):
        order_refund(order=order, restock=True)

    gateway_refund.assert_not_called()
    assert callbacks == []  # nothing was queued for after a commit that never came
    order.refresh_from_db()
    assert order.status == Order.Status.PROCESSING
    assert Payment.objects.get(order=order).status == Payment.Status.CAPTURED
    assert not Refund.objects.exists()
    assert Sku.objects.get(pk=order.lines.get().sku_id).stock == stock


def test_a_staff_cancel_that_fails_after_recording_the_refund_moves_no_money(
        django_capture_on_commit_callbacks):
    order = _paid()
    with _gateway_refund() as gateway_refund, \
         mock.patch("orders.services.lifecycle.points_reverse", side_effect=RuntimeError("down")), \
         django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        order_cancel(order=order, by_staff=True)

    gateway_refund.assert_not_called()
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    assert not Refund.objects.exists()


def test_the_refund_task_run_twice_refunds_once(django_capture_on_commit_callbacks):
    order = _paid()
    with _gateway_refund() as gateway_refund:
        with django_capture_on_commit_callbacks(execute=True):
            order_cancel(order=order, by_staff=True)
        refund = Refund.objects.get(order=order)
        refund_send_task.delay(refund.pk)  # a redelivered message, a second worker

    gateway_refund.assert_called_once()
    refund.refresh_from_db()
    payment = Payment.objects.get(order=order)
    assert (refund.status, refund.attempts) == (Refund.Status.DONE, 1)
    assert (payment.status, payment.refund_reference) == (
        Payment.Status.REFUNDED, refund.gateway_reference)
    assert refund.amount == payment.amount == order.total
    assert _refunded_events(order) == 1


def test_a_run_that_crashed_after_the_gateway_answered_asks_again_with_the_same_key():
    order = _paid()
    order_cancel(order=order, by_staff=True)  # on_commit not run: the task is "lost"
    refund = Refund.objects.get(order=order)
    with _gateway_refund() as gateway_refund:
        with mock.patch("orders.services.refunds._refund_done", side_effect=SystemExit), \
             pytest.raises(SystemExit):
            refund_send(refund_id=refund.pk)
        refund.refresh_from_db()
        assert refund.status == Refund.Status.PENDING
        # The crashed runner's lease keeps others off until it runs out.
        assert refund_send(refund_id=refund.pk) is None
        assert refunds_retry_due(now=timezone.now() + timedelta(minutes=6)) == 1

    keys = {call.kwargs["idempotency_key"] for call in gateway_refund.call_args_list}
    assert gateway_refund.call_count == 2 and keys == {refund.idempotency_key}
    refund.refresh_from_db()
    assert refund.status == Refund.Status.DONE
    assert refund.gateway_reference == DummyGateway().refund(
        payment=refund.payment, amount=refund.amount, idempotency_key=refund.idempotency_key)
    assert _refunded_events(order) == 1


# --- Retries, giving up ----------------------------------------------------------------


def test_a_gateway_outage_leaves_the_refund_pending_until_its_back_off_passes(
        django_capture_on_commit_callbacks):
    order = _paid()
    with mock.patch.object(DummyGateway, "refund", side_effect=TimeoutError("slow")), \
         django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order, by_staff=True)
    refund = Refund.objects.get(order=order)
    assert (refund.status, refund.attempts) == (Refund.Status.PENDING, 1)
    assert Payment.objects.get(order=order).status == Payment.Status.CAPTURED

    assert refunds_retry_due() == 0  # not yet: the back-off runs
    assert refunds_retry_due(now=timezone.now() + timedelta(minutes=3)) == 1
    refund.refresh_from_db()
    assert (refund.status, refund.attempts, refund.last_error) == (Refund.Status.DONE, 2, "")
    assert Payment.objects.get(order=order).status == Payment.Status.REFUNDED


def test_a_refund_the_gateway_declines_fails_for_staff_and_is_not_retried():
    order = _paid()
    order_cancel(order=order, by_staff=True)
    refund = Refund.objects.get(order=order)
    with mock.patch.object(DummyGateway, "refund",
                           side_effect=RefundDeclined("Card account closed.")) as gateway_refund:
        refund_send(refund_id=refund.pk)
        assert refunds_retry_due(now=timezone.now() + timedelta(days=1)) == 0
    gateway_refund.assert_called_once()
    refund.refresh_from_db()
    assert (refund.status, refund.last_error) == (Refund.Status.FAILED, "Card account closed.")
    assert OrderEvent.objects.filter(order=order, note__contains="failed").exists()
    assert Payment.objects.get(order=order).status == Payment.Status.CAPTURED


def test_a_refund_gives_up_after_the_last_attempt():
    order = _paid()
    order_cancel(order=order, by_staff=True)
    refund = Refund.objects.get(order=order)
    Refund.objects.filter(pk=refund.pk).update(attempts=MAX_ATTEMPTS - 1)
    with mock.patch.object(DummyGateway, "refund", side_effect=OSError("down")):
        refund_send(refund_id=refund.pk)
    refund.refresh_from_db()
    assert (refund.status, refund.attempts) == (Refund.Status.FAILED, MAX_ATTEMPTS)


def test_an_order_cancelled_before_payment_owes_no_refund():
    order = place(skus=[SkuFactory(stock=3)])
    order_cancel(order=order)
    assert not Refund.objects.exists()


def test_the_retry_sweep_is_on_the_beat_schedule():
    from shop.celery import task_named

    entries = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "orders.tasks.refunds_retry_due_task" in entries
    assert task_named("orders.tasks.refunds_retry_due_task")


def test_the_admin_shows_refunds_read_only_on_their_list_and_the_order_page(admin_client):
    from django.urls import reverse

    order = _paid()
    with mock.patch.object(DummyGateway, "refund", side_effect=RefundDeclined("Closed.")):
        order_cancel(order=order, by_staff=True)
        refund_send(refund_id=Refund.objects.get(order=order).pk)
    refund = Refund.objects.get(order=order)

    listing = admin_client.get(reverse("admin:orders_refund_changelist") + "?status__exact=failed")
    assert listing.status_code == 200 and order.number in listing.content.decode()
    page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert "Closed." in page and "Failed" in page
    assert admin_client.get(reverse("admin:orders_refund_add")).status_code == 403
    change = reverse("admin:orders_refund_change", args=[refund.pk])
    admin_client.post(change, {"status": "done"})
    refund.refresh_from_db()
    assert refund.status == Refund.Status.FAILED


# --- Races (PostgreSQL) -------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runners_racing_on_one_refund_call_the_gateway_once():
    order = _paid()
    with mock.patch("shop.celery.transaction.on_commit"):  # keep the task out: we race by hand
        order_cancel(order=order, by_staff=True)
    refund = Refund.objects.get(order=order)
    calls, lock = [], threading.Lock()
    real = DummyGateway.refund

    def slow_refund(self, **kwargs):
        with lock:
            calls.append(kwargs["idempotency_key"])
        time.sleep(0.3)  # the other runner arrives while this call is out
        return real(self, **kwargs)

    with mock.patch.object(DummyGateway, "refund", autospec=True, side_effect=slow_refund):
        results = run_concurrently(2, lambda i: refund_send(refund_id=refund.pk))

    assert sorted(r is None for r in results) == [False, True]
    assert calls == [refund.idempotency_key]
    refund.refresh_from_db()
    assert (refund.status, refund.attempts) == (Refund.Status.DONE, 1)
    assert _refunded_events(order) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_refunding_one_flagged_payment_record_one_refund():
    order = place(skus=[SkuFactory(stock=3)])
    order_cancel(order=order)
    gateway = DummyGateway()
    body, headers = gateway.callback(order=order, outcome="approve")
    from orders.services import payment_callback

    payment = payment_callback(gateway="dummy", body=body, headers=headers)
    assert payment.flagged_for_refund

    with _gateway_refund() as gateway_refund:
        results = run_concurrently(2, lambda i: payment_refund(payment=payment))

    assert sorted(type(r).__name__ for r in results) == ["InvalidTransition", "Refund"]
    assert isinstance(next(r for r in results if not isinstance(r, Refund)), InvalidTransition)
    gateway_refund.assert_called_once()
    assert Refund.objects.get().status == Refund.Status.DONE
    assert Payment.objects.get().status == Payment.Status.REFUNDED


@pytest.mark.redis
@pytest.mark.postgres
def test_a_real_worker_pays_the_refund_after_the_cancel_commits(celery_worker_process):
    order = _paid()
    _wait(lambda: Order.objects.get(pk=order.pk).status == Order.Status.PROCESSING,
          celery_worker_process)  # the worker settles it; cancelling meanwhile would race
    order.refresh_from_db()
    order_cancel(order=order, by_staff=True)  # autocommit: the task goes to the broker

    _wait(lambda: Refund.objects.get(order=order).status == Refund.Status.DONE,
          celery_worker_process)
    assert Payment.objects.get(order=order).status == Payment.Status.REFUNDED



def _wait(condition, worker, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not done in {timeout:.0f} s; the worker said:\n{worker.output()}")
        time.sleep(0.2)
