"""Listing pages, the product page and the API cost a fixed number of queries.

Whatever the page size, and with a cold cache (nothing cached: every part rendered, the
most a view costs) as with a warm one (the cached parts reused). Thumbnails come from the
image rows, so a cold cache no longer adds a lookup per card.

Warm costs fewer queries than cold, by design: that is what the cache is for. Each test
states both figures: the same for 1 and 20 products, and warm below cold.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from catalog.tests.factories import CategoryFactory, ProductImageFactory, SkuFactory

# Cold: the parts rendered, plus the marketing windows looked up once per catalogue version.
MAX_COLD_QUERIES = 10
# Warm, anonymous: the whole page is cached; the product page's flash-sale block stays.
MAX_WARM_QUERIES = 1
# Warm, signed in: the session and the user, plus what stays per request around the cached
# parts (a listing's category, the flash-sale block); the header figures come from the cache.
MAX_SIGNED_IN_WARM_QUERIES = 3
# The product page asks two things of the signed-in shopper for its review form: whether they
# reviewed the product and whether an order of theirs with it is completed.
REVIEW_FORM_QUERIES = 2
HEADER_TABLES = ("points_pointsaccount", "orders_cartline", "membership_membership",
                 "membership_tier", "catalog_wishlistitem")


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


def queries_for(client, url, *, cold: bool = False) -> int:
    client.get(url)
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def cold_and_warm(client, url) -> tuple[int, int]:
    return queries_for(client, url, cold=True), queries_for(client, url)


@pytest.mark.django_db
@pytest.mark.parametrize("url", [
    "/c/gadgets/",
    "/c/gadgets/?min_price=1&ordering=price&in_stock=true",
    "/search/?q=product",
    "/",
])
def test_a_listing_page_costs_the_same_queries_for_1_and_20_products_cold_or_warm(
    client, category, url
):
    make_products(category, 1)
    cold_one, warm_one = cold_and_warm(client, url)
    make_products(category, 19)
    cold_twenty, warm_twenty = cold_and_warm(client, url)
    assert cold_one == cold_twenty <= MAX_COLD_QUERIES
    assert warm_one == warm_twenty <= MAX_WARM_QUERIES < cold_one


@pytest.mark.django_db
@pytest.mark.parametrize("url", [
    "/c/gadgets/",
    "/search/?q=product",
    "/",
    "/p/{first}/",
    "/api/v1/products/?page_size=20",
])
def test_a_signed_in_shoppers_warm_page_reads_no_header_figure_from_the_database(
    client, category, url
):
    (first,) = make_products(category, 1)
    url = url.format(first=first.slug)
    client.force_login(UserFactory())
    cold_one, warm_one = cold_and_warm(client, url)
    make_products(category, 19)
    cold_twenty, warm_twenty = cold_and_warm(client, url)
    budget = MAX_SIGNED_IN_WARM_QUERIES + (REVIEW_FORM_QUERIES if url.startswith("/p/") else 0)
    assert cold_one == cold_twenty
    assert warm_one == warm_twenty <= budget < cold_one
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    assert [q["sql"] for q in captured if any(table in q["sql"] for table in HEADER_TABLES)] == []


@pytest.mark.django_db
@pytest.mark.parametrize("url", [
    "/api/v1/products/",
    "/api/v1/products/?page_size=50",
    "/api/v1/products/?category=gadgets&max_price=1000&ordering=-price&q=product",
])
def test_the_api_list_costs_the_same_queries_for_1_and_20_products_cold_or_warm(
    client, category, url
):
    make_products(category, 1)
    cold_one, warm_one = cold_and_warm(client, url)
    make_products(category, 19)
    cold_twenty, warm_twenty = cold_and_warm(client, url)
    assert client.get(url).json()["count"] == 20
    assert cold_one == cold_twenty <= MAX_COLD_QUERIES
    assert warm_one == warm_twenty < cold_one


@pytest.mark.django_db
def test_the_product_page_costs_the_same_queries_for_few_and_many_skus_and_images(
    client, category
):
    (small,) = make_products(category, 1, skus=1, images=1)
    (large,) = make_products(category, 1, skus=4, images=4)
    cold_few, warm_few = cold_and_warm(client, f"/p/{small.slug}/")
    cold_many, warm_many = cold_and_warm(client, f"/p/{large.slug}/")
    assert cold_few == cold_many <= MAX_COLD_QUERIES
    assert warm_few == warm_many <= MAX_WARM_QUERIES < cold_few


@pytest.mark.django_db
def test_the_product_api_costs_the_same_queries_for_few_and_many_skus(client, category):
    (small,) = make_products(category, 1, skus=1, images=1)
    (large,) = make_products(category, 1, skus=4, images=4)
    few = cold_and_warm(client, f"/api/v1/products/{small.slug}/")
    many = cold_and_warm(client, f"/api/v1/products/{large.slug}/")
    assert few[0] == many[0] and few[1] == many[1] < few[0]
