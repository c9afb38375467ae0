"""Listing pages and the API list cost the same queries for 1 and 20 products.

Pages are measured on their second view: sorl-thumbnail makes each thumbnail once and keeps
its metadata in the cache, so the steady state is what a shopper's request costs.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.tests.factories import CategoryFactory, ProductImageFactory, SkuFactory

MAX_LISTING_QUERIES = 6


@pytest.fixture
def category(db):
    root = CategoryFactory(slug="gadgets")
    CategoryFactory(parent=root, slug="gizmos")
    root.refresh_from_db()
    return root


def make_products(category, count, *, skus=2, images=1):
    products = []
    for _ in range(count):
        product = SkuFactory(product__category=category).product
        for _ in range(skus - 1):
            SkuFactory(product=product)
        for _ in range(images):
            ProductImageFactory(product=product)
        products.append(product)
    return products


def queries_for(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize("url", [
    "/c/gadgets/",
    "/c/gadgets/?min_price=1&ordering=price&in_stock=true",
    "/search/?q=product",
    "/",
])
def test_a_listing_page_costs_the_same_queries_for_1_and_20_products(client, category, url):
    make_products(category, 1)
    one = queries_for(client, url)
    make_products(category, 19)
    twenty = queries_for(client, url)
    assert one == twenty
    assert twenty <= MAX_LISTING_QUERIES


@pytest.mark.django_db
@pytest.mark.parametrize("url", [
    "/api/v1/products/",
    "/api/v1/products/?category=gadgets&max_price=1000&ordering=-price&q=product",
])
def test_the_api_list_costs_the_same_queries_for_1_and_20_products(client, category, url):
    make_products(category, 1)
    one = queries_for(client, url)
    make_products(category, 19)
    twenty = queries_for(client, url)
    assert client.get(url).json()["count"] == 20
    assert one == twenty
    assert twenty <= MAX_LISTING_QUERIES


@pytest.mark.django_db
def test_the_product_page_costs_the_same_queries_for_few_and_many_skus_and_images(
    client, category
):
    (small,) = make_products(category, 1, skus=1, images=1)
    (large,) = make_products(category, 1, skus=4, images=4)
    few = queries_for(client, f"/p/{small.slug}/")
    assert few == queries_for(client, f"/p/{large.slug}/")
    assert few <= MAX_LISTING_QUERIES


@pytest.mark.django_db
def test_the_product_api_costs_the_same_queries_for_few_and_many_skus(client, category):
    (small,) = make_products(category, 1, skus=1, images=1)
    (large,) = make_products(category, 1, skus=4, images=4)
    assert (queries_for(client, f"/api/v1/products/{small.slug}/")
            == queries_for(client, f"/api/v1/products/{large.slug}/"))
