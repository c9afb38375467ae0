"""Back-in-stock alerts: a shopper asks to be told when a sold-out SKU returns.

Every stock write of catalog.services reports the SKUs it took from 0 to more to
stock_alerts_restocked(), which queues one task per SKU after the commit. The task claims
each waiting alert with a conditional UPDATE (`notified_at` set only while null) and sends
its email inside the same transaction: two workers handling the same SKU at once cannot
both claim one alert, and an email that fails to go rolls the claim back for a retry.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from catalog.errors import InStock
from catalog.models import Sku, StockAlert
from shop.celery import enqueue_on_commit

SEND_TASK = "catalog.tasks.stock_alerts_send_task"


@transaction.atomic
def stock_alert_subscribe(*, user, sku: Sku) -> tuple[StockAlert, bool]:
    """Ask to be told when `sku` is back; return (the alert, whether it is new).

    Raise InStock while the SKU has stock. Once per shopper and SKU: asking again returns
    the same alert, armed again if it was already used, so the next return tells them too.
    """
    if Sku.objects.filter(pk=sku.pk, stock__gt=0).exists():
        raise InStock
    try:
        with transaction.atomic():
            alert, created = StockAlert.objects.get_or_create(user=user, sku=sku)
    except IntegrityError:  # the same shopper's second request won the insert
        alert, created = StockAlert.objects.get(user=user, sku=sku), False
    if not created and alert.notified_at is not None:
        StockAlert.objects.filter(pk=alert.pk).update(notified_at=None)
        alert.notified_at = None
    return alert, created


def stock_alerts_restocked(*, sku_ids: Iterable[int]) -> None:
    """Queue the alerts of SKUs whose stock just went from 0 to more (after the commit)."""
    for sku_id in sorted(set(sku_ids)):
        enqueue_on_commit(SEND_TASK, sku_id)


def stock_alerts_send(*, sku_id: int) -> int:
    """Email every shopper waiting for `sku_id`, once each; return how many were sent.

    Nothing goes while the SKU is (again) out of stock: its alerts stay armed for the
    next return.
    """
    sku = Sku.objects.select_related("product").filter(pk=sku_id).first()
    if sku is None or sku.stock <= 0 or not sku.is_active:
        return 0
    waiting = list(StockAlert.objects.filter(sku_id=sku_id, notified_at__isnull=True)
                   .select_related("user").order_by("pk"))
    return sum(_send_one(alert, sku) for alert in waiting)


@transaction.atomic
def _send_one(alert: StockAlert, sku: Sku) -> bool:
    # The claim: only one UPDATE can move notified_at from null; the loser sends nothing.
    claimed = StockAlert.objects.filter(pk=alert.pk, notified_at__isnull=True).update(
        notified_at=timezone.now())
    if not claimed:
        return False
    language = getattr(alert.user, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"sku": sku, "product": sku.product, "shop_name": settings.SHOP_NAME}
        send_mail(
            subject=f"[{settings.SHOP_NAME}] "
                    + gettext("%(product)s is back in stock") % {"product": sku.product.name},
            message=render_to_string("catalog/email/back_in_stock.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[alert.user.email],
        )
    return True
