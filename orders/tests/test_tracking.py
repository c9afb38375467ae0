"""Shipment tracking: the TMS posts events, the order JSON and page show the timeline, and
auto-complete counts from delivery."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.partner_keys import apikey_create
from orders.gateways.dummy import payment_simulate
from orders.models import Order, Shipment
from orders.services import order_settle, order_ship, orders_complete_shipped
from orders.tests.factories import SkuFactory, UserFactory, place

pytestmark = pytest.mark.django_db


def _shipped(user=None):
    order = place(user=user, skus=[SkuFactory(price=Decimal("60.00"))])
    payment_simulate(order=order, outcome="approve")
    order_settle(order_id=order.pk)
    order.refresh_from_db()
    order_ship(order=order, carrier="SF Express", tracking_number="SF123")
    order.refresh_from_db()
    return order, order.shipments.get()


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _tms():
    _, raw = apikey_create(name="TMS", scopes=["fulfilment:write"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return client


def test_tracking_events_show_in_the_order_json():
    order, shipment = _shipped()
    tms = _tms()
    url = f"/api/v1/orders/{order.number}/shipments/{shipment.pk}/events/"

    moving = tms.post(url, {"status": "in_transit", "location": "Hangzhou hub"}, format="json")
    arrived = tms.post(url, {"status": "delivered"}, format="json")

    assert moving.status_code == 201, moving.content
    assert moving.json()["delivered_at"] is None
    assert arrived.status_code == 201
    data = arrived.json()
    [shown] = data["shipments"]
    assert {key: shown[key] for key in ("id", "status", "carrier", "tracking_number")} == {
        "id": shipment.pk, "status": "delivered", "carrier": "SF Express",
        "tracking_number": "SF123"}
    assert [(e["status"], e["location"]) for e in shown["events"]] == [
        ("in_transit", "Hangzhou hub"), ("delivered", "")]
    assert _instant(data["delivered_at"]) == _instant(shown["events"][1]["at"])
    assert data["status"] == "shipped"  # delivery starts the window; it does not complete
    assert Order.objects.get(pk=order.pk).delivered_at is not None


def test_the_order_page_shows_the_timeline(client):
    shopper = UserFactory()
    order, shipment = _shipped(user=shopper)
    tms = _tms()
    url = f"/api/v1/orders/{order.number}/shipments/{shipment.pk}/events/"
    tms.post(url, {"status": "in_transit", "location": "Hangzhou hub"}, format="json")
    tms.post(url, {"status": "delivered"}, format="json")
    client.force_login(shopper)

    page = client.get(f"/orders/{order.number}/").content.decode()

    timeline = page[page.index(f'data-shipment="{shipment.pk}"'):]
    assert timeline.index("Shipped") < timeline.index("In transit") < timeline.index("Delivered")
    assert "Hangzhou hub" in timeline


def test_an_event_on_a_delivered_shipment_is_a_conflict():
    order, shipment = _shipped()
    tms = _tms()
    url = f"/api/v1/orders/{order.number}/shipments/{shipment.pk}/events/"
    tms.post(url, {"status": "delivered"}, format="json")

    again = tms.post(url, {"status": "in_transit"}, format="json")

    assert (again.status_code, again.json()["code"]) == (409, "tracking_invalid")


def test_tracking_is_refused_to_the_shopper_and_unknown_shipments_are_404():
    shopper = UserFactory()
    order, shipment = _shipped(user=shopper)
    own = APIClient()
    own.force_authenticate(shopper)

    mine = own.post(f"/api/v1/orders/{order.number}/shipments/{shipment.pk}/events/",
                    {"status": "delivered"}, format="json")
    unknown = _tms().post(f"/api/v1/orders/{order.number}/shipments/{shipment.pk + 99}/events/",
                          {"status": "delivered"}, format="json")
    bad = _tms().post(f"/api/v1/orders/{order.number}/shipments/{shipment.pk}/events/",
                      {"status": "lost"}, format="json")

    assert mine.status_code == 403
    assert unknown.status_code == 404
    assert bad.status_code == 400 and "status" in bad.json()


def test_fulfilment_staff_may_post_tracking_events():
    order, shipment = _shipped()
    staff = UserFactory()
    staff.groups.add(Group.objects.get(name="Fulfilment staff"))
    client = APIClient()
    client.force_authenticate(staff)

    response = client.post(f"/api/v1/orders/{order.number}/shipments/{shipment.pk}/events/",
                           {"status": "in_transit"}, format="json")

    assert response.status_code == 201


def test_auto_complete_counts_from_delivery_not_from_shipping(settings):
    settings.ORDER_AUTO_COMPLETE_DAYS = 14
    shipped_at = timezone.now()
    with time_machine.travel(shipped_at, tick=False):
        order, shipment = _shipped()
    delivered_at = shipped_at + timedelta(days=5)
    with time_machine.travel(delivered_at, tick=False):
        _tms().post(f"/api/v1/orders/{order.number}/shipments/{shipment.pk}/events/",
                    {"status": "delivered"}, format="json")

    with time_machine.travel(shipped_at + timedelta(days=14, hours=1), tick=False):
        assert orders_complete_shipped() == 0  # 14 days after shipping, 9 after delivery
    with time_machine.travel(delivered_at + timedelta(days=14, minutes=1), tick=False):
        assert orders_complete_shipped() == 1
    assert Order.objects.get(pk=order.pk).status == Order.Status.COMPLETED


def test_without_a_delivery_report_auto_complete_counts_from_shipping(settings):
    settings.ORDER_AUTO_COMPLETE_DAYS = 14
    shipped_at = timezone.now()
    with time_machine.travel(shipped_at, tick=False):
        order, _ = _shipped()

    with time_machine.travel(shipped_at + timedelta(days=13), tick=False):
        assert orders_complete_shipped() == 0
    with time_machine.travel(shipped_at + timedelta(days=14, minutes=1), tick=False):
        assert orders_complete_shipped() == 1


def test_an_order_is_delivered_when_its_last_shipment_is():
    order, first = _shipped()
    second = Shipment.objects.create(order=order, carrier="EMS", tracking_number="E1",
                                     status=Shipment.Status.SHIPPED, shipped_at=timezone.now())
    tms = _tms()

    tms.post(f"/api/v1/orders/{order.number}/shipments/{first.pk}/events/",
             {"status": "delivered"}, format="json")
    assert Order.objects.get(pk=order.pk).delivered_at is None
    tms.post(f"/api/v1/orders/{order.number}/shipments/{second.pk}/events/",
             {"status": "delivered"}, format="json")
    assert Order.objects.get(pk=order.pk).delivered_at is not None
