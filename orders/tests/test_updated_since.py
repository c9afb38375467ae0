"""`?updated_since=`: exactly the orders and products changed since, for incremental sync."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.partner_keys import apikey_create
from catalog import services as catalog
from catalog.tests.factories import ProductFactory, SkuFactory, image_bytes
from orders.gateways.dummy import payment_simulate
from orders.services import order_settle, order_ship
from orders.services.tracking import shipment_event_add
from orders.tests.factories import UserFactory, place

pytestmark = pytest.mark.django_db


def _key(*scopes) -> APIClient:
    _, raw = apikey_create(name="sync", scopes=list(scopes))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return client


def _since(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def test_products_changed_since_are_exactly_those_touched_through_a_sku_image_or_the_row():
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        untouched = SkuFactory().product
        priced, counted, sold = SkuFactory(), SkuFactory(), SkuFactory(stock=5)
        pictured = ProductFactory()
        SkuFactory(product=pictured)
        renamed = SkuFactory().product
    later = start + timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        catalog.sku_set_price(sku=priced, price=Decimal("12.00"))
        catalog.stock_sync(items=[(counted.code, 3)])
        place(skus=[sold])  # the reservation changes the stock
        catalog.product_image_add(
            product=pictured, image=SimpleUploadedFile("p.png", image_bytes(), "image/png"))
        catalog.product_update(product=renamed, name="Renamed")

    response = APIClient().get("/api/v1/products/", {"updated_since": _since(later)})

    assert response.status_code == 200
    slugs = {item["slug"] for item in response.json()["results"]}
    assert slugs == {priced.product.slug, counted.product.slug, sold.product.slug,
                     pictured.slug, renamed.slug}
    assert untouched.slug not in slugs
    everything = APIClient().get("/api/v1/products/", {"updated_since": _since(start)})
    assert everything.json()["count"] == 6


def test_orders_changed_since_are_exactly_those_that_moved():
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        quiet, paid, tracked = place(), place(), place()
        payment_simulate(order=tracked, outcome="approve")
        tracked.refresh_from_db()
        order_settle(order_id=tracked.pk)
        tracked.refresh_from_db()
        order_ship(order=tracked, carrier="SF", tracking_number="1")
    later = start + timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        payment_simulate(order=paid, outcome="approve")
        shipment_event_add(shipment=tracked.shipments.get(), status="in_transit")
        fresh = place()

    response = _key("orders:read").get("/api/v1/orders/", {"updated_since": _since(later)})

    assert response.status_code == 200
    numbers = {order["number"] for order in response.json()["results"]}
    assert numbers == {paid.number, tracked.number, fresh.number}
    assert quiet.number not in numbers


def test_staff_with_the_order_view_permission_sync_orders_too():
    staff = UserFactory(is_staff=True, is_superuser=True)
    place()
    client = APIClient()
    client.force_authenticate(staff)

    future = client.get("/api/v1/orders/", {"updated_since": _since(timezone.now()
                                                                     + timedelta(minutes=1))})
    past = client.get("/api/v1/orders/", {"updated_since": _since(timezone.now()
                                                                   - timedelta(minutes=1))})

    assert (future.json()["count"], past.json()["count"]) == (0, 1)


def test_a_malformed_updated_since_is_a_field_error():
    response = _key("orders:read").get("/api/v1/orders/", {"updated_since": "yesterday"})

    assert response.status_code == 400
    assert "updated_since" in response.json()
    assert APIClient().get("/api/v1/products/",
                           {"updated_since": "yesterday"}).status_code == 400
