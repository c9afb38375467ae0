"""Points through the orders pipeline: conversion and cap, award and reversal, own data only.

Lives in orders because only orders may import orders. Money in
these carts: 100 points = 1.00, at most 50 % of the amount after the coupon, shipping
(10.00 below 99.00) excluded.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from catalog.tests.factories import SkuFactory
from marketing.tests.factories import CouponFactory
from membership.services import membership_get, spend_record
from membership.tests.factories import tier_ladder
from orders.gateways.dummy import payment_simulate
from orders.models import Order
from orders.services.lifecycle import order_cancel, order_refund, orders_cancel_unpaid
from orders.services.placement import items_for_skus, order_place
from orders.services.settlement import order_settle
from points.models import LedgerEntry
from points.selectors import balance_for, points_discrepancies
from points.services import points_award, points_redeem

pytestmark = pytest.mark.django_db

ADDRESS = {"name": "Li Lei", "phone": "+86 138 0000 0000", "line1": "1 Nanjing Road",
           "city": "Shanghai", "postcode": "200001", "country": "CN"}


def shopper_with(points: int):
    user = UserFactory()
    if points:
        points_award(user=user, points=points, reference=f"order:EARLIER{user.pk}")
    return user


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def entries(reference: str) -> dict[str, int]:
    return dict(LedgerEntry.objects.filter(reference=reference).values_list("kind", "delta"))


# --- Conversion and cap through POST /api/v1/orders/ -------------------------------------


def test_an_order_uses_points_up_to_half_its_amount_after_the_coupon():
    user = shopper_with(10_000)
    sku = SkuFactory(price=Decimal("100.00"), stock=5)
    CouponFactory(code="TENOFF", value=Decimal("10.00"))  # 100.00 → 90.00: cap 4,500 points

    response = signed_in(user).post("/api/v1/orders/", {
        "address": ADDRESS, "coupon": "TENOFF", "points": 4500,
        "lines": [{"sku": sku.code, "quantity": 1}],
    }, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["points_redeemed"] == 4500
    points_row = [a for a in body["adjustments"] if a["kind"] == "points"]
    assert [a["amount"] for a in points_row] == ["-45.00"]
    assert (body["shipping"], body["total"]) == ("10.00", "55.00")  # 90 − 45 + 10
    assert balance_for(user) == 5_500
    assert entries(f"order:{body['number']}") == {"redeem": -4500}


def test_asking_for_more_than_the_cap_is_a_400_naming_the_maximum():
    user = shopper_with(10_000)
    sku = SkuFactory(price=Decimal("100.00"), stock=5)
    CouponFactory(code="TENOFF", value=Decimal("10.00"))

    response = signed_in(user).post("/api/v1/orders/", {
        "address": ADDRESS, "coupon": "TENOFF", "points": 4501,
        "lines": [{"sku": sku.code, "quantity": 1}],
    }, format="json")

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["max_points"]) == ("points_over_cap", 4500)
    assert "4,500 points" in body["detail"]
    assert not Order.objects.exists()
    assert balance_for(user) == 10_000


def test_asking_for_more_than_the_balance_is_a_400_insufficient_points():
    user = shopper_with(300)
    sku = SkuFactory(price=Decimal("100.00"), stock=5)

    response = signed_in(user).post("/api/v1/orders/", {
        "address": ADDRESS, "points": 301, "lines": [{"sku": sku.code, "quantity": 1}],
    }, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "insufficient_points"
    assert not Order.objects.exists()
    assert balance_for(user) == 300


# --- Pay → settle → points; refund reverses; cancel gives back ----------------------------


def silver_member_with(points: int):
    """A Silver member (points × 1.2, 2 % member price, pays shipping) holding `points`."""
    tier_ladder()
    user = shopper_with(points)
    spend_record(user=user, reference=f"earlier:{user.pk}", amount=Decimal("1000.00"))
    assert membership_get(user).tier.code == "silver"
    return user


def place_and_pay(user, sku, *, points, django_capture_on_commit_callbacks) -> Order:
    order, _ = order_place(user=user, address=ADDRESS, items=items_for_skus(pairs=[(sku, 1)]),
                           points=points)
    with django_capture_on_commit_callbacks(execute=True):  # settlement runs (eager)
        payment_simulate(order=order, outcome="approve")
    order.refresh_from_db()
    return order


def test_settlement_awards_paid_minus_shipping_times_the_tier_multiplier_and_refund_undoes_it(
    django_capture_on_commit_callbacks,
):
    user = silver_member_with(1000)
    sku = SkuFactory(price=Decimal("50.00"), stock=5)  # Silver price 49.00, +10.00 shipping

    order = place_and_pay(user, sku, points=1000,
                          django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)

    assert order.status == Order.Status.PROCESSING
    assert (order.total, order.shipping, order.points_redeemed) == (
        Decimal("49.00"), Decimal("10.00"), 1000)  # 49 − 10 (points) + 10
    # ⌊(49.00 − 10.00) × 1.2⌋ = ⌊46.8⌋ = 46
    assert entries(order.reference) == {"redeem": -1000, "earn": 46}
    assert balance_for(user) == 46

    order_settle(order_id=order.pk)  # a redelivered settlement awards nothing more
    assert balance_for(user) == 46

    order_refund(order=order)

    assert entries(order.reference) == {"redeem": -1000, "earn": 46, "reverse": -46,
                                        "refund": 1000}
    assert balance_for(user) == 1000
    assert points_discrepancies() == []


def test_refunding_an_order_whose_points_were_spent_reverses_what_is_left(
    django_capture_on_commit_callbacks,
):
    user = silver_member_with(0)
    sku = SkuFactory(price=Decimal("500.00"), stock=5)  # Silver 490.00, free shipping
    order = place_and_pay(user, sku, points=0,
                          django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert balance_for(user) == 588  # ⌊490 × 1.2⌋
    other = place_and_pay(user, SkuFactory(price=Decimal("100.00"), stock=5), points=500,
                          django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    # 98.00 − 5.00 (500 points) + 10.00 shipping; earns ⌊93.00 × 1.2⌋ = 111
    assert (other.points_redeemed, other.total) == (500, Decimal("103.00"))
    assert balance_for(user) == 588 - 500 + 111

    order_refund(order=order)

    reversal = LedgerEntry.objects.get(kind="reverse", reference=order.reference)
    assert (reversal.delta, reversal.shortfall) == (-199, 389)  # all there was; 389 spent
    assert balance_for(user) == 0
    assert points_discrepancies() == []


def test_a_refund_gives_the_redemption_back_before_reversing_the_award(
    django_capture_on_commit_callbacks,
):
    user = shopper_with(1000)
    sku = SkuFactory(price=Decimal("100.00"), stock=5)  # no tiers: multiplier 1
    order = place_and_pay(user, sku, points=500,
                          django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    # 100.00 − 5.00 (500 points) + 10.00 shipping; earns ⌊95.00 × 1⌋ = 95
    assert entries(order.reference) == {"redeem": -500, "earn": 95}
    points_redeem(user=user, points=595, reference="order:ELSEWHERE")  # all of it spent
    assert balance_for(user) == 0

    order_refund(order=order)

    # The 500 come back first, so the reversal finds the 95 it takes back.
    reversal = LedgerEntry.objects.get(kind="reverse", reference=order.reference)
    assert (reversal.delta, reversal.shortfall) == (-95, 0)
    assert balance_for(user) == 500 - 95
    assert points_discrepancies() == []


def test_cancelling_an_unpaid_order_that_used_points_gives_them_back():
    user = shopper_with(2000)
    sku = SkuFactory(price=Decimal("100.00"), stock=5)
    order, _ = order_place(user=user, address=ADDRESS, items=items_for_skus(pairs=[(sku, 1)]),
                           points=2000)
    assert balance_for(user) == 0

    order_cancel(order=order, actor=user)

    assert balance_for(user) == 2000
    assert entries(order.reference) == {"redeem": -2000, "refund": 2000}


def test_the_unpaid_timeout_gives_the_points_back(settings):
    user = shopper_with(800)
    sku = SkuFactory(price=Decimal("100.00"), stock=5)
    order, _ = order_place(user=user, address=ADDRESS, items=items_for_skus(pairs=[(sku, 1)]),
                           points=800)

    cancelled = orders_cancel_unpaid(now=timezone.now() + settings.ORDER_PAYMENT_TIMEOUT
                                     + timedelta(minutes=1))

    assert cancelled == 1
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert balance_for(user) == 800


def test_staff_cancelling_a_settled_order_reverses_the_award_and_returns_the_redemption(
    django_capture_on_commit_callbacks,
):
    user = shopper_with(1000)
    sku = SkuFactory(price=Decimal("100.00"), stock=5)  # free shipping: 100 − 10 = 90 paid
    order = place_and_pay(user, sku, points=1000,
                          django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert entries(order.reference) == {"redeem": -1000, "earn": 90}

    order_cancel(order=order, by_staff=True, actor=UserFactory(is_staff=True))

    assert balance_for(user) == 1000
    assert points_discrepancies() == []


# --- Another shopper's order is not a way in --------------------------------------------


def test_another_shoppers_order_and_its_points_stay_out_of_reach(
    django_capture_on_commit_callbacks,
):
    owner, snooper = shopper_with(500), UserFactory()
    order = place_and_pay(owner, SkuFactory(price=Decimal("100.00"), stock=5), points=500,
                          django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    client = signed_in(snooper)

    assert client.get(f"/api/v1/orders/{order.number}/").status_code == 404
    assert client.get("/api/v1/points/").json()["balance"] == 0
    assert client.get("/api/v1/points/entries/").json()["count"] == 0
