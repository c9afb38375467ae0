""""Bought together": products in the same standing paid orders, most frequent first, on the
product page and in the product API, in a fixed number of queries."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from catalog.tests.factories import ProductFactory, SkuFactory
from orders.models import Order
from orders.selectors import BOUGHT_TOGETHER_SECONDS, bought_together_ids
from orders.tests.factories import UserFactory, place

pytestmark = pytest.mark.django_db

S = Order.Status


def forget(slug: str) -> None:
    """Let the cached answer for `slug` run out, as it does after a minute."""
    cache.delete(f"orders:bought-together:8:{slug}")


def product(name: str, **kwargs):
    item = ProductFactory(name=name, slug=name.lower().replace(" ", "-"), **kwargs)
    SkuFactory(product=item, price=Decimal("50.00"), stock=500)
    return item


def bought(*products, status=S.PAID) -> Order:
    """An order holding one unit of each product, moved to `status`."""
    order = place(user=UserFactory(), skus=[p.skus.first() for p in products])
    Order.objects.filter(pk=order.pk).update(status=status)
    return order


@pytest.fixture
def shelf():
    names = ["Teapot", "Cups", "Tray", "Kettle", "Strainer", "Towel", "Hidden", "Loner"]
    return {name.lower(): product(name) for name in names}


def test_the_ranking_counts_standing_paid_orders_most_frequent_first(shelf):
    teapot, cups, tray, kettle = (shelf[k] for k in ("teapot", "cups", "tray", "kettle"))
    for status in (S.PAID, S.SHIPPED, S.COMPLETED):
        bought(teapot, cups, status=status)
    bought(teapot, tray, status=S.PROCESSING)
    bought(teapot, tray, kettle)
    bought(teapot, shelf["strainer"], status=S.PENDING_PAYMENT)   # not paid
    bought(teapot, shelf["towel"], status=S.CANCELLED)           # cancelled
    bought(teapot, shelf["towel"], status=S.REFUNDED)            # given back
    for _ in range(5):
        bought(teapot, shelf["hidden"])                          # most frequent, but not for sale
    bought(cups, shelf["loner"])                                 # not with the teapot
    shelf["hidden"].is_active = False
    shelf["hidden"].save()

    assert bought_together_ids("teapot") == [cups.pk, tray.pk, kettle.pk]
    assert bought_together_ids("cups") == [teapot.pk, shelf["loner"].pk]
    assert bought_together_ids("no-such-product") == []


def test_at_most_eight_and_ties_go_to_the_older_product(shelf):
    others = [product(f"Extra {n}") for n in range(10)]
    for other in others:
        bought(shelf["teapot"], other)
    bought(shelf["teapot"], others[9])

    assert bought_together_ids("teapot") == [others[9].pk] + [o.pk for o in others[:7]]


def test_the_answer_is_cached_for_a_minute_at_most(shelf, django_assert_num_queries):
    bought(shelf["teapot"], shelf["cups"])
    assert bought_together_ids("teapot") == [shelf["cups"].pk]
    bought(shelf["teapot"], shelf["tray"])
    bought(shelf["teapot"], shelf["tray"])

    with django_assert_num_queries(0):
        assert bought_together_ids("teapot") == [shelf["cups"].pk]  # the cached answer
    assert BOUGHT_TOGETHER_SECONDS <= 60
    forget("teapot")  # the minute has passed
    assert bought_together_ids("teapot") == [shelf["tray"].pk, shelf["cups"].pk]


def test_the_product_page_shows_the_block_in_a_fixed_number_of_queries(
    client, shelf, django_assert_max_num_queries
):
    bought(shelf["teapot"], shelf["cups"])
    client.get("/p/teapot/")  # the page's cached body is made; the block is per request
    forget("teapot")
    with CaptureQueriesContext(connection) as few:
        page = client.get("/p/teapot/").content.decode()
    assert 'data-testid="bought-together"' in page and "Cups" in page
    assert any("orders_orderline" in query["sql"] for query in few)  # the aggregate ran

    for _ in range(15):
        bought(shelf["teapot"], shelf["cups"], shelf["tray"])
    for other in ("kettle", "strainer", "towel"):
        bought(shelf["teapot"], shelf[other])
    forget("teapot")
    with django_assert_max_num_queries(len(few)):
        page = client.get("/p/teapot/").content.decode()
    block = page[page.index('data-testid="bought-together"'):]
    assert block.index("Cups") < block.index("Tray") < block.index("Kettle")


def test_a_product_without_companions_has_no_block(client, shelf):
    page = client.get("/p/loner/").content.decode()

    assert 'data-testid="bought-together"' not in page


def test_the_product_api_carries_bought_together(shelf):
    bought(shelf["teapot"], shelf["cups"])
    bought(shelf["teapot"], shelf["cups"], shelf["tray"])

    first = APIClient().get("/api/v1/products/teapot/")

    assert first.json()["bought_together"] == [
        {"slug": "cups", "name": "Cups", "price_from": "50.00"},
        {"slug": "tray", "name": "Tray", "price_from": "50.00"},
    ]
    # A new companion changes the answer, so the ETag moves with it.
    bought(shelf["teapot"], shelf["kettle"])
    bought(shelf["teapot"], shelf["kettle"])
    bought(shelf["teapot"], shelf["kettle"])
    forget("teapot")
    again = APIClient().get("/api/v1/products/teapot/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert [row["slug"] for row in again.json()["bought_together"]] == ["kettle", "cups", "tray"]
