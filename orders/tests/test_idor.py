"""Another shopper's order number is a 404 on every order endpoint and page."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from rest_framework.test import APIClient

from orders.models import Order, OrderEvent
from orders.tests.factories import SkuFactory, UserFactory, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs():
    return place(user=UserFactory(), skus=[SkuFactory()])


@pytest.mark.parametrize("method,suffix,body", [
    ("get", "", None),
    ("post", "pay/", {"gateway": "dummy", "outcome": "approve"}),
    ("post", "cancel/", None),
    ("post", "confirm/", None),
    ("post", "shipments/", {"carrier": "SF", "tracking_number": "1"}),
    ("post", "refund/", {"restock": True}),
])
def test_another_shoppers_order_is_a_404_on_every_api_endpoint(api, theirs, method, suffix, body):
    response = getattr(api, method)(f"/api/v1/orders/{theirs.number}/{suffix}", body,
                                    format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert Order.objects.get(pk=theirs.pk).status == "pending_payment"
    assert OrderEvent.objects.filter(order=theirs).count() == 1


def test_another_shoppers_order_is_not_listed(api, theirs):
    assert api.get("/api/v1/orders/").json()["count"] == 0


@pytest.mark.parametrize("name,method", [
    ("orders:detail", "get"), ("orders:pay", "get"), ("orders:pay", "post"),
    ("orders:cancel", "post"), ("orders:confirm", "post"),
])
def test_another_shoppers_order_is_a_404_on_every_page(shopper_client, theirs, name, method):
    url = reverse(name, kwargs={"number": theirs.number})
    response = getattr(shopper_client, method)(url, {"outcome": "approve"} if method == "post" else None)
    assert response.status_code == 404
    assert Order.objects.get(pk=theirs.pk).status == "pending_payment"


def test_the_own_order_needs_the_permission_for_shipping_and_refunds(api, shopper):
    mine = place(user=shopper, skus=[SkuFactory()])
    assert api.post(f"/api/v1/orders/{mine.number}/shipments/",
                    {"carrier": "SF", "tracking_number": "1"}, format="json").status_code == 403
    assert api.post(f"/api/v1/orders/{mine.number}/refund/", {}, format="json").status_code == 403


def test_the_order_view_permission_sees_every_order_and_filters_by_status_and_date(theirs):
    partner = UserFactory()
    partner.groups.add(Group.objects.get(name="Partners"))
    client = APIClient()
    client.force_authenticate(partner)
    place(user=UserFactory(), skus=[SkuFactory()])

    assert client.get("/api/v1/orders/").json()["count"] == 2
    assert client.get(f"/api/v1/orders/{theirs.number}/").status_code == 200
    assert client.get("/api/v1/orders/?status=paid").json()["count"] == 0
    assert client.get("/api/v1/orders/?status=pending_payment").json()["count"] == 2
    assert client.get("/api/v1/orders/?created_after=2999-01-01T00:00:00Z").json()["count"] == 0


def test_anonymous_callers_get_401_and_pages_redirect_to_login(client, theirs):
    assert APIClient().get(f"/api/v1/orders/{theirs.number}/").status_code == 401
    assert APIClient().get("/api/v1/cart/").status_code == 401
    response = client.get(reverse("orders:detail", kwargs={"number": theirs.number}))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
