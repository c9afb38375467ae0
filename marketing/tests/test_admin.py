"""The staff's screens: lists with window and uses, read-only redemptions, bulk codes."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.tests.factories import CategoryFactory
from marketing.admin import CouponAdmin, DiscountAdmin, PromotionAdmin
from marketing.models import Coupon, Discount, Promotion
from marketing.services import coupon_save, discount_save, promotion_save
from marketing.tests.factories import (
    CouponFactory,
    CouponRedemptionFactory,
    DiscountFactory,
    PromotionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Marketing staff"))
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", ["discount", "promotion", "coupon", "couponredemption"])
def test_marketing_staff_see_every_list_with_its_columns(staff_client, model):
    DiscountFactory(name="Spring sale")
    PromotionFactory(name="Spend 200 save 30")
    CouponRedemptionFactory(coupon=CouponFactory(code="WELCOME10", usage_limit=5, used=1))

    query = "" if model == "couponredemption" else "?running=yes"
    response = staff_client.get(f"/admin/marketing/{model}/{query}")

    assert response.status_code == 200
    if model == "coupon":
        assert "1 / 5" in response.content.decode()


def test_coupon_redemptions_are_read_only(staff_client):
    redemption = CouponRedemptionFactory()

    assert staff_client.get("/admin/marketing/couponredemption/add/").status_code == 403
    page = staff_client.get(f"/admin/marketing/couponredemption/{redemption.pk}/change/")
    assert page.status_code == 200
    assert 'name="reference"' not in page.content.decode()


def test_an_end_before_the_start_is_refused_with_a_clear_message(staff_client):
    now = timezone.localtime()
    response = staff_client.post("/admin/marketing/promotion/add/", {
        "name": "Backwards", "threshold": "100.00", "amount_off": "10.00", "tiers": "[]",
        "starts_at_0": now.strftime("%Y-%m-%d"), "starts_at_1": "12:00:00",
        "ends_at_0": (now - timedelta(days=1)).strftime("%Y-%m-%d"), "ends_at_1": "12:00:00",
        "is_active": "on",
    })

    assert response.status_code == 200
    assert "The end must be after the start." in response.content.decode()


def test_staff_generate_a_batch_of_single_use_codes(staff_client):
    now = timezone.localtime()
    response = staff_client.post("/admin/marketing/coupon/generate/", {
        "prefix": "vip", "count": "25", "kind": "fixed", "value": "20.00", "min_spend": "0",
        "starts_at_0": now.strftime("%Y-%m-%d"), "starts_at_1": "00:00:00",
        "ends_at_0": (now + timedelta(days=30)).strftime("%Y-%m-%d"), "ends_at_1": "00:00:00",
        "combinable_with_promotions": "on",
    })

    assert response.status_code == 302
    coupons = Coupon.objects.all()
    assert coupons.count() == 25
    assert len({c.code.lower() for c in coupons}) == 25
    assert all(c.code.startswith("VIP-") and c.usage_limit == 1 and c.per_customer_limit == 1 for c in coupons)
    assert {c.value for c in coupons} == {Decimal("20.00")}


def test_a_batch_with_a_bad_window_creates_nothing(staff_client):
    now = timezone.localtime()
    response = staff_client.post("/admin/marketing/coupon/generate/", {
        "prefix": "X", "count": "5", "kind": "percent", "value": "10.00", "min_spend": "0",
        "starts_at_0": now.strftime("%Y-%m-%d"), "starts_at_1": "00:00:00",
        "ends_at_0": now.strftime("%Y-%m-%d"), "ends_at_1": "00:00:00",
    })

    assert response.status_code == 200
    assert "The end must be after the start." in response.content.decode()
    assert not Coupon.objects.exists()


def test_shoppers_cannot_open_the_generator(client):
    client.force_login(UserFactory())

    assert client.get("/admin/marketing/coupon/generate/").status_code == 302


@pytest.mark.parametrize(("model_admin", "model", "fields"), [
    (DiscountAdmin, Discount, {"name": "Spring sale", "kind": "percent", "value": "10.00"}),
    (PromotionAdmin, Promotion, {"name": "Spend 200", "threshold": "200.00", "amount_off": "30.00",
                                 "tiers": "[]"}),
    (CouponAdmin, Coupon, {"code": "SPRING", "kind": "fixed", "value": "20.00", "min_spend": "0",
                           "tiers": "[]", "combinable_with_promotions": "on", "claims_per_customer": "1",
                           "redemptions-TOTAL_FORMS": "0", "redemptions-INITIAL_FORMS": "0"}),
], ids=["discount", "promotion", "coupon"])
def test_the_admin_saves_discounts_promotions_and_coupons_through_the_marketing_services(
    staff_client, monkeypatch, model_admin, model, fields,
):
    real = {Discount: discount_save, Promotion: promotion_save, Coupon: coupon_save}[model]
    calls = []

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(model_admin, "save_service", staticmethod(spy), raising=False)
    category = CategoryFactory()
    now = timezone.localtime()
    response = staff_client.post(f"/admin/marketing/{model._meta.model_name}/add/", {
        **fields, "categories": [category.pk], "is_active": "on",
        "starts_at_0": now.strftime("%Y-%m-%d"), "starts_at_1": "00:00:00",
        "ends_at_0": (now + timedelta(days=30)).strftime("%Y-%m-%d"), "ends_at_1": "00:00:00",
    })

    assert response.status_code == 302, response.context["adminform"].form.errors
    saved = model.objects.get()
    assert len(calls) == 1 and calls[0][model._meta.model_name].pk == saved.pk
    assert list(saved.categories.all()) == [category]
