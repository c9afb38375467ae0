"""Flash-sale API: reads for anyone, CRUD for the marketing permissions, clear 400s."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from catalog.models import Sku
from catalog.tests.factories import SkuFactory
from marketing.api import DiscountViewSet, PromotionViewSet
from marketing.flash.api import FlashSaleViewSet
from marketing.models import FlashSale
from marketing.tests.factories import FlashSaleFactory


@pytest.fixture
def marketer(db):
    """A member of the "Marketing staff" group (its flash perms come from migration 0004)."""
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Marketing staff"))
    client = APIClient()
    client.force_authenticate(user)
    return client


def iso(minutes: float) -> str:
    return (timezone.now() + timedelta(minutes=minutes)).isoformat()


def body(sku, **changes) -> dict:
    return {"sku": sku.code, "price": "59.00", "quantity": 20, "per_customer_limit": 1,
            "starts_at": iso(-5), "ends_at": iso(60), **changes}


@pytest.mark.django_db
def test_anyone_lists_the_sales_not_yet_ended_with_remaining_and_status():
    running = FlashSaleFactory(quantity=20)
    upcoming = FlashSaleFactory(starts_at=timezone.now() + timedelta(hours=1),
                                ends_at=timezone.now() + timedelta(hours=2))
    ended = FlashSaleFactory(ends_at=timezone.now() + timedelta(minutes=1))
    FlashSale.objects.filter(pk=running.pk).update(sold=3)

    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        response = APIClient().get("/api/v1/flash-sales/")
        one = APIClient().get(f"/api/v1/flash-sales/{ended.pk}/")

    assert response.status_code == 200
    rows = {row["id"]: (row["remaining"], row["status"]) for row in response.json()["results"]}
    assert rows == {running.pk: (17, "active"), upcoming.pk: (20, "upcoming")}
    assert (one.status_code, one.json()["status"]) == (200, "ended")


@pytest.mark.django_db
def test_writes_need_the_marketing_permission():
    sku = SkuFactory(stock=50)
    shopper = APIClient()
    shopper.force_authenticate(UserFactory())

    assert APIClient().post("/api/v1/flash-sales/", body(sku), format="json").status_code == 401
    assert shopper.post("/api/v1/flash-sales/", body(sku), format="json").status_code == 403
    assert Sku.objects.get(pk=sku.pk).stock == 50


@pytest.mark.django_db
def test_marketing_staff_create_a_sale_and_its_units_leave_the_stock(marketer):
    sku = SkuFactory(stock=50, price=Decimal("100.00"))

    response = marketer.post("/api/v1/flash-sales/", body(sku), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["remaining"] == 20 and response.json()["status"] == "active"
    assert Sku.objects.get(pk=sku.pk).stock == 30


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"price": "100.00"}, "price", "below the SKU's base price"),
    ({"quantity": 51}, "quantity", "Only 50 units"),
    ({"ends_at": "start"}, "ends_at", "The end must be after the start."),
    ({"per_customer_limit": 0}, "per_customer_limit", ""),
])
@pytest.mark.django_db
def test_a_bad_sale_is_a_400_naming_the_field(marketer, changes, field, message):
    sku = SkuFactory(stock=50, price=Decimal("100.00"))
    data = body(sku, **changes)
    if data["ends_at"] == "start":
        data["ends_at"] = data["starts_at"]

    response = marketer.post("/api/v1/flash-sales/", data, format="json")

    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert Sku.objects.get(pk=sku.pk).stock == 50


@pytest.mark.django_db
def test_the_price_can_change_but_not_the_quantity(marketer):
    sale = FlashSaleFactory()

    cheaper = marketer.patch(f"/api/v1/flash-sales/{sale.pk}/", {"price": "49.00"}, format="json")
    bigger = marketer.patch(f"/api/v1/flash-sales/{sale.pk}/", {"quantity": 99}, format="json")

    assert (cheaper.status_code, cheaper.json()["price"]) == (200, "49.00")
    assert bigger.status_code == 400 and "quantity" in bigger.json()
    assert FlashSale.objects.get(pk=sale.pk).quantity == 20


@pytest.mark.django_db
def test_deleting_an_unbought_sale_returns_its_units(marketer):
    sale = FlashSaleFactory(quantity=20, sku__stock=50)

    response = marketer.delete(f"/api/v1/flash-sales/{sale.pk}/")

    assert response.status_code == 204
    assert Sku.objects.get(pk=sale.sku_id).stock == 50


def test_flash_sales_discounts_and_promotions_share_one_read_or_marketing_permission():
    assert FlashSaleViewSet.permission_classes == DiscountViewSet.permission_classes \
        == PromotionViewSet.permission_classes
