"""Work owed after a commit is written with the commit; the outbox sweep does what a lost
message left undone, once.

In these tests no message is ever delivered unless a test runs the commit callbacks: a
plain `django_db` test never commits, so every nudge queued "after commit" is lost, as when
the broker is down at the commit.
"""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from orders.gateways.dummy import payment_simulate
from orders.models import Order, OrderEmail, Settlement, Shipment
from orders.services import mail as outbox_mail
from orders.services import (
    order_cancel,
    order_email_deliver,
    orders_cancel_unpaid,
    orders_outbox_sweep,
)
from orders.services.sweep import GRACE
from orders.tasks import order_email_task
from orders.tests.factories import SkuFactory, place
from points.models import LedgerEntry
from shop.metrics import SWEEP_RECOVERED_KEY, TASK_FAILURES_KEY, shared_counts

pytestmark = pytest.mark.django_db

LATER = timedelta(minutes=1)


def _paid_order():
    order = place(skus=[SkuFactory(price=Decimal("40.00"))], quantity=2)
    payment_simulate(order=order, outcome="approve")
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    return order


def _recovered(kind: str) -> float:
    return shared_counts(SWEEP_RECOVERED_KEY).get(kind, 0)


def _emails(order) -> dict[str, str]:
    return dict(OrderEmail.objects.filter(order=order).values_list("kind", "status"))


def test_placing_and_paying_owe_their_emails_in_the_same_transaction(mailoutbox):
    order = _paid_order()

    # The messages were lost (never committed here); the debt was not.
    assert _emails(order) == {"placed": "pending", "paid": "pending"}
    assert mailoutbox == []


def test_a_settlement_a_fulfilment_and_emails_whose_messages_were_lost_are_done_by_the_sweep_once(
    mailoutbox, django_capture_on_commit_callbacks
):
    order = _paid_order()
    before = {kind: _recovered(kind) for kind in ("settlement", "fulfilment", "email")}

    with django_capture_on_commit_callbacks(execute=False):  # the fulfilment nudge is lost too
        first = orders_outbox_sweep(now=timezone.now() + LATER)
    second = orders_outbox_sweep(now=timezone.now() + LATER)

    assert first == {"settlement": 1, "fulfilment": 1, "email": 2}
    assert second == {"settlement": 0, "fulfilment": 0, "email": 0}
    order.refresh_from_db()
    assert order.status == Order.Status.PROCESSING
    assert Settlement.objects.filter(order=order).count() == 1
    assert Shipment.objects.filter(order=order).count() == 1
    assert LedgerEntry.objects.filter(reference=order.reference, kind="earn").count() == 1
    assert sorted(m.subject for m in mailoutbox) == sorted([
        f"[Shop] Order {order.number} received",
        f"[Shop] Payment received for order {order.number}",
    ])
    assert _emails(order) == {"placed": "sent", "paid": "sent"}
    assert {kind: _recovered(kind) - before[kind] for kind in before} == {
        "settlement": 1, "fulfilment": 1, "email": 2}


def test_the_sweep_leaves_work_younger_than_its_grace_to_the_queued_message(mailoutbox):
    order = _paid_order()

    assert orders_outbox_sweep(now=timezone.now() + GRACE / 2) == {
        "settlement": 0, "fulfilment": 0, "email": 0}
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert mailoutbox == []


def test_a_late_message_after_the_sweep_sends_nothing_twice(mailoutbox):
    order = _paid_order()
    orders_outbox_sweep(now=timezone.now() + LATER)

    # The messages queued at the commit arrive after all (Redis came back with them).
    assert order_email_task.apply(args=[order.pk, "paid"]).get() is None
    assert order_email_task.apply(args=[order.pk, "placed"]).get() is None
    assert len(mailoutbox) == 2


def test_an_email_is_claimed_before_it_is_sent_so_two_runners_send_it_once(mailoutbox):
    order = _paid_order()
    sends = []

    def send_while_another_runner_tries(*, order_id, kind):
        sends.append(kind)
        # The other runner arrives while this one is talking to the SMTP server.
        assert order_email_deliver(order_id=order_id, kind=kind) is None

    with mock.patch.object(outbox_mail.emails, "order_email_send",
                           side_effect=send_while_another_runner_tries):
        email = order_email_deliver(order_id=order.pk, kind="paid")

    assert sends == ["paid"]
    assert (email.status, email.attempts) == ("sent", 1)


def test_a_runner_that_died_while_sending_is_replaced_only_after_its_lease(mailoutbox):
    order = _paid_order()
    OrderEmail.objects.filter(order=order).update(created_at=timezone.now() - LATER,
                                                  next_attempt_at=timezone.now() - LATER)
    # The runner of "paid" claimed it and died; its lease runs a while yet.
    OrderEmail.objects.filter(order=order, kind="paid").update(
        status="sending", attempts=1, next_attempt_at=timezone.now() + outbox_mail.LEASE)

    assert orders_outbox_sweep()["email"] == 1  # "placed" only
    assert _emails(order) == {"placed": "sent", "paid": "sending"}

    OrderEmail.objects.filter(order=order, kind="paid").update(
        next_attempt_at=timezone.now() - timedelta(seconds=1))  # the lease ran out
    assert orders_outbox_sweep()["email"] == 1

    assert _emails(order) == {"placed": "sent", "paid": "sent"}
    assert len(mailoutbox) == 2


def test_a_failed_send_waits_its_back_off_then_the_sweep_sends_it(mailoutbox):
    order = _paid_order()
    now = timezone.now()

    with mock.patch.object(outbox_mail.emails, "order_email_send",
                           side_effect=ConnectionRefusedError("smtp down")):
        email = order_email_deliver(order_id=order.pk, kind="paid", now=now)

    assert (email.status, email.attempts) == ("pending", 1)
    assert "smtp down" in email.last_error
    assert email.next_attempt_at == now + outbox_mail.retry_delay(1)
    assert order_email_deliver(order_id=order.pk, kind="paid") is None  # backing off
    assert orders_outbox_sweep(now=now + timedelta(seconds=25))["email"] == 1  # "placed" only
    assert _emails(order)["paid"] == "pending"

    OrderEmail.objects.filter(pk=email.pk).update(next_attempt_at=now - LATER)  # time passed
    assert orders_outbox_sweep()["email"] == 1
    assert _emails(order)["paid"] == "sent"
    assert len(mailoutbox) == 2


def test_an_email_that_keeps_failing_is_given_up_after_its_attempts(mailoutbox):
    order = _paid_order()
    OrderEmail.objects.filter(order=order, kind="paid").update(
        attempts=outbox_mail.MAX_ATTEMPTS - 1)
    failures = shared_counts(TASK_FAILURES_KEY).get(outbox_mail.SEND_TASK, 0)

    with mock.patch.object(outbox_mail.emails, "order_email_send",
                           side_effect=ConnectionRefusedError("smtp down")):
        email = order_email_deliver(order_id=order.pk, kind="paid")

    assert (email.status, email.attempts) == ("failed", outbox_mail.MAX_ATTEMPTS)
    assert shared_counts(TASK_FAILURES_KEY)[outbox_mail.SEND_TASK] == failures + 1
    OrderEmail.objects.filter(order=order).update(next_attempt_at=timezone.now() - LATER)
    assert orders_outbox_sweep()["email"] == 1  # "placed"
    assert _emails(order)["paid"] == "failed"


def test_owing_the_same_email_twice_keeps_one_row():
    order = _paid_order()

    outbox_mail.order_email_queue(order=order, kind="paid")

    assert OrderEmail.objects.filter(order=order, kind="paid").count() == 1


def test_an_unknown_kind_of_email_is_refused():
    order = _paid_order()

    with pytest.raises(ValueError, match="unknown order email"):
        outbox_mail.order_email_queue(order=order, kind="birthday")


@pytest.mark.parametrize("error", [OperationalError, InterfaceError, ConnectionResetError])
def test_the_email_task_retries_a_dropped_database_connection_as_well_as_network_errors(error):
    assert issubclass(error, order_email_task.autoretry_for)


def test_the_email_is_marked_sent_on_a_fresh_connection_when_the_old_one_was_cut(mailoutbox):
    order = _paid_order()
    email = outbox_mail._claim(order_id=order.pk, kind="paid", now=timezone.now())
    real_filter = OrderEmail.objects.filter
    cuts = iter([OperationalError("terminating connection due to administrator command")])

    def filter_once_cut(*args, **kwargs):
        for cut in cuts:
            raise cut
        return real_filter(*args, **kwargs)

    with mock.patch.object(OrderEmail.objects, "filter", side_effect=filter_once_cut), \
         mock.patch.object(outbox_mail.connection, "in_atomic_block", False), \
         mock.patch.object(outbox_mail.connection, "close") as close, \
         mock.patch.object(outbox_mail.time, "sleep"):
        assert outbox_mail._mark_sent(email) is True

    close.assert_called_once()
    assert _emails(order)["paid"] == "sent"


@pytest.mark.parametrize("how", ["shopper", "timeout", "staff"])
def test_every_cancelled_order_owes_the_cancelled_email(how, mailoutbox,
                                                       django_capture_on_commit_callbacks):
    order = place(skus=[SkuFactory()])
    with django_capture_on_commit_callbacks(execute=True):
        if how == "shopper":
            order_cancel(order=order, actor=order.user)
        elif how == "timeout":
            assert orders_cancel_unpaid(now=order.pay_by + timedelta(seconds=1)) == 1
        else:
            order_cancel(order=order, by_staff=True)

    assert _emails(order)["cancelled"] == "sent"
    assert [m.subject for m in mailoutbox if "cancelled" in m.subject] == [
        f"[Shop] Order {order.number} cancelled"]
