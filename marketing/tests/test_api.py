"""The marketing API: running discounts and promotions for all, CRUD and coupons for marketing staff."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from catalog.tests.factories import CategoryFactory, ProductFactory
from marketing.models import Coupon, Discount, Promotion
from marketing.tests.factories import (
    CouponFactory,
    CouponRedemptionFactory,
    DiscountFactory,
    PromotionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def shopper():
    client = APIClient()
    client.force_authenticate(UserFactory())
    return client


@pytest.fixture
def marketer():
    """A member of the "Marketing staff" group, whose perms come from marketing's migration."""
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Marketing staff"))
    client = APIClient()
    client.force_authenticate(user)
    return client


def iso(days: float) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


def test_anyone_lists_only_the_running_discounts(anonymous):
    category = CategoryFactory(slug="electronics")
    running = DiscountFactory(name="Now", categories=[category])
    DiscountFactory(name="Later", starts_at=timezone.now() + timedelta(days=1))

    response = anonymous.get("/api/v1/discounts/")

    assert response.status_code == 200
    assert [d["name"] for d in response.json()["results"]] == ["Now"]
    body = response.json()["results"][0]
    assert body["id"] == running.pk
    assert (body["kind"], body["value"], body["categories"]) == ("percent", "10.00", ["electronics"])


def test_anyone_lists_only_the_running_promotions(anonymous):
    PromotionFactory(name="Now")
    PromotionFactory(name="Off", is_active=False)

    response = anonymous.get("/api/v1/promotions/")

    assert [p["name"] for p in response.json()["results"]] == ["Now"]
    assert response.json()["results"][0]["threshold"] == "200.00"


def test_marketing_staff_create_a_discount_by_slugs(marketer):
    product = ProductFactory(slug="phone-x")
    category = CategoryFactory(slug="audio")

    response = marketer.post("/api/v1/discounts/", {
        "name": "Spring sale", "kind": "percent", "value": "15.00", "products": ["phone-x"],
        "categories": ["audio"], "starts_at": iso(0), "ends_at": iso(10), "is_active": True,
    }, format="json")

    assert response.status_code == 201, response.json()
    discount = Discount.objects.get()
    assert list(discount.products.all()) == [product]
    assert list(discount.categories.all()) == [category]


@pytest.mark.parametrize("body, field, message", [
    ({"starts_at": iso(2), "ends_at": iso(1)}, "ends_at", "The end must be after the start."),
    ({"value": "120.00"}, "value", "A percentage must be more than 0 and at most 100."),
    ({"kind": "fixed", "value": "0.00"}, "value", "A fixed amount off must be more than 0.00."),
])
def test_an_invalid_discount_is_a_400_with_a_clear_message(marketer, body, field, message):
    base = {"name": "Bad", "kind": "percent", "value": "10.00", "starts_at": iso(0), "ends_at": iso(1)}

    response = marketer.post("/api/v1/discounts/", {**base, **body}, format="json")

    assert response.status_code == 400
    assert response.json()[field] == [message]
    assert not Discount.objects.exists()


def test_marketing_staff_update_and_delete_a_promotion(marketer):
    promotion = PromotionFactory()

    patched = marketer.patch(f"/api/v1/promotions/{promotion.pk}/", {"tiers": ["gold"], "amount_off": "40.00"},
                             format="json")
    deleted = marketer.delete(f"/api/v1/promotions/{promotion.pk}/")

    assert patched.status_code == 200
    assert patched.json()["tiers"] == ["gold"]
    assert deleted.status_code == 204
    assert not Promotion.objects.exists()


def test_a_promotion_giving_more_than_its_threshold_is_refused(marketer):
    promotion = PromotionFactory()

    response = marketer.patch(f"/api/v1/promotions/{promotion.pk}/", {"amount_off": "250.00"}, format="json")

    assert response.status_code == 400
    assert response.json()["threshold"] == ["The threshold must be at least the amount off."]


def test_shoppers_cannot_write_discounts_or_promotions(shopper, anonymous):
    body = {"name": "Mine", "threshold": "10.00", "amount_off": "9.00", "starts_at": iso(0), "ends_at": iso(1)}

    assert shopper.post("/api/v1/promotions/", body, format="json").status_code == 403
    assert anonymous.post("/api/v1/promotions/", body, format="json").status_code == 401


def test_shoppers_never_list_or_read_coupons(shopper, anonymous):
    CouponFactory(code="SECRET")

    assert shopper.get("/api/v1/coupons/").status_code == 403
    assert shopper.get("/api/v1/coupons/SECRET/").status_code == 403
    assert anonymous.get("/api/v1/coupons/").status_code == 401


def test_marketing_staff_create_and_read_a_coupon_by_code_in_any_case(marketer):
    CategoryFactory(slug="books")

    created = marketer.post("/api/v1/coupons/", {
        "code": "Welcome10", "kind": "percent", "value": "10.00", "min_spend": "100.00",
        "starts_at": iso(0), "ends_at": iso(365), "per_customer_limit": 1, "categories": ["books"],
        "tiers": [], "combinable_with_promotions": True,
    }, format="json")
    read = marketer.get("/api/v1/coupons/WELCOME10/")

    assert created.status_code == 201, created.json()
    assert read.status_code == 200
    assert read.json()["code"] == "Welcome10"
    assert read.json()["used"] == 0


@pytest.mark.parametrize("body, field, message", [
    ({"code": "welcome10"}, "code", "A coupon with the code “welcome10” already exists (codes ignore case)."),
    ({"usage_limit": 0}, "usage_limit", "A limit must be at least 1 (leave it empty for no limit)."),
    ({"per_customer_limit": 0}, "per_customer_limit", "A limit must be at least 1 (leave it empty for no limit)."),
    ({"code": "has space"}, "code", "Use letters, digits, “-” and “_” only."),
])
def test_an_invalid_coupon_is_a_400_with_a_clear_message(marketer, body, field, message):
    CouponFactory(code="WELCOME10")
    base = {"code": "NEW", "kind": "fixed", "value": "5.00", "starts_at": iso(0), "ends_at": iso(1)}

    response = marketer.post("/api/v1/coupons/", {**base, **body}, format="json")

    assert response.status_code == 400
    assert message in response.json()[field]
    assert Coupon.objects.count() == 1


def test_a_coupons_use_count_cannot_be_written(marketer):
    coupon = CouponFactory(code="KEEP", usage_limit=5)

    marketer.patch("/api/v1/coupons/keep/", {"used": 4}, format="json")

    assert Coupon.objects.get(pk=coupon.pk).used == 0


def test_a_used_coupon_cannot_be_deleted_but_an_unused_one_can(marketer):
    CouponRedemptionFactory(coupon=CouponFactory(code="USED"))
    CouponFactory(code="FRESH")

    refused = marketer.delete("/api/v1/coupons/used/")
    deleted = marketer.delete("/api/v1/coupons/fresh/")

    assert refused.status_code == 409
    assert refused.json() == {"code": "conflict",
                              "detail": "Coupon USED has been used; end its window instead of deleting it."}
    assert deleted.status_code == 204
    assert list(Coupon.objects.values_list("code", flat=True)) == ["USED"]
