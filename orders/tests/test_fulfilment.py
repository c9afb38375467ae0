"""Shipping and refunds by partners (API) and staff (admin actions)."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django_celery_beat.models import PeriodicTask
from rest_framework.test import APIClient

from accounts.tests.factories import StaffFactory
from catalog.models import Sku
from orders.gateways.dummy import payment_simulate
from orders.models import Order, Shipment
from orders.services import order_settle
from orders.tests.factories import SkuFactory, UserFactory, place
from shop.testing import beat_schedule_install

pytestmark = pytest.mark.django_db


def _processing(sku=None):
    order = place(skus=[sku or SkuFactory(price=Decimal("60.00"))], quantity=2)
    payment_simulate(order=order, outcome="approve")
    order_settle(order_id=order.pk)
    order.refresh_from_db()
    return order


def _member_of(group: str):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=group))
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_partner_marks_an_order_shipped_with_carrier_and_tracking(mailoutbox,
                                                                   django_capture_on_commit_callbacks):
    order = _processing()
    Shipment.objects.create(order=order)  # what fulfilment opened
    with django_capture_on_commit_callbacks(execute=True):
        response = _member_of("Partners").post(
            f"/api/v1/orders/{order.number}/shipments/",
            {"carrier": "SF Express", "tracking_number": "SF123"}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "shipped"
    assert [(s["carrier"], s["tracking_number"], s["status"]) for s in data["shipments"]] == [
        ("SF Express", "SF123", "shipped")]
    assert any("on its way" in m.subject for m in mailoutbox)


def test_shipping_an_unpaid_order_is_an_invalid_transition():
    order = place(skus=[SkuFactory()])
    response = _member_of("Partners").post(f"/api/v1/orders/{order.number}/shipments/",
                                           {"carrier": "SF", "tracking_number": "1"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    assert not Shipment.objects.exists()


def test_a_shipment_without_tracking_is_a_field_error():
    order = _processing()
    response = _member_of("Partners").post(f"/api/v1/orders/{order.number}/shipments/",
                                           {"carrier": "SF"}, format="json")
    assert response.status_code == 400
    assert "tracking_number" in response.json()


def test_partners_may_not_refund_but_fulfilment_staff_may():
    sku = SkuFactory(stock=10)
    order = _processing(sku)
    assert _member_of("Partners").post(f"/api/v1/orders/{order.number}/refund/",
                                       {"restock": True}, format="json").status_code == 403
    staff = _member_of("Fulfilment staff")
    response = staff.post(f"/api/v1/orders/{order.number}/refund/", {"restock": True},
                          format="json")
    assert (response.status_code, response.json()["status"]) == (200, "refunded")
    assert Sku.objects.get(pk=sku.pk).stock == 10
    again = staff.post(f"/api/v1/orders/{order.number}/refund/", {"restock": True}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")
    assert Sku.objects.get(pk=sku.pk).stock == 10


def test_staff_with_the_refund_permission_cancel_a_processing_order_through_the_api():
    order = _processing()
    response = _member_of("Fulfilment staff").post(f"/api/v1/orders/{order.number}/cancel/")
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")


def test_partners_may_not_cancel_someone_elses_paid_order():
    order = _processing()
    response = _member_of("Partners").post(f"/api/v1/orders/{order.number}/cancel/")
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == Order.Status.PROCESSING


# --- Admin ---------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    staff = StaffFactory(is_superuser=True)
    client.force_login(staff)
    return client


def test_the_admin_lists_and_searches_orders(admin_client):
    order = _processing()
    url = reverse("admin:orders_order_changelist")
    assert order.number in admin_client.get(url, {"q": order.user.email}).content.decode()
    assert admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).status_code == 200


def test_the_admin_ship_action_asks_for_tracking_then_ships(admin_client):
    order = _processing()
    url = reverse("admin:orders_order_changelist")
    form = admin_client.post(url, {"action": "ship", "_selected_action": [order.pk]})
    assert form.status_code == 200
    assert "Tracking number" in form.content.decode()

    admin_client.post(url, {"action": "ship", "apply": "1", "_selected_action": [order.pk],
                            f"{order.pk}-carrier": "EMS", f"{order.pk}-tracking_number": "E1"})

    order.refresh_from_db()
    assert order.status == "shipped"
    assert Shipment.objects.get(order=order).tracking_number == "E1"


def test_the_admin_refund_action_refunds_with_the_restock_choice(admin_client):
    sku = SkuFactory(stock=10)
    order = _processing(sku)
    url = reverse("admin:orders_order_changelist")
    admin_client.post(url, {"action": "refund", "apply": "1", "_selected_action": [order.pk],
                            "restock": "on"})
    assert Order.objects.get(pk=order.pk).status == "refunded"
    assert Sku.objects.get(pk=sku.pk).stock == 10


def test_the_admin_cancel_action_reports_orders_it_cannot_cancel(admin_client):
    shipped = _processing()
    shipped.status = "shipped"
    Order.objects.filter(pk=shipped.pk).update(status="shipped")
    pending = place(skus=[SkuFactory()])
    response = admin_client.post(reverse("admin:orders_order_changelist"),
                                 {"action": "cancel", "_selected_action": [shipped.pk, pending.pk]},
                                 follow=True)
    page = response.content.decode()
    assert "cannot be cancelled" in page
    assert Order.objects.get(pk=pending.pk).status == "cancelled"
    assert Order.objects.get(pk=shipped.pk).status == "shipped"


def test_beat_schedules_the_sweeps_when_it_starts():
    beat_schedule_install()
    tasks = dict(PeriodicTask.objects.filter(name__startswith="orders:").values_list("task", "enabled"))
    assert tasks == {"orders.tasks.orders_cancel_unpaid_task": True,
                     "orders.tasks.orders_complete_shipped_task": True,
                     "orders.tasks.orders_outbox_sweep_task": True,
                     "orders.tasks.refunds_retry_due_task": True}


def test_the_admin_cancel_action_needs_the_refund_permission(client):
    clerk = StaffFactory()
    clerk.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="orders", codename__in=["view_order", "change_order"]))
    client.force_login(clerk)
    order = _processing()
    url = reverse("admin:orders_order_changelist")

    assert "Cancel selected orders" not in client.get(url).content.decode()
    client.post(url, {"action": "cancel", "_selected_action": [order.pk]})
    assert Order.objects.get(pk=order.pk).status == "processing"

    clerk.user_permissions.add(Permission.objects.get(codename="refund_order"))
    client.post(url, {"action": "cancel", "_selected_action": [order.pk]})
    assert Order.objects.get(pk=order.pk).status == "cancelled"
