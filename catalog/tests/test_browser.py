"""A shopper's journey in Chromium, from the home page to a chosen SKU."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog.tests.factories import CategoryFactory, ProductImageFactory, SkuFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_home_to_category_to_price_filter_to_product_to_a_sku(live_server, page):
    root = CategoryFactory(name="Electronics", slug="electronics")
    audio = CategoryFactory(parent=root, name="Audio", slug="audio")
    headphones = SkuFactory(
        product__name="Quiet Pro Headphones", product__category=audio, code="QP-BLACK",
        attributes={"colour": "Black"}, price=Decimal("1499.00"), stock=40,
    ).product
    SkuFactory(product=headphones, code="QP-WHITE", attributes={"colour": "White"},
               price=Decimal("1599.00"), stock=3)
    ProductImageFactory(product=headphones)
    SkuFactory(product__name="Budget Earbuds", product__category=audio, price=Decimal("99.00"))

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Electronics").first.click()
    expect(page.get_by_role("heading", name="Electronics", level=1)).to_be_visible()
    expect(page.get_by_text("Budget Earbuds")).to_be_visible()

    page.get_by_label("Lowest price").fill("1000")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("Budget Earbuds")).to_have_count(0)
    page.get_by_role("link", name="Quiet Pro Headphones").first.click()

    expect(page.locator("#sku-price")).to_have_text("¥1,499.00")
    expect(page.locator("#sku-stock")).to_have_text("In stock")
    page.get_by_text("White", exact=True).click()
    expect(page.locator("#sku-price")).to_have_text("¥1,599.00")
    expect(page.locator("#sku-stock")).to_have_text("Only 3 left")
    expect(page.locator("#quantity")).to_have_attribute("max", "3")
    expect(page.locator("input[name=sku]:checked")).to_have_value(
        str(headphones.skus.get(code="QP-WHITE").pk))
