"""Cached shop pages never show a stale price, stock, offer, product or member price.

Each test views the pages once (filling the cache), changes something through the service
that owns it, and views them again. Services move the catalogue version after commit, so
the changes run inside django_capture_on_commit_callbacks(execute=True).
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog import services as catalog_services
from catalog.models import Sku
from catalog.tests.factories import CategoryFactory, ProductImageFactory, SkuFactory
from marketing.flash import flash_cache_forget
from marketing.models import FlashSale
from marketing.services import discount_save
from marketing.tests.factories import FlashSaleFactory
from membership.services import spend_record, tier_save
from membership.tests.factories import tier_ladder
from orders.services import cart_add, cart_get_or_create, cart_remove
from points.models import PointsAccount
from points.services import points_award, points_redeem
from shop.catalogue_version import catalogue_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def sku(db):
    sku = SkuFactory(product__name="Celadon Gaiwan", product__slug="gaiwan", price=Decimal("100.00"),
                     stock=50, product__category=CategoryFactory(slug="teaware"))
    ProductImageFactory(product=sku.product)
    return sku


PAGES = ["/", "/c/teaware/", "/search/", "/p/gaiwan/"]


def views(client) -> dict[str, str]:
    pages = {}
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    return pages


def test_pages_are_served_from_the_cache_until_a_service_changes_something(client, sku):
    views(client)
    Sku.objects.filter(pk=sku.pk).update(price=Decimal("300.00"))  # behind the services' back
    assert all("¥300.00" not in html for html in views(client).values())


def test_a_new_sku_price_shows_on_the_next_view(client, sku, django_capture_on_commit_callbacks):
    assert all("¥100.00" in html for html in views(client).values())
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.sku_set_price(sku=sku, price="120.00")
    for url, html in views(client).items():
        assert "¥120.00" in html and "¥100.00" not in html, url


def test_a_stock_level_shown_changes_on_the_next_view(client, sku, django_capture_on_commit_callbacks):
    assert all("left" not in html for html in views(client).values())
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.stock_reserve(lines={sku.pk: 47})  # 3 left: into the low band
    for url in ["/c/teaware/", "/p/gaiwan/"]:
        assert "Only 3 left" in client.get(url).content.decode(), url
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.sku_set_stock(sku=sku, stock=0)
    for url in ["/c/teaware/", "/p/gaiwan/"]:
        assert "Out of stock" in client.get(url).content.decode(), url


def test_a_sale_above_the_low_stock_mark_moves_only_the_stock_version(
    sku, django_capture_on_commit_callbacks
):
    before = catalogue_version()
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.stock_reserve(lines={sku.pk: 1})
    after = catalogue_version()
    assert after[0] == before[0] and after[1] > before[1]
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.stock_reserve(lines={sku.pk: 44})  # 5 left: the mark
    assert catalogue_version()[0] > after[0]


def _discount(sku, **window):
    return discount_save(name="Tea week", kind="percent", value=Decimal("10"),
                         products=[sku.product], **window)


def test_a_new_discount_shows_on_the_next_view(client, sku, django_capture_on_commit_callbacks):
    views(client)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        _discount(sku, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1))
    for url, html in views(client).items():
        assert "¥90.00" in html, url


def test_a_discount_appears_when_its_window_opens_and_goes_when_it_closes(
    client, sku, django_capture_on_commit_callbacks
):
    start = timezone.now() + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        _discount(sku, starts_at=start, ends_at=start + timedelta(hours=2))
    assert all("¥90.00" not in html for html in views(client).values())
    with time_machine.travel(start + timedelta(minutes=1)):
        for url, html in views(client).items():
            assert "¥90.00" in html, url
    with time_machine.travel(start + timedelta(hours=3)):
        for url, html in views(client).items():
            assert "¥90.00" not in html and "¥100.00" in html, url


def test_a_hidden_product_leaves_the_pages_on_the_next_view(
    client, sku, django_capture_on_commit_callbacks
):
    views(client)
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.products_set_active(product_ids=[sku.product_id], active=False)
    assert client.get("/p/gaiwan/").status_code == 404
    for url in ["/", "/c/teaware/", "/search/"]:
        assert "Celadon Gaiwan" not in client.get(url).content.decode(), url


def test_a_member_sees_the_new_tier_price_on_the_next_view(
    client, sku, django_capture_on_commit_callbacks
):
    tier_ladder()
    shopper = UserFactory()
    client.force_login(shopper)
    assert all("¥95.00" not in html for html in views(client).values())  # Regular: no cut
    with django_capture_on_commit_callbacks(execute=True):
        spend_record(user=shopper, reference="order-1", amount=Decimal("5000.00"))  # to Gold, 5 %
    for url, html in views(client).items():
        assert "¥95.00" in html, url
    client.logout()
    assert all("¥95.00" not in html for html in views(client).values())  # anonymous again


def test_a_changed_tier_discount_shows_on_a_members_next_view(
    client, sku, django_capture_on_commit_callbacks
):
    tiers = tier_ladder()
    shopper = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        spend_record(user=shopper, reference="order-1", amount=Decimal("5000.00"))  # Gold, 5 %
    client.force_login(shopper)
    assert all("¥95.00" in html for html in views(client).values())
    gold = tiers["gold"]
    gold.discount_percent = Decimal("10")
    with django_capture_on_commit_callbacks(execute=True):
        tier_save(tier=gold)  # staff, in the admin: no member of theirs moved
    for url, html in views(client).items():
        assert "¥90.00" in html and "¥95.00" not in html, url


# --- The signed-in header: cart count, points, tier (cached per shopper) --------------------


def header_figures(client) -> list[tuple[str, str, str]]:
    """Return (cart count, points, tier badge) as each page's header shows them."""
    figures = []
    for url, html in views(client).items():
        cart = re.search(r'class="cart-link__count"[^>]*>(\d+)<', html).group(1)
        points = re.search(r'href="/points/">[^<]*(?:<span class="account-menu__value">([^<]*)</span>)?',
                           html).group(1) or ""
        tier = re.search(r'class="badge badge--tier">([^<]*)<', html)
        figures.append((cart, points, tier.group(1) if tier else ""))
    return figures


@pytest.fixture
def shopper(client, sku):
    tier_ladder()
    user = UserFactory()
    client.force_login(user)
    return user


def test_the_cart_count_in_the_header_follows_an_add_and_a_removal(
    client, sku, shopper, django_capture_on_commit_callbacks
):
    assert {figures[0] for figures in header_figures(client)} == {"0"}
    with django_capture_on_commit_callbacks(execute=True):
        line = cart_add(cart=cart_get_or_create(user=shopper), sku=sku, quantity=2)
    assert {figures[0] for figures in header_figures(client)} == {"2"}
    with django_capture_on_commit_callbacks(execute=True):
        cart_remove(line=line)
    assert {figures[0] for figures in header_figures(client)} == {"0"}


def test_adding_to_the_cart_through_the_page_shows_the_new_count_after_the_redirect(
    client, sku, shopper
):
    header_figures(client)
    response = client.post("/cart/add/", {"sku": sku.pk, "quantity": 3}, follow=True)
    assert response.status_code == 200
    assert {figures[0] for figures in header_figures(client)} == {"3"}


def test_the_points_in_the_header_follow_an_award_and_a_redemption(
    client, sku, shopper, django_capture_on_commit_callbacks
):
    assert {figures[1] for figures in header_figures(client)} == {"0"}
    with django_capture_on_commit_callbacks(execute=True):
        points_award(user=shopper, points=1500, reference="order:SO-1")
    assert {figures[1] for figures in header_figures(client)} == {"1,500"}
    with django_capture_on_commit_callbacks(execute=True):
        points_redeem(user=shopper, points=400, reference="order:SO-2")
    assert {figures[1] for figures in header_figures(client)} == {"1,100"}


def test_the_tier_in_the_header_follows_an_upgrade(
    client, sku, shopper, django_capture_on_commit_callbacks
):
    assert {figures[2] for figures in header_figures(client)} == {"Regular"}
    with django_capture_on_commit_callbacks(execute=True):
        spend_record(user=shopper, reference="order-1", amount=Decimal("5000.00"))
    assert {figures[2] for figures in header_figures(client)} == {"Gold"}


def test_a_figure_moved_before_the_commit_is_read_again_after_it(
    client, sku, shopper, django_capture_on_commit_callbacks
):
    """A page viewed between the change and its commit keeps the old figure under the first
    new version; the version moved after commit makes the next view read it again."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        points_award(user=shopper, points=700, reference="order:SO-1")
        PointsAccount.objects.filter(user=shopper).update(balance=0)  # as the other request saw it
        assert {figures[1] for figures in header_figures(client)} == {"0"}
        PointsAccount.objects.filter(user=shopper).update(balance=700)
    assert {figures[1] for figures in header_figures(client)} == {"0"}  # not committed yet
    for callback in callbacks:
        callback()
    assert {figures[1] for figures in header_figures(client)} == {"700"}


def test_the_header_figures_are_read_once_and_then_served_from_the_cache(client, sku, shopper):
    header_figures(client)
    PointsAccount.objects.filter(user=shopper).update(balance=999)  # behind the services' back
    assert {figures[1] for figures in header_figures(client)} == {"0"}


# --- Conditional GET on the API's product reads ------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/products/?page_size=5", "/api/v1/products/gaiwan/"])
def test_the_api_answers_304_to_a_current_etag_and_200_after_a_change(
    client, sku, url, django_capture_on_commit_callbacks
):
    first = client.get(url)
    etag = first["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.stock_reserve(lines={sku.pk: 1})  # stock the API shows exactly
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.sku_set_price(sku=sku, price="120.00")
    priced = client.get(url, HTTP_IF_NONE_MATCH=changed["ETag"])
    assert priced.status_code == 200 and "120.00" in priced.content.decode()


def test_a_304_costs_no_product_query(client, sku):
    etag = client.get("/api/v1/products/").json() and client.get("/api/v1/products/")["ETag"]
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/v1/products/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert not [q for q in captured if "catalog_product" in q["sql"]]


def test_a_signed_in_shopper_gets_an_etag_of_their_own_and_no_last_modified(client, sku):
    tier_ladder()
    anonymous = client.get("/api/v1/products/")
    shopper = UserFactory()
    spend_record(user=shopper, reference="order-1", amount=Decimal("5000.00"))
    client.force_login(shopper)
    member = client.get("/api/v1/products/")
    assert member["ETag"] != anonymous["ETag"] and "Last-Modified" not in member
    assert client.get("/api/v1/products/", HTTP_IF_NONE_MATCH=anonymous["ETag"]).status_code == 200


# --- Whole pages kept for anonymous visitors -------------------------------------------------


def csrf_value(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_an_anonymous_page_is_served_whole_from_the_cache_with_each_visitors_own_csrf_token(sku):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for url in PAGES:
        assert first.get(url).status_code == 200  # kept
        with CaptureQueriesContext(connection) as captured:
            html = second.get(url).content.decode()
        assert not [q for q in captured if 'FROM "catalog_' in q["sql"]], url  # no catalogue read
        assert "<!--csrf-value-->" not in html and "<!--flash-sale-->" not in html
        token = csrf_value(html)
        assert token != csrf_value(first.get(url).content.decode())
        # The token works with the visitor's own cookie: the language switch accepts it.
        response = second.post("/i18n/setlang/", {"language": "en", "next": url,
                                                  "csrfmiddlewaretoken": token})
        assert response.status_code == 302, url


def test_a_visitor_with_a_cart_sees_their_own_count_on_a_page_others_got_from_the_cache(client, sku):
    views(client)
    visitor = Client()
    visitor.post("/cart/add/", {"sku": sku.pk, "quantity": 2})
    for url, html in views(visitor).items():
        assert re.search(r'class="cart-link__count"[^>]*>2<', html), url
    for url, html in views(client).items():
        assert re.search(r'class="cart-link__count"[^>]*>0<', html), url


def test_the_flash_sale_block_of_a_cached_page_shows_the_units_left_now(
    client, sku, django_capture_on_commit_callbacks
):
    sale = FlashSaleFactory(sku=sku, quantity=5)
    assert "<strong>5</strong> of 5 left" in client.get("/p/gaiwan/").content.decode()
    FlashSale.objects.filter(pk=sale.pk).update(sold=3)
    flash_cache_forget()
    assert "<strong>2</strong> of 5 left" in client.get("/p/gaiwan/").content.decode()
