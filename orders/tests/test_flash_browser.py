"""In Chromium: the flash page counts down, "buy now" buys at the flash price, a retry is refused."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import AddressFactory, UserFactory
from catalog.tests.factories import SkuFactory
from marketing.flash import flash_cache_forget
from marketing.tests.factories import FlashSaleFactory
from orders.models import Order


def _logged_in(context, live_server, user):
    """Give the browser context a session of `user` (logging in is accounts' journey)."""
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_flash_page_counts_down_buys_at_the_flash_price_and_refuses_a_second_try(live_server, page):
    flash_cache_forget()
    sku = SkuFactory(product__name="Jade Phone", price=Decimal("1999.00"), stock=50)
    sale = FlashSaleFactory(sku=sku, price=Decimal("999.00"), quantity=20, per_customer_limit=1,
                            ends_at=timezone.now() + timedelta(hours=1))
    shopper = UserFactory()
    AddressFactory(user=shopper, is_default=True)
    _logged_in(page.context, live_server, shopper)

    page.goto(f"{live_server.url}/flash/")
    card = page.locator(f"#flash-{sale.pk}")
    countdown = card.locator(".countdown")
    expect(countdown).to_have_text(re.compile(r"^00:5\d:\d\d$"))
    first = countdown.inner_text()
    expect(countdown).not_to_have_text(first)  # shop.js ticks it
    expect(card.locator("[data-flash-price]")).to_have_text("¥999.00")
    expect(card.locator("[data-remaining]")).to_have_text("20")
    card.get_by_role("button", name="Buy now").click()

    expect(page.get_by_role("heading", name="Sandbox payment")).to_be_visible()
    order = Order.objects.get(user=shopper)
    expect(page.get_by_role("row", name="Amount")).to_contain_text("¥999.00")  # free shipping above 99.00
    assert order.lines.get().unit_price == Decimal("999.00")

    page.goto(f"{live_server.url}/flash/")
    expect(card.locator("[data-remaining]")).to_have_text("19")
    card.get_by_role("button", name="Buy now").click()

    expect(page.locator(".message--error")).to_contain_text("allows 1 unit per customer")
    assert Order.objects.filter(user=shopper).count() == 1
