"""The coupon wallet at checkout: only claimers use a claimable coupon; the best held one is suggested."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import AddressFactory, UserFactory
from catalog.tests.factories import CategoryFactory, SkuFactory
from marketing.errors import CouponInvalid
from marketing.models import Coupon, CouponClaim, Kind
from marketing.services import coupon_claim
from marketing.tests.factories import CouponFactory
from orders.models import Order
from orders.pricing import Item, quote_build
from orders.services import order_cancel
from orders.tests.factories import ADDRESS, CartFactory, CartLineFactory, place
from shop.testing import run_concurrently

pytestmark = pytest.mark.django_db


def claimable(code: str, **kwargs) -> Coupon:
    return CouponFactory(**{"code": code, "claimable": True, "claims_total": 100,
                            "per_customer_limit": None, **kwargs})


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def sku():
    return SkuFactory(price=Decimal("200.00"), stock=50)


# --- Only claimers --------------------------------------------------------------------------


def test_a_shopper_who_did_not_claim_it_is_refused_at_api_checkout(sku):
    claimable("CLAIMED10")
    body = {"address": ADDRESS, "coupon": "claimed10", "lines": [{"sku": sku.code, "quantity": 1}]}

    refused = api_for(UserFactory()).post("/api/v1/orders/", body, format="json")

    assert refused.status_code == 400
    assert refused.json()["code"] == "coupon_invalid"
    assert "coupon centre" in refused.json()["detail"]
    assert not Order.objects.exists()
    claimer = UserFactory()
    coupon_claim(code="CLAIMED10", user=claimer)
    placed = api_for(claimer).post("/api/v1/orders/", body, format="json")
    assert placed.status_code == 201, placed.json()
    assert [a["kind"] for a in placed.json()["adjustments"]] == ["coupon"]


def test_a_shopper_who_did_not_claim_it_is_refused_on_the_checkout_page(client, sku):
    claimable("PAGE10")
    shopper = UserFactory()
    CartLineFactory(cart=CartFactory(user=shopper), sku=sku, quantity=1)
    address = AddressFactory(user=shopper, is_default=True)
    client.force_login(shopper)

    response = client.post(reverse("orders:checkout"), {
        "address": str(address.pk), "coupon_code": "PAGE10", "points": "0",
        "idempotency_key": "k1", "action": "place"})

    assert response.status_code == 200
    assert "Claim coupon PAGE10 in the coupon centre before using it." in response.content.decode()
    assert not Order.objects.exists()


def test_the_claim_is_used_by_the_order_and_given_back_when_it_is_cancelled(sku):
    coupon = claimable("ROUNDTRIP")
    shopper = UserFactory()
    claim = coupon_claim(code="ROUNDTRIP", user=shopper)

    order = place(user=shopper, skus=[sku], coupon_code="ROUNDTRIP")
    claim.refresh_from_db()
    assert claim.status == "used" and claim.redemption.reference == order.reference
    with pytest.raises(CouponInvalid) as second:  # one claim, one use
        place(user=shopper, skus=[sku], coupon_code="ROUNDTRIP")
    assert second.value.extra["reason"] == "not_claimed"

    order_cancel(order=order, actor=shopper)
    claim.refresh_from_db()
    assert claim.status == "available"
    assert Coupon.objects.get(pk=coupon.pk).used == 0
    place(user=shopper, skus=[sku], coupon_code="ROUNDTRIP")  # usable again


def test_my_coupons_shows_available_used_and_expired_through_real_orders(sku):
    now = timezone.now()
    shopper = UserFactory()
    for code in ("AVAIL", "SPENT", "LAPSED"):
        claimable(code)
        coupon_claim(code=code, user=shopper)
    place(user=shopper, skus=[sku], coupon_code="SPENT")
    Coupon.objects.filter(code="LAPSED").update(ends_at=now - timedelta(minutes=1))

    rows = api_for(shopper).get("/api/v1/me/coupons/").json()["results"]

    assert {row["code"]: row["status"] for row in rows} == {
        "AVAIL": "available", "SPENT": "used", "LAPSED": "expired"}


# --- The suggested coupon ---------------------------------------------------------------------


def test_the_suggestion_is_the_held_coupon_that_takes_most_off(sku):
    shopper = UserFactory()
    claimable("TENPCT", kind=Kind.PERCENT, value=Decimal("10.00"))          # 20.00 off 200.00
    claimable("FIFTEEN", kind=Kind.FIXED, value=Decimal("15.00"))           # 15.00
    claimable("CAPPED", kind=Kind.PERCENT, value=Decimal("50.00"), max_discount=Decimal("18.00"))
    claimable("BIGSPEND", kind=Kind.FIXED, value=Decimal("80.00"), min_spend=Decimal("500.00"))
    claimable("NOTMINE", kind=Kind.FIXED, value=Decimal("90.00"))           # never claimed
    CouponFactory(code="TYPED", kind=Kind.FIXED, value=Decimal("99.00"))     # not in a wallet
    for code in ("TENPCT", "FIFTEEN", "CAPPED", "BIGSPEND"):
        coupon_claim(code=code, user=shopper)

    quote = quote_build(user=shopper, items=[Item(sku=sku, quantity=1)], suggest=True, strict=False)

    assert (quote.suggested_coupon.code, quote.suggested_coupon.amount) == ("TENPCT", Decimal("20.00"))
    assert quote.coupon is None  # a suggestion, not applied
    with_it = quote_build(user=shopper, items=[Item(sku=sku, quantity=1)], coupon_code="TENPCT")
    assert with_it.adjustment_total("coupon") == quote.suggested_coupon.amount


def test_no_suggestion_when_no_held_coupon_applies(sku):
    shopper = UserFactory()
    other_category = CategoryFactory()
    claimable("FARAWAY", min_spend=Decimal("1000.00"))
    claimable("ELSEWHERE", categories=[other_category])
    spent = claimable("SPENTONE")
    for code in ("FARAWAY", "ELSEWHERE", "SPENTONE"):
        coupon_claim(code=code, user=shopper)
    place(user=shopper, skus=[sku], coupon_code="SPENTONE")
    assert spent.claims.get().status == "used"

    quote = quote_build(user=shopper, items=[Item(sku=sku, quantity=1)], suggest=True, strict=False)

    assert quote.suggested_coupon is None
    assert quote_build(user=UserFactory(), items=[Item(sku=sku, quantity=1)],
                       suggest=True).suggested_coupon is None


def test_the_suggestion_costs_the_same_queries_for_one_held_coupon_or_many(sku):
    def queries_with(count: int) -> int:
        shopper = UserFactory()
        for n in range(count):
            code = f"Q{count}X{n}"
            claimable(code, value=Decimal(str(5 + n)), categories=[sku.product.category])
            coupon_claim(code=code, user=shopper)
        with CaptureQueriesContext(connection) as captured:
            quote = quote_build(user=shopper, items=[Item(sku=sku, quantity=1)], suggest=True)
        assert quote.suggested_coupon is not None
        return len(captured)

    assert queries_with(1) == queries_with(6)


def test_the_cart_api_and_the_cart_page_carry_the_suggestion(client, sku):
    shopper = UserFactory()
    claimable("CARTBEST", kind=Kind.FIXED, value=Decimal("25.00"))
    coupon_claim(code="CARTBEST", user=shopper)
    CartLineFactory(cart=CartFactory(user=shopper), sku=sku, quantity=1)

    body = api_for(shopper).get("/api/v1/cart/").json()
    assert body["suggested_coupon"] == {"code": "CARTBEST", "saving": "25.00",
                                        "label": "Coupon CARTBEST (−¥25.00)"}
    client.force_login(shopper)
    page = client.get(reverse("orders:cart")).content.decode()
    assert 'data-testid="suggested-coupon"' in page and "CARTBEST" in page
    empty = api_for(UserFactory()).get("/api/v1/cart/").json()
    assert empty["suggested_coupon"] is None


def test_the_checkout_prefills_the_best_held_coupon(client, sku):
    shopper = UserFactory()
    claimable("PREFILL", kind=Kind.FIXED, value=Decimal("30.00"))
    coupon_claim(code="PREFILL", user=shopper)
    CartLineFactory(cart=CartFactory(user=shopper), sku=sku, quantity=1)
    address = AddressFactory(user=shopper, is_default=True)
    client.force_login(shopper)

    page = client.get(reverse("orders:checkout")).content.decode()

    assert 'name="coupon_code" value="PREFILL"' in page
    assert "¥170.00" in page  # 200.00 − 30.00, free shipping above 99.00
    client.post(reverse("orders:checkout"), {
        "address": str(address.pk), "coupon_code": "PREFILL", "points": "0",
        "idempotency_key": "k2", "action": "place"})
    order = Order.objects.get()
    assert (order.coupon_code, order.total) == ("PREFILL", Decimal("170.00"))
    assert CouponClaim.objects.get(user=shopper).status == "used"


# --- One claim, racing orders (PostgreSQL, real threads) ----------------------------------------


def _try_place(user, sku, code) -> str:
    try:
        place(user=user, skus=[sku], coupon_code=code)
    except CouponInvalid as exc:
        return exc.extra.get("reason", "coupon_invalid")
    return "placed"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_claim_raced_by_the_shoppers_own_orders_is_spent_once():
    sku = SkuFactory(price=Decimal("200.00"), stock=50)
    coupon = claimable("ONECLAIM", per_customer_limit=5)
    shopper = UserFactory()
    coupon_claim(code="ONECLAIM", user=shopper)

    results = run_concurrently(5, lambda i: _try_place(shopper, sku, "ONECLAIM"))

    assert sorted(results) == ["not_claimed"] * 4 + ["placed"]
    coupon.refresh_from_db()
    assert coupon.used == 1 == Order.objects.filter(coupon_code="ONECLAIM").count()
    assert CouponClaim.objects.get(user=shopper).redemption is not None
