"""In Chromium at phone and desktop widths: a buyer reviews, saves a product to the wishlist
(a card's heart), sees the stars on the card and the wishlist page, with no sideways scroll;
the stock alert follows the SKU picker."""

from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from catalog.models import StockAlert, WishlistItem
from catalog.services import sku_set_stock
from catalog.tests.factories import CategoryFactory, SkuFactory
from orders.models import Order
from orders.tests.factories import place
from orders.tests.test_browser import _logged_in


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [390, 1280])
def test_a_buyer_reviews_saves_and_sees_stars_on_the_card(live_server, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    tea = CategoryFactory(name="Tea", slug="tea")
    sku = SkuFactory(product__name="Longjing Green Tea With A Rather Long Name",
                     product__slug="longjing", product__category=tea, price=Decimal("68.00"),
                     stock=20)
    buyer = UserFactory(display_name="Mei")
    order = place(user=buyer, skus=[sku])
    Order.objects.filter(pk=order.pk).update(status=Order.Status.COMPLETED)
    _logged_in(page.context, live_server, buyer)

    page.goto(f"{live_server.url}/p/longjing/")
    page.get_by_label("Rating").select_option("4")
    page.get_by_label("Your review").fill("Fresh and fragrant, a fine spring harvest. " * 4)
    page.get_by_role("button", name="Publish review").click()
    expect(page.get_by_text("your review is published")).to_be_visible()
    expect(page.locator(".review")).to_have_count(1)
    expect(page.get_by_text("Verified purchase")).to_be_visible()
    assert fits(page)

    page.goto(f"{live_server.url}/c/tea/")
    expect(page.locator(".product-card .stars")).to_contain_text("4.0 (1)")
    page.locator(".product-card .heart").click()
    expect(page.get_by_text("Saved Longjing")).to_be_visible()
    page.goto(f"{live_server.url}/c/tea/")
    expect(page.locator(".product-card .heart")).to_have_attribute("aria-pressed", "true")
    assert WishlistItem.objects.filter(user=buyer).count() == 1
    assert fits(page)

    page.goto(f"{live_server.url}/wishlist/")
    expect(page.get_by_text("¥68.00")).to_be_visible()
    expect(page.locator(".wishlist__item .stars")).to_contain_text("4.0")
    assert fits(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_stock_alert_follows_the_sku_picker_and_the_email_comes_once(live_server, page):
    page.set_viewport_size({"width": 390, "height": 900})
    red = SkuFactory(product__name="Enamel Pot", product__slug="enamel-pot", code="POT-RED",
                     attributes={"colour": "Red"}, stock=4)
    blue = SkuFactory(product=red.product, code="POT-BLUE", attributes={"colour": "Blue"},
                      stock=0)
    shopper = UserFactory()
    _logged_in(page.context, live_server, shopper)

    page.goto(f"{live_server.url}/p/enamel-pot/")
    alert = page.locator("#stock-alert")
    expect(alert).to_be_hidden()
    page.get_by_text("Blue", exact=True).click()
    expect(alert).to_be_visible()
    alert.get_by_role("button").click()
    expect(page.get_by_text("is back in stock")).to_be_visible()
    assert StockAlert.objects.filter(user=shopper, sku=blue).exists()
    assert fits(page)

    mail.outbox.clear()
    page.context.clear_cookies()
    sku_set_stock(sku=blue, stock=3)
    assert [m.to for m in mail.outbox] == [[shopper.email]]
