"""The product page's recently viewed products: the signed-in shopper's, newest first, for sale only."""

from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from catalog.recommendations import RECENTLY_VIEWED_LIMIT
from catalog.tests.factories import ProductFactory, SkuFactory

pytestmark = pytest.mark.django_db


def product(name: str):
    item = ProductFactory(name=name, slug=name.lower())
    SkuFactory(product=item, price=Decimal("20.00"))
    return item


def recent_block(page: str) -> str:
    marker = 'data-testid="recently-viewed"'
    return page[page.index(marker):] if marker in page else ""


def test_the_product_page_shows_what_the_shopper_viewed_newest_first_without_itself(client):
    for name in ("Alpha", "Beta", "Gamma"):
        product(name)
    client.force_login(UserFactory())

    assert recent_block(client.get("/p/alpha/").content.decode()) == ""  # nothing viewed before
    client.get("/p/beta/")
    block = recent_block(client.get("/p/gamma/").content.decode())

    assert block.index("Beta") < block.index("Alpha") and "Gamma" not in block
    again = recent_block(client.get("/p/alpha/").content.decode())
    assert again.index("Gamma") < again.index("Beta") and "Alpha" not in again


def test_products_no_longer_for_sale_drop_out_and_the_list_is_short(client):
    items = [product(f"Item{n}") for n in range(RECENTLY_VIEWED_LIMIT + 3)]
    client.force_login(UserFactory())
    for item in items:
        client.get(f"/p/{item.slug}/")
    items[-2].is_active = False
    items[-2].save()

    block = recent_block(client.get(f"/p/{items[0].slug}/").content.decode())

    shown = [item.name for item in items if f">{item.name}<" in block]
    assert items[-2].name not in shown
    assert len(shown) <= RECENTLY_VIEWED_LIMIT
    assert shown[-1] == items[-1].name and items[0].name not in shown  # the newest kept, not itself


def test_visitors_keep_no_history(client):
    product("Alpha")
    product("Beta")

    client.get("/p/alpha/")

    assert recent_block(client.get("/p/beta/").content.decode()) == ""
    assert "recently_viewed" not in client.session
