"""Listing pages with running discounts cost the same queries for 1 and 20 products.

Measured with an empty cache each time (the rows are made by factories, not by the services
that move the catalogue version): what rendering the page costs.
"""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from catalog.models import Category
from catalog.tests.factories import CategoryFactory, ProductFactory, SkuFactory
from marketing.models import Kind
from marketing.tests.factories import DiscountFactory

pytestmark = pytest.mark.django_db


def shelf_of(count: int):
    """A category on 15 % off, `count` products with two SKUs each, one also on a product discount."""
    category = CategoryFactory(slug="electronics")
    DiscountFactory(name="Electronics week", value=Decimal("15.00"), categories=[category])
    products = [ProductFactory(category=category) for _ in range(count)]
    for product in products:
        SkuFactory(product=product, price=Decimal("100.00"))
        SkuFactory(product=product, price=Decimal("120.00"))
    DiscountFactory(kind=Kind.FIXED, value=Decimal("30.00"), products=[products[0]])
    return category


def queries(fetch) -> tuple[int, object]:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = fetch()
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize("path", ["/c/electronics/", "/search/?q=Product"])
def test_a_listing_page_costs_the_same_queries_for_1_and_20_products(client, path):
    shelf_of(1)
    one, page = queries(lambda: client.get(path))
    assert 'class="price--was"' in page.content.decode()  # the discount is on the page

    for _ in range(19):
        product = ProductFactory(category=Category.objects.get(slug="electronics"))
        SkuFactory(product=product, price=Decimal("100.00"))
    twenty, page = queries(lambda: client.get(path))

    assert page.content.decode().count('class="product-card"') == 20
    assert twenty == one


def test_the_products_api_costs_the_same_queries_for_1_and_20_products():
    api = APIClient()
    category = shelf_of(1)
    one, response = queries(lambda: api.get("/api/v1/products/?category=electronics"))
    first = response.json()["results"][0]
    assert first["effective_price_from"] == "70.00"  # 100.00 − 30.00 beats −15 %

    for _ in range(19):
        SkuFactory(product=ProductFactory(category=category), price=Decimal("100.00"))
    twenty, response = queries(lambda: api.get("/api/v1/products/?category=electronics"))

    assert response.json()["count"] == 20
    assert {p["effective_price_from"] for p in response.json()["results"][:-1]} == {"85.00"}
    assert twenty == one
