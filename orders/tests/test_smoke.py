from decimal import Decimal

import pytest

from orders.models import Order
from orders.tests.factories import SkuFactory, place


@pytest.mark.django_db
def test_an_order_placed_from_lines_takes_stock_and_has_a_number(django_capture_on_commit_callbacks):
    sku = SkuFactory(stock=5, price=Decimal("30.00"))
    with django_capture_on_commit_callbacks(execute=True):
        order = place(skus=[sku], quantity=2)
    sku.refresh_from_db()
    assert sku.stock == 3
    assert order.number.startswith("SO") and len(order.number) >= 16
    assert order.status == Order.Status.PENDING_PAYMENT
    assert order.subtotal == Decimal("60.00")
    assert order.shipping == Decimal("10.00")
    assert order.total == Decimal("70.00")
