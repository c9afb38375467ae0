"""The listing's filters, search, descendants, price range, stock and orderings."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Product
from catalog.selectors import category_context, category_trail, product_detail, product_list
from catalog.tests.factories import CategoryFactory, ProductFactory, SkuFactory


def slugs(queryset):
    return [product.slug for product in queryset]


@pytest.fixture
def shop(db):
    """Electronics > Phones > Android, Electronics > Audio, Kitchen; five products.

    name           category  active SKU prices (stock)       created
    aurora-phone   android   1999 (3), 2299 (0)              4 days ago
    budget-phone   phones    899 (0)                          3 days ago
    studio-cans    audio     1499 (12), 99 inactive (50)     2 days ago
    wok            kitchen   329 (7)                          1 day ago
    hidden-phone   phones    10 (5), product inactive        now
    """
    electronics = CategoryFactory(name="Electronics", slug="electronics")
    phones = CategoryFactory(parent=electronics, name="Phones", slug="phones")
    electronics.refresh_from_db()
    audio = CategoryFactory(parent=electronics, name="Audio", slug="audio")
    phones.refresh_from_db()
    android = CategoryFactory(parent=phones, name="Android", slug="android")
    kitchen = CategoryFactory(name="Kitchen", slug="kitchen")
    now = timezone.now()

    def make(slug, category, prices, *, days, active=True, name=None, **fields):
        product = ProductFactory(slug=slug, name=name or slug.replace("-", " ").title(),
                                 category=category, is_active=active, **fields)
        Product.objects.filter(pk=product.pk).update(created_at=now - timedelta(days=days))
        for price, stock, *sku_active in prices:
            SkuFactory(product=product, price=Decimal(price), stock=stock,
                       is_active=sku_active[0] if sku_active else True)
        return product

    make("aurora-phone", android, [("1999.00", 3), ("2299.00", 0)], days=4,
         specs={"brand": "Lumen", "screen": "OLED"}, description="A bright phone.")
    make("budget-phone", phones, [("899.00", 0)], days=3,
         specs={"brand": "Acme"}, description="Cheap and cheerful.")
    make("studio-cans", audio, [("1499.00", 12), ("99.00", 50, False)], days=2,
         name="Studio Cans", specs={"brand": "Sonora", "colour": "graphite"},
         description="Closed-back cans for the studio.")
    make("wok", kitchen, [("329.00", 7)], days=1, name="Cast Iron Wok",
         specs={"material": "cast iron"}, description="Seasoned for stir-fries.")
    make("hidden-phone", phones, [("10.00", 5)], days=0, active=False)
    return {"electronics": electronics, "phones": phones, "android": android, "audio": audio,
            "kitchen": kitchen}


def test_the_default_listing_is_every_product_for_sale_newest_first(shop):
    assert slugs(product_list()) == ["wok", "studio-cans", "budget-phone", "aurora-phone"]


def test_a_category_includes_its_descendants_and_nothing_else(shop):
    assert slugs(product_list({"category": shop["electronics"]})) == [
        "studio-cans", "budget-phone", "aurora-phone"]
    assert slugs(product_list({"category": shop["phones"]})) == ["budget-phone", "aurora-phone"]
    assert slugs(product_list({"category": shop["android"]})) == ["aurora-phone"]
    assert slugs(product_list({"category": shop["kitchen"]})) == ["wok"]


def test_price_from_is_the_cheapest_active_sku_and_total_stock_sums_active_skus(shop):
    products = {p.slug: p for p in product_list()}
    assert products["aurora-phone"].price_from == Decimal("1999.00")
    assert products["aurora-phone"].total_stock == 3
    # The inactive 99.00 SKU with 50 units counts for neither.
    assert products["studio-cans"].price_from == Decimal("1499.00")
    assert products["studio-cans"].total_stock == 12
    assert [sku.price for sku in products["aurora-phone"].active_skus] == [
        Decimal("1999.00"), Decimal("2299.00")]


def test_price_range_filters_on_the_from_price_inclusively(shop):
    assert slugs(product_list({"min_price": Decimal("899.00"), "max_price": Decimal("1499.00"),
                               "ordering": "price"})) == ["budget-phone", "studio-cans"]
    assert slugs(product_list({"min_price": Decimal("2000")})) == []
    assert slugs(product_list({"max_price": Decimal("329.00")})) == ["wok"]


def test_in_stock_keeps_products_with_an_active_sku_in_stock(shop):
    assert slugs(product_list({"in_stock": True, "ordering": "name"})) == [
        "aurora-phone", "wok", "studio-cans"]
    assert len(product_list({"in_stock": False})) == 4


@pytest.mark.parametrize(("ordering", "expected"), [
    ("price", ["wok", "budget-phone", "studio-cans", "aurora-phone"]),
    ("-price", ["aurora-phone", "studio-cans", "budget-phone", "wok"]),
    ("name", ["aurora-phone", "budget-phone", "wok", "studio-cans"]),
    ("-created", ["wok", "studio-cans", "budget-phone", "aurora-phone"]),
])
def test_every_ordering_orders_exactly(shop, ordering, expected):
    assert slugs(product_list({"ordering": ordering})) == expected


@pytest.mark.parametrize(("q", "expected"), [
    ("wok", ["wok"]),
    ("sonora", ["studio-cans"]),  # a specs value
    ("stir", ["wok"]),  # the description, as a prefix of "stir-fries"
    ("phone", ["budget-phone", "aurora-phone"]),
    ("bright phone", ["aurora-phone"]),  # every word must match
    ("nothing-like-this", []),
])
def test_search_matches_name_specs_and_description(shop, q, expected):
    assert sorted(slugs(product_list({"q": q}))) == sorted(expected)


def test_search_combines_with_category_and_price(shop):
    assert slugs(product_list({"q": "phone", "category": shop["android"]})) == ["aurora-phone"]
    assert slugs(product_list({"q": "phone", "max_price": Decimal("1000")})) == ["budget-phone"]


@pytest.mark.postgres
def test_on_postgres_a_name_match_ranks_above_a_description_match(db):
    category = CategoryFactory()
    described = ProductFactory(category=category, name="Gift box", slug="gift-box",
                               description="Holds a teapot.", specs={})
    named = ProductFactory(category=category, name="Teapot", slug="teapot",
                           description="Porcelain.", specs={})
    SkuFactory(product=described)
    SkuFactory(product=named)
    assert slugs(product_list({"q": "teapot"})) == ["teapot", "gift-box"]


def test_inactive_products_categories_and_skuless_products_are_not_for_sale(shop):
    shop["kitchen"].is_active = False
    shop["kitchen"].save()
    ProductFactory(slug="no-skus", category=shop["phones"])
    assert "wok" not in slugs(product_list())
    assert "no-skus" not in slugs(product_list())
    assert product_detail("hidden-phone") is None
    assert product_detail("hidden-phone", for_sale=False).slug == "hidden-phone"


def test_category_context_gives_the_trail_and_active_children(shop, django_assert_num_queries):
    with django_assert_num_queries(1):
        context = category_context("phones")
    assert context.category.slug == "phones"
    assert [c.slug for c in context.ancestors] == ["electronics"]
    assert [c.slug for c in context.children] == ["android"]
    shop["android"].refresh_from_db()
    assert [c.slug for c in category_trail(shop["android"])] == ["electronics", "phones", "android"]
    assert category_context("nope") is None
    shop["android"].is_active = False
    shop["android"].save()
    assert category_context("android") is None
    assert category_context("phones").children == []


def test_an_inactive_ancestor_takes_its_whole_branch_off_sale(shop):
    shop["electronics"].is_active = False
    shop["electronics"].save()
    assert slugs(product_list()) == ["wok"]
    assert slugs(product_list({"q": "phone"})) == []
    for slug in ("aurora-phone", "budget-phone", "studio-cans"):
        assert product_detail(slug) is None
        assert product_detail(slug, for_sale=False) is not None
    assert category_context("phones") is None and category_context("android") is None
    assert category_context("kitchen") is not None
