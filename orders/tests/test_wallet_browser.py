"""In Chromium, at phone and desktop widths: claim in the coupon centre, see it suggested and
pre-filled at checkout, and the product page's recommendations; no page scrolls sideways."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from accounts.tests.factories import AddressFactory, UserFactory
from catalog.tests.factories import ProductFactory, SkuFactory
from marketing.models import CouponClaim, Kind
from marketing.tests.factories import CouponFactory
from orders.models import Order
from orders.tests.factories import place

WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def _logged_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])


def _no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def _product(name: str, slug: str, price: str):
    item = ProductFactory(name=name, slug=slug)
    return SkuFactory(product=item, price=Decimal(price), stock=50)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", list(WIDTHS))
def test_claim_then_checkout_with_the_suggested_coupon(live_server, page, width):
    page.set_viewport_size(WIDTHS[width])
    teapot = _product("Clay Teapot", "clay-teapot", "180.00")
    cups = _product("Tea Cups With A Rather Long Name For A Phone", "tea-cups", "40.00")
    place(user=UserFactory(), skus=[teapot, cups])
    Order.objects.update(status=Order.Status.PAID)
    CouponFactory(code="SPRING20", name="Spring ¥20 off", kind=Kind.FIXED, value=Decimal("20.00"),
                  min_spend=Decimal("100.00"), claimable=True, claims_total=5, per_customer_limit=None)
    shopper = UserFactory()
    AddressFactory(user=shopper, is_default=True)
    _logged_in(page.context, live_server, shopper)

    page.goto(f"{live_server.url}/coupons/")
    card = page.locator("#coupon-SPRING20")
    expect(card).to_contain_text("5 claims left")
    _no_sideways_scroll(page)
    card.get_by_role("button", name="Claim").click()
    expect(page.locator(".message--success")).to_contain_text("SPRING20 is in your wallet")
    expect(page.locator("#coupon-SPRING20")).to_contain_text("4 claims left")
    assert CouponClaim.objects.filter(user=shopper).count() == 1

    page.goto(f"{live_server.url}/coupons/mine/")
    expect(page.get_by_test_id("wallet-available")).to_contain_text("Spring ¥20 off")
    _no_sideways_scroll(page)

    page.goto(f"{live_server.url}/p/tea-cups/")
    page.goto(f"{live_server.url}/p/clay-teapot/")
    expect(page.get_by_test_id("bought-together")).to_contain_text("Tea Cups")
    expect(page.get_by_test_id("recently-viewed")).to_contain_text("Tea Cups")
    _no_sideways_scroll(page)
    page.get_by_role("button", name="Add to cart").click()

    expect(page).to_have_url(f"{live_server.url}/cart/")
    expect(page.get_by_test_id("suggested-coupon")).to_contain_text("SPRING20")
    _no_sideways_scroll(page)
    page.get_by_role("link", name="Check out").click()

    expect(page.locator("#id_coupon_code")).to_have_value("SPRING20")
    expect(page.get_by_test_id("total")).to_have_text("¥160.00")
    _no_sideways_scroll(page)
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading", name="Sandbox payment")).to_be_visible()
    order = Order.objects.get(user=shopper)
    assert (order.coupon_code, order.total) == ("SPRING20", Decimal("160.00"))
