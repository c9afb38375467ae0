"""Checkout totals follow the coupon and points as the shopper types (checkout.js on the cart
API); without script the "Update totals" button still posts the form."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from accounts.tests.factories import AddressFactory
from orders.tests.factories import CartFactory, CartLineFactory, SkuFactory, UserFactory
from points.services import points_award


def fill_cart(user):
    """4 × 12.50 = 50.00 plus 10.00 shipping: points may pay up to 25.00 (2,500 points)."""
    cart = CartFactory(user=user)
    for _ in range(2):
        CartLineFactory(cart=cart, sku=SkuFactory(stock=9, price=Decimal("12.50")), quantity=2)


@pytest.mark.django_db
def test_the_checkout_page_loads_the_script_and_names_the_api_it_calls(client):
    user = UserFactory()
    fill_cart(user)
    client.force_login(user)
    html = client.get(reverse("orders:checkout")).content.decode()
    assert re.search(r'<script src="[^"]*js/checkout\.js"', html)
    assert 'data-live-totals="/api/v1/cart/"' in html
    assert 'name="action" value="update"' in html  # the no-script path stays


@pytest.mark.django_db
def test_the_cart_api_answers_the_totals_for_the_points_asked(client):
    user = UserFactory()
    fill_cart(user)
    points_award(user=user, points=3_000, reference="order:EARLIER")
    client.force_login(user)
    plain = client.get("/api/v1/cart/").json()
    assert plain["total"] == "60.00" and plain["points_error"] == ""
    assert "3,000" in plain["points_help"] and "2,500" in plain["points_help"]

    with_points = client.get("/api/v1/cart/", {"points": 1500}).json()
    assert with_points["points_redeemed"] == 1500
    assert with_points["total"] == "45.00"
    assert [a["amount"] for a in with_points["adjustments"]] == ["-15.00"]

    over = client.get("/api/v1/cart/", {"points": 2600}).json()
    assert over["total"] == "60.00" and "2,500" in over["points_error"]


@pytest.mark.django_db
@pytest.mark.parametrize("points", ["-1", "abc", "1.5", "99999999999"])
def test_the_cart_api_refuses_points_that_are_not_a_whole_number(client, points):
    user = UserFactory()
    client.force_login(user)
    response = client.get("/api/v1/cart/", {"points": points})
    assert response.status_code == 400
    assert "points" in response.json()  # the field error, as every 400 of the API


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_typing_points_updates_the_total_without_pressing_the_button(live_server, page):
    user = UserFactory()
    AddressFactory(user=user)
    fill_cart(user)
    points_award(user=user, points=3_000, reference="order:EARLIER")
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])
    requests = []
    page.on("request", lambda request: requests.append(request.method))
    page.goto(live_server.url + reverse("orders:checkout"))
    page.wait_for_selector("form[data-live-ready]", state="attached")
    total = page.get_by_test_id("total")
    expect(total).to_have_text("¥60.00")
    posts_before = requests.count("POST")

    page.get_by_label("Points").fill("1000")
    expect(total).to_have_text("¥50.00")
    expect(page.locator("[data-place-total]")).to_have_text("¥50.00")
    expect(page.locator(".breakdown__adjustment")).to_have_count(1)

    page.get_by_label("Points").fill("9999")
    expect(page.locator("[data-points-error]")).to_be_visible()
    expect(total).to_have_text("¥60.00")
    assert requests.count("POST") == posts_before  # no form was submitted
