"""A cancelled order giving back the last units tells the SKU's waiting shoppers, once."""

import pytest
from django.core import mail

from accounts.tests.factories import UserFactory
from catalog.models import Sku, StockAlert
from catalog.shoppers.stock_alerts import stock_alert_subscribe
from catalog.tests.factories import SkuFactory
from orders.services import order_cancel
from orders.tests.factories import place

pytestmark = pytest.mark.django_db


def test_cancelling_the_order_that_took_the_last_units_emails_each_subscriber_once(
        django_capture_on_commit_callbacks):
    sku = SkuFactory(stock=2)
    order = place(skus=[sku], quantity=2)
    assert Sku.objects.get(pk=sku.pk).stock == 0
    waiting = [UserFactory(), UserFactory()]
    for user in waiting:
        stock_alert_subscribe(user=user, sku=sku)

    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order, actor=order.user)

    assert Sku.objects.get(pk=sku.pk).stock == 2
    alerts = [m for m in mail.outbox if "back in stock" in m.subject]
    assert sorted(m.to[0] for m in alerts) == sorted(user.email for user in waiting)
    assert not StockAlert.objects.filter(notified_at__isnull=True).exists()


def test_cancelling_an_order_of_a_sku_still_in_stock_sends_no_alert(
        django_capture_on_commit_callbacks):
    sku = SkuFactory(stock=5)
    order = place(skus=[sku], quantity=1)
    StockAlert.objects.create(user=UserFactory(), sku=sku)  # left from an earlier sell-out

    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order, actor=order.user)

    assert not [m for m in mail.outbox if "back in stock" in m.subject]
