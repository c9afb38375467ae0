"""The wishlist: API (own list, effective prices, stock), the hearts and the page."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from catalog.models import WishlistItem
from catalog.tests.factories import SkuFactory

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def shopper():
    return UserFactory()


@pytest.fixture
def product():
    return SkuFactory(price=Decimal("80.00"), stock=3, product__name="Tea Tin").product


def discount_half(skus, *, user, at):
    """A price rule for the test: everything at half price."""
    return {sku.pk: type("Offer", (), {"price": sku.price / 2, "kind": "test",
                                       "label": "Half"})() for sku in skus}


def test_post_saves_once_and_get_lists_effective_price_and_stock(shopper, product, settings):
    settings.SHOP_PRICE_RULES = ["catalog.tests.test_wishlist.discount_half"]
    sold_out = SkuFactory(stock=0).product
    client = api_for(shopper)

    first = client.post("/api/v1/wishlist/", {"product": product.slug}, format="json")
    again = client.post("/api/v1/wishlist/", {"product": product.slug}, format="json")
    client.post("/api/v1/wishlist/", {"product": sold_out.slug}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    items = {item["product"]: item for item in client.get("/api/v1/wishlist/").json()}
    assert items[product.slug]["effective_price_from"] == "40.00"
    assert items[product.slug]["price_from"] == "80.00"
    assert (items[product.slug]["in_stock"], items[sold_out.slug]["in_stock"]) == (True, False)
    assert WishlistItem.objects.filter(user=shopper).count() == 2


def test_each_shopper_sees_only_their_own_list(shopper, product):
    api_for(UserFactory()).post("/api/v1/wishlist/", {"product": product.slug}, format="json")

    assert api_for(shopper).get("/api/v1/wishlist/").json() == []


@pytest.mark.parametrize("body", [{"product": "no-such"}, {}, {"product": ""},
                                  {"product": 12}, {"product": "x" * 500}])
def test_unknown_or_missing_products_are_a_400_field_error(shopper, body):
    response = api_for(shopper).post("/api/v1/wishlist/", body, format="json")

    assert response.status_code == 400 and "product" in response.json()


def test_delete_removes_and_a_second_delete_is_404(shopper, product):
    client = api_for(shopper)
    client.post("/api/v1/wishlist/", {"product": product.slug}, format="json")

    assert client.delete(f"/api/v1/wishlist/{product.slug}/").status_code == 204
    assert client.delete(f"/api/v1/wishlist/{product.slug}/").status_code == 404
    assert client.delete("/api/v1/wishlist/no-such/").status_code == 404


def test_someone_elses_item_cannot_be_deleted(shopper, product):
    other = UserFactory()
    api_for(other).post("/api/v1/wishlist/", {"product": product.slug}, format="json")

    assert api_for(shopper).delete(f"/api/v1/wishlist/{product.slug}/").status_code == 404
    assert WishlistItem.objects.filter(user=other).exists()


def test_anonymous_gets_401(product):
    client = APIClient()
    assert client.get("/api/v1/wishlist/").status_code == 401
    assert client.post("/api/v1/wishlist/", {"product": product.slug}).status_code == 401


# --- Pages -------------------------------------------------------------------------------


def test_the_heart_on_the_product_page_saves_and_unsaves_without_script(client, shopper, product):
    client.force_login(shopper)
    page = client.get(f"/p/{product.slug}/").content.decode()
    assert 'id="wishlist-form"' in page and 'aria-pressed="false"' in page

    client.post(f"/p/{product.slug}/wishlist/", {"action": "add"})
    client.post(f"/p/{product.slug}/wishlist/", {"action": "add"})  # a double click
    assert WishlistItem.objects.filter(user=shopper).count() == 1
    page = client.get(f"/p/{product.slug}/").content.decode()
    assert "Saved to wishlist" in page

    client.post(f"/p/{product.slug}/wishlist/", {"action": "remove"})
    assert not WishlistItem.objects.exists()


def test_a_card_heart_toggles_and_the_saved_ids_come_outside_the_cached_cards(client, shopper,
                                                                              product):
    listing = f"/c/{product.category.slug}/"
    html = client.get(listing).content.decode()
    assert f'action="/p/{product.slug}/wishlist/"' in html
    assert "csrfmiddlewaretoken" in html and "<!--csrf-token-->" not in html
    assert "wishlist-saved" not in html

    client.force_login(shopper)
    client.post(f"/p/{product.slug}/wishlist/")  # the card's form: a toggle
    html = client.get(listing).content.decode()  # the cards themselves come from the cache
    assert f'<script id="wishlist-saved" type="application/json">[{product.pk}]</script>' in html
    client.post(f"/p/{product.slug}/wishlist/")
    assert not WishlistItem.objects.exists()


def test_hearts_follow_each_save_and_removal_though_the_saved_ids_are_cached(client, shopper,
                                                                             product):
    """The saved ids are one of the shopper's cached figures: each change moves them on."""
    listing, page = f"/c/{product.category.slug}/", f"/p/{product.slug}/"
    client.force_login(shopper)
    for url in (listing, page):
        client.get(url)  # the figure is kept, empty
    client.post(f"/p/{product.slug}/wishlist/", {"action": "add"})
    assert f"[{product.pk}]</script>" in client.get(listing).content.decode()
    assert "Saved to wishlist" in client.get(page).content.decode()
    client.post(f"/p/{product.slug}/wishlist/", {"action": "remove"})
    assert "wishlist-saved" not in client.get(listing).content.decode()
    assert "Saved to wishlist" not in client.get(page).content.decode()


def test_an_anonymous_heart_goes_to_the_login(client, product):
    response = client.post(f"/p/{product.slug}/wishlist/")

    assert response.status_code == 302 and "login" in response["Location"]


def test_the_wishlist_page_shows_effective_prices_and_stock(client, shopper, product, settings):
    settings.SHOP_PRICE_RULES = ["catalog.tests.test_wishlist.discount_half"]
    sold_out = SkuFactory(stock=0, product__name="Gone Pot").product
    for item in (product, sold_out):
        WishlistItem.objects.create(user=shopper, product=item)
    WishlistItem.objects.create(user=UserFactory(), product=SkuFactory(
        product__name="Not Mine").product)
    client.force_login(shopper)

    html = client.get("/wishlist/").content.decode()

    assert "Tea Tin" in html and "Gone Pot" in html and "Not Mine" not in html
    assert "¥40.00" in html and "¥80.00" in html
    assert "Out of stock" in html and "Only 3 left" in html
    response = client.post(f"/p/{product.slug}/wishlist/",
                           {"action": "remove", "next": "/wishlist/"})
    assert response["Location"] == "/wishlist/"
    client.get("/wishlist/")  # shows the "removed" message once
    assert "Tea Tin" not in client.get("/wishlist/").content.decode()


def test_the_wishlist_page_needs_a_login(client):
    response = client.get("/wishlist/")

    assert response.status_code == 302 and "login" in response["Location"]
