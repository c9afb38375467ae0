"""Storefront pages: home, category and search listings, the product page, 404s."""

import json
from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from catalog.tests.factories import CategoryFactory, ProductImageFactory, SkuFactory
from shop.pricing import PriceOffer


def sale_rule(skus, *, user, at):
    """Test rule: 20 % off SKUs coded SALE-*."""
    return {sku.pk: PriceOffer(price=sku.price * Decimal("0.8"), kind="discount", label="Spring sale")
            for sku in skus if sku.code.startswith("SALE")}


@pytest.fixture
def tree(db):
    root = CategoryFactory(name="Home & Kitchen", slug="home-kitchen")
    child = CategoryFactory(parent=root, name="Teaware", slug="teaware")
    root.refresh_from_db()
    return root, child


@pytest.mark.django_db
def test_home_shows_top_categories_new_arrivals_and_the_promotions_slot(client, tree):
    SkuFactory(product__name="Celadon Gaiwan", product__category=tree[1])
    html = client.get("/").content.decode()
    assert "Home &amp; Kitchen" in html
    assert "Teaware" not in html.split("New arrivals")[0]  # top categories only
    assert "Celadon Gaiwan" in html


@pytest.mark.django_db
def test_the_category_page_lists_descendants_with_sidebar_and_breadcrumbs(client, tree):
    root, child = tree
    SkuFactory(product__name="Glass Teapot", product__category=child, price=Decimal("88.00"))
    SkuFactory(product__name="Iron Kettle", product__category=root, price=Decimal("300.00"))
    html = client.get("/c/home-kitchen/").content.decode()
    assert "Glass Teapot" in html and "Iron Kettle" in html
    assert 'href="/c/teaware/"' in html  # sub-category in the sidebar
    html = client.get("/c/teaware/?max_price=100").content.decode()
    assert "Glass Teapot" in html and "Iron Kettle" not in html
    assert '<a href="/c/home-kitchen/">Home &amp; Kitchen</a>' in html  # breadcrumb


@pytest.mark.django_db
def test_bad_filters_on_a_page_show_a_message_and_are_ignored(client, tree):
    SkuFactory(product__name="Glass Teapot", product__category=tree[1])
    response = client.get("/c/teaware/?min_price=cheap&ordering=random")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a number." in html and "Glass Teapot" in html


@pytest.mark.django_db
def test_search_finds_by_name_and_paginates(client, tree, settings):
    for n in range(30):
        SkuFactory(product__name=f"Teacup {n}", product__category=tree[1])
    SkuFactory(product__name="Frying Pan", product__category=tree[0])
    first = client.get("/search/?q=teacup").content.decode()
    assert "30 products" in first and "Frying Pan" not in first
    assert 'href="?q=teacup&amp;page=2"' in first
    assert client.get("/search/?q=teacup&page=2").status_code == 200
    assert client.get("/search/?q=teacup&page=9").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/c/nope/", "/p/nope/"])
def test_unknown_slugs_are_the_shops_404_page(client, url):
    response = client.get(url)
    assert response.status_code == 404


@pytest.mark.django_db
def test_an_inactive_product_or_category_is_404(client, tree):
    sku = SkuFactory(product__is_active=False, product__category=tree[1])
    assert client.get(f"/p/{sku.product.slug}/").status_code == 404
    tree[1].is_active = False
    tree[1].save()
    assert client.get("/c/teaware/").status_code == 404


@pytest.mark.django_db
def test_the_product_page_has_gallery_specs_picker_and_the_add_to_cart_form(client, tree, settings):
    settings.SHOP_PRICE_RULES = [f"{__name__}.sale_rule"]
    settings.SHOP_LOW_STOCK = 5
    first = SkuFactory(code="SALE-RED", product__name="Gaiwan", product__category=tree[1],
                       product__specs={"material": "porcelain"}, attributes={"colour": "red"},
                       price=Decimal("100.00"), stock=3)
    product = first.product
    SkuFactory(code="BLUE", product=product, attributes={"colour": "blue"},
               price=Decimal("120.00"), stock=0)
    ProductImageFactory(product=product)
    ProductImageFactory(product=product)
    response = client.get(f"/p/{product.slug}/")
    html = response.content.decode()
    assert 'action="/cart/add/"' in html and 'name="quantity"' in html
    assert 'min="1" max="3"' in html
    assert f'name="sku" value="{first.pk}" checked' in html
    assert "¥80.00" in html and "¥100.00" in html  # effective and struck base price
    assert "Only 3 left" in html
    assert "porcelain" in html and "Material" in html
    assert html.count('class="gallery__thumbs"') == 1
    assert '<a href="/c/teaware/">Teaware</a>' in html
    data = json.loads(html.split('<script id="sku-data" type="application/json">')[1]
                      .split("</script>")[0])
    blue = next(item for item in data.values() if item["code"] == "BLUE")
    assert blue == {"code": "BLUE", "label": "blue", "price": "¥120.00", "was": "", "offer": "",
                    "stock": 0, "state": "out", "text": "Out of stock"}


@pytest.mark.django_db
def test_a_sold_out_product_disables_the_button(client, tree):
    sku = SkuFactory(product__category=tree[1], stock=0)
    html = client.get(f"/p/{sku.product.slug}/").content.decode()
    assert 'id="add-to-cart-button" disabled' in html or "disabled>" in html
    assert "Out of stock" in html


SEEN_USERS = []


def spy_rule(skus, *, user, at):
    SEEN_USERS.append(user)
    return {}


@pytest.mark.django_db
def test_pages_pass_the_shopper_to_the_price_rules(client, tree, settings):
    settings.SHOP_PRICE_RULES = [f"{__name__}.spy_rule"]
    SEEN_USERS.clear()
    SkuFactory(product__category=tree[1])
    client.get("/c/teaware/")
    shopper = UserFactory()
    client.force_login(shopper)
    client.get("/c/teaware/")
    assert SEEN_USERS == [None, shopper]


@pytest.mark.django_db
def test_hiding_a_top_category_hides_its_sub_categories_and_their_products(client, tree):
    root, child = tree
    sku = SkuFactory(product__name="Celadon Gaiwan", product__category=child)
    root.is_active = False
    root.save()
    assert client.get(f"/p/{sku.product.slug}/").status_code == 404
    assert client.get("/c/teaware/").status_code == 404
    assert "Celadon Gaiwan" not in client.get("/search/?q=gaiwan").content.decode()
    assert "Celadon Gaiwan" not in client.get("/").content.decode()
