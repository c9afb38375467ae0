"""`GET /api/v1/coupons/{code}/check/`: does a code apply to my cart now, and why not."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from catalog.tests.factories import SkuFactory
from marketing.tests.factories import CouponFactory
from orders.services.cart import cart_add, cart_get_or_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopper_with_cart():
    """A shopper whose cart holds 150.00 of goods."""
    user = UserFactory()
    cart_add(cart=cart_get_or_create(user=user), sku=SkuFactory(price=Decimal("150.00")),
             quantity=1)
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_coupon_that_fits_the_cart_says_what_it_takes_off(shopper_with_cart):
    CouponFactory(code="MIN100", value=Decimal("10.00"), min_spend=Decimal("100.00"))

    response = shopper_with_cart.get("/api/v1/coupons/min100/check/")

    assert response.status_code == 200
    assert response.json() == {"code": "MIN100", "applies": True, "amount": "15.00",
                               "reason": "", "reason_code": ""}


def test_a_coupon_that_does_not_fit_says_why(shopper_with_cart):
    CouponFactory(code="MIN500", min_spend=Decimal("500.00"))

    body = shopper_with_cart.get("/api/v1/coupons/MIN500/check/").json()

    assert (body["applies"], body["amount"], body["reason_code"]) == (False, "0.00", "min_spend")
    assert body["reason"].startswith("Coupon MIN500 needs a spend of ¥500.00")


def test_an_unknown_code_is_an_answer_not_a_404(shopper_with_cart):
    body = shopper_with_cart.get("/api/v1/coupons/NOPE/check/").json()

    assert (body["applies"], body["reason_code"]) == (False, "unknown")


def test_checking_a_coupon_needs_a_signed_in_shopper():
    CouponFactory(code="MIN100")

    assert APIClient().get("/api/v1/coupons/MIN100/check/").status_code == 401
