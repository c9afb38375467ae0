"""Payments: every gateway's callback goes through `payment_callback`, checked the same way.

Checks, in order: the gateway's signature and timestamp (gateway.verify_callback), a
replay (the (gateway, reference) row exists: nothing changes), the order and the amount
and currency. Then the money is recorded; an approved payment moves the order
pending_payment → paid with a conditional UPDATE, so it cannot also be cancelled by the
unpaid-timeout sweep. Money that arrives for an order that can no longer take it is
recorded and flagged for refund, not applied; staff give it back with `payment_refund`
(orders.services.refunds). The sandbox's payments come from orders.gateways.dummy.
"""

import logging
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from marketing.flash import flash_purchase_paid
from orders.errors import PaymentRejected
from orders.gateways import PaymentNotice, gateway_get
from orders.models import Order, Payment
from orders.services.lifecycle import order_transition
from orders.services.mail import order_email_queue
from shop.celery import enqueue_on_commit
from shop.errors import InvalidTransition

log = logging.getLogger(__name__)


def payment_callback(*, gateway: str, body: bytes, headers: Mapping) -> Payment:
    """Verify and apply a gateway callback; return the Payment row (new or replayed)."""
    notice = gateway_get(gateway).verify_callback(body=body, headers=headers)
    return payment_apply(gateway=gateway, notice=notice)


@transaction.atomic
def payment_apply(*, gateway: str, notice: PaymentNotice) -> Payment:
    """Record a verified notice once and, if approved, mark the order paid."""
    existing = Payment.objects.filter(gateway=gateway, reference=notice.reference).first()
    if existing is not None:
        return existing
    order = Order.objects.filter(number=notice.order_number).first()
    if order is None:
        raise PaymentRejected(_("The callback names no order of this shop."))
    if notice.amount != order.total or notice.currency != order.currency:
        raise PaymentRejected(
            _("The callback's amount %(amount)s %(currency)s does not match the order's %(total)s %(order_currency)s.")
            % {"amount": notice.amount, "currency": notice.currency, "total": order.total,
               "order_currency": order.currency}
        )
    status = Payment.Status.CAPTURED if notice.approved else Payment.Status.DECLINED
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                order=order, gateway=gateway, reference=notice.reference, amount=notice.amount,
                currency=notice.currency, status=status, raw=notice.raw,
            )
    except IntegrityError:  # the same callback, delivered twice at once: the other won
        return Payment.objects.get(gateway=gateway, reference=notice.reference)
    if not notice.approved:
        return payment
    try:
        order_transition(order=order, action="pay", note=f"Paid through {gateway} ({notice.reference})")
    except InvalidTransition:
        log.warning("payment %s for order %s (%s) flagged for refund",
                    notice.reference, order.number, order.status)
        payment.flagged_for_refund = True
        payment.save(update_fields=["flagged_for_refund"])
        return payment
    flash_purchase_paid(reference=order.reference)  # a no-op UPDATE for an ordinary order

    enqueue_on_commit("orders.tasks.order_settle_task", order.pk)
    order_email_queue(order=order, kind="paid")
    return payment
