"""Shopper pages say what things mean to a shopper: no gateway names, internal references or
bookkeeping words; points grouped by thousands; a sale badge with the percent off; the
sign-up page offers the sign-up points."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.tests.factories import SkuFactory
from points.services import points_adjust
from shop.money import percent_off
from shop.tests.storefront import demo_storefront
from shop.tests.test_languages import VisibleText

pytestmark = pytest.mark.django_db

INTERNAL = re.compile(r"dummy|settled|demo:|order:SO|signup:\d|lot:\d|Earned on|Paid through", re.I)


def visible(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " | ".join(parser.texts)


@pytest.fixture
def shop(client):
    shop = demo_storefront()
    client.force_login(shop["user"])
    return shop


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_order_and_points_pages_show_no_gateway_reference_or_bookkeeping(client, shop, language):
    for url in [shop["paid_order"].get_absolute_url(), "/orders/", "/points/",
                reverse("orders:receipt", args=[shop["paid_order"].number])]:
        text = visible(client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode())
        assert not INTERNAL.search(text), (url, INTERNAL.search(text).group(0), text)


def test_the_order_history_says_what_each_step_means(client, shop):
    text = visible(client.get(shop["paid_order"].get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "Payment received" in text and "Preparing your order" in text
    text = visible(client.get(shop["paid_order"].get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    assert "已收到付款" in text and "正在为您备货" in text


def test_the_points_history_names_the_order_the_points_were_earned_for(client, shop):
    number = shop["paid_order"].number
    html = client.get("/points/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Points earned for order {number}" in visible(html)
    assert f'href="/orders/{number}/"' in html
    assert f"订单 {number} 获得积分" in visible(client.get("/points/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())


def test_points_are_grouped_by_thousands_on_every_page_that_shows_them(client, shop):
    user = shop["user"]
    points_adjust(user=user, delta=1_234_567, reason="Goodwill")
    for language in ("en", "zh-hans"):
        for url in ["/points/", "/checkout/", "/membership/"]:
            text = visible(client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode())
            assert not re.search(r"(?<![\d,.])\d{4,}(?![\d,.])\s*(points|积分)", text), (url, text)
        header = client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert re.search(r'account-menu__value">1,2\d\d,\d{3}<', header)


def test_percent_off_rounds_down_and_is_zero_without_a_reduction():
    assert percent_off(Decimal("85.00"), Decimal("100.00")) == 15
    assert percent_off(Decimal("2804.15"), Decimal("3299.00")) == 15
    assert percent_off(Decimal("66.67"), Decimal("100.00")) == 33
    assert percent_off(Decimal("100.00"), Decimal("100.00")) == 0
    assert percent_off(Decimal("120.00"), Decimal("100.00")) == 0
    assert percent_off(Decimal("1.00"), Decimal("0.00")) == 0


def test_a_product_card_below_its_base_price_has_a_sale_badge_with_the_percent(client, shop):
    html = client.get(shop["product"].category.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    badges = re.findall(r'data-testid="sale-badge">([^<]+)<', html)
    assert badges and all(re.fullmatch(r"−\d{1,2} %", badge) for badge in badges), badges
    assert "−15 %" in badges  # the demo's electronics discount


def test_a_product_at_its_base_price_has_no_sale_badge(client, db):
    sku = SkuFactory(price=Decimal("10.00"), product__name="Plain Mug")
    html = client.get(sku.product.category.get_absolute_url()).content.decode()
    assert "Plain Mug" in html and 'data-testid="sale-badge"' not in html


def test_the_signup_page_offers_the_signup_points_from_the_setting(client, db, settings):
    settings.SHOP_POINTS_SIGNUP_BONUS = 1500
    html = client.get(reverse("account_signup"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r'data-testid="signup-bonus">[^<]*1,500 points', html)
    assert "1,500" in client.get(reverse("account_signup"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    settings.SHOP_POINTS_SIGNUP_BONUS = 0
    assert 'data-testid="signup-bonus"' not in client.get(reverse("account_signup")).content.decode()
