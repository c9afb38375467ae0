"""A flash sale ending with unsold units gives them back: a SKU it had emptied alerts its
waiting shoppers, once."""

from datetime import timedelta

import pytest
from django.core import mail

from accounts.tests.factories import UserFactory
from catalog.models import Sku, StockAlert
from catalog.shoppers.stock_alerts import stock_alert_subscribe
from catalog.tests.factories import SkuFactory
from marketing.flash import flash_sale_end
from marketing.tests.factories import FlashSaleFactory

pytestmark = pytest.mark.django_db


def test_ending_a_sale_that_held_all_the_stock_emails_each_subscriber_once(
        django_capture_on_commit_callbacks):
    sale = FlashSaleFactory(sku=SkuFactory(stock=20), quantity=20)
    assert Sku.objects.get(pk=sale.sku_id).stock == 0
    waiting = [UserFactory(), UserFactory()]
    for user in waiting:
        stock_alert_subscribe(user=user, sku=sale.sku)

    with django_capture_on_commit_callbacks(execute=True):
        assert flash_sale_end(sale_id=sale.pk, now=sale.ends_at + timedelta(seconds=1)) == 20

    assert Sku.objects.get(pk=sale.sku_id).stock == 20
    assert sorted(m.to[0] for m in mail.outbox) == sorted(user.email for user in waiting)
    assert not StockAlert.objects.filter(notified_at__isnull=True).exists()
