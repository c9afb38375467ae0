"""Search: category names, spec values and both languages; "did you mean" when nothing matches.

These run on the database the suite runs on (SQLite or PostgreSQL); the PostgreSQL-only
paths (full-text stemming, trigram suggestions) are marked.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from catalog.models import Category, Product
from catalog.search import _closest_by_difflib
from catalog.selectors import product_list, product_suggestions
from catalog.tests.factories import CategoryFactory, ProductFactory, SkuFactory
from catalog.tests.test_queries import make_products, queries_for

ZH = "zh-hans"


def slugs(queryset):
    return [product.slug for product in queryset]


def translate(row, **fields):
    type(row).objects.filter(pk=row.pk).update(**fields)


@pytest.fixture
def shop(db):
    """Food & Drink > Tea (茶叶): an oolong and a pu-erh; Kitchen: a rice cooker that steams."""
    # `name=` fills the active language's column: a page an earlier test asked for in
    # Chinese may have left Chinese active in this thread.
    with translation.override("en"):
        return _make_shop()


def _make_shop():
    food = CategoryFactory(name="Food & Drink", slug="food-drink")
    tea = CategoryFactory(parent=food, name="Tea", slug="tea")
    translate(tea, name_zh_hans="茶叶")
    kitchen = CategoryFactory(name="Kitchen", slug="kitchen")
    oolong = ProductFactory(category=tea, name="Tieguanyin Oolong", slug="tieguanyin-oolong",
                            description="Floral, creamy; many infusions.",
                            specs={"origin": "Anxi, Fujian", "roast": "Light"})
    translate(oolong, name_zh_hans="铁观音乌龙茶", description_zh_hans="花香馥郁，口感醇厚。")
    puerh = ProductFactory(category=tea, name="Aged Pu-erh Cake", slug="aged-pu-erh",
                           description="Earthy and smooth.", specs={"origin": "Yunnan"})
    translate(puerh, name_zh_hans="陈年普洱茶饼")
    cooker = ProductFactory(category=kitchen, name="Smart Rice Cooker", slug="rice-cooker",
                            description="Perfect rice, porridge and steaming.",
                            specs={"capacity": "3 L"})
    translate(cooker, name_zh_hans="智能电饭煲")
    for product in (oolong, puerh, cooker):
        SkuFactory(product=product)
    return {"tea": tea, "food": food, "kitchen": kitchen}


def test_tea_finds_the_teas_of_the_tea_category_first(shop):
    found = slugs(product_list({"q": "tea"}))
    # The cooker's "steaming" contains "tea" too, but a category match ranks above it.
    assert sorted(found[:2]) == ["aged-pu-erh", "tieguanyin-oolong"]
    assert set(found) <= {"aged-pu-erh", "tieguanyin-oolong", "rice-cooker"}


def test_a_chinese_word_inside_a_name_without_spaces_is_found(shop):
    assert slugs(product_list({"q": "乌龙"})) == ["tieguanyin-oolong"]
    assert slugs(product_list({"q": "普洱"})) == ["aged-pu-erh"]
    assert slugs(product_list({"q": "醇厚"})) == ["tieguanyin-oolong"]  # Chinese description


def test_a_chinese_category_name_and_an_ancestors_name_match(shop):
    assert sorted(slugs(product_list({"q": "茶叶"}))) == ["aged-pu-erh", "tieguanyin-oolong"]
    assert sorted(slugs(product_list({"q": "drink"}))) == ["aged-pu-erh", "tieguanyin-oolong"]


def test_spec_values_match_and_every_word_must_match(shop):
    assert slugs(product_list({"q": "anxi"})) == ["tieguanyin-oolong"]
    assert slugs(product_list({"q": "yunnan tea"})) == ["aged-pu-erh"]
    assert slugs(product_list({"q": "yunnan kitchen"})) == []
    assert slugs(product_list({"q": "origin"})) == []  # a spec key is not a value


def test_the_search_page_and_the_api_find_the_same_teas(client, shop):
    page = client.get("/search/?q=乌龙", HTTP_ACCEPT_LANGUAGE=ZH).content.decode()
    assert "铁观音乌龙茶" in page and "陈年普洱茶饼" not in page
    body = client.get("/api/v1/products/", {"q": "tea", "ordering": "name"}).json()
    assert {"aged-pu-erh", "tieguanyin-oolong"} <= {item["slug"] for item in body["results"]}


def test_an_empty_search_suggests_the_closest_names(client, shop):
    page = client.get("/search/?q=tieguanyn").content.decode()
    assert 'data-testid="search-suggestions"' in page
    assert "Did you mean" in page and 'href="/p/tieguanyin-oolong/"' in page


def test_a_search_close_to_nothing_offers_the_top_categories(client, shop):
    page = client.get("/search/?q=qqqqxxxx").content.decode()
    assert "Browse a category instead" in page
    assert 'href="/c/food-drink/"' in page and 'href="/c/kitchen/"' in page
    assert 'href="/c/tea/"' not in page.split('data-testid="search-suggestions"')[1]


def test_suggestions_are_in_the_shoppers_language(client, shop):
    page = client.get("/search/?q=kitchn", HTTP_ACCEPT_LANGUAGE=ZH).content.decode()
    assert "您是不是要找" in page
    assert 'href="/c/kitchen/"' in page


def test_a_search_with_results_makes_no_suggestion_query(shop):
    with CaptureQueriesContext(connection) as captured:
        list(product_list({"q": "tea"}))
    assert not any("similarity" in query["sql"] for query in captured)


def test_suggestions_leave_hidden_products_out(shop):
    Product.objects.filter(slug="tieguanyin-oolong").update(is_active=False)
    found = product_suggestions("tieguanyin")
    assert "tieguanyin-oolong" not in [product.slug for product in found["products"]]


def test_the_sqlite_fallback_finds_close_names_in_either_language(shop):
    categories = Category.objects.all()
    assert [c.slug for c in _closest_by_difflib(categories, "kitchn")] == ["kitchen"]
    assert [c.slug for c in _closest_by_difflib(categories, "茶叶")] == ["tea"]


@pytest.mark.postgres
def test_on_postgres_stemming_still_finds_singulars_and_trigrams_suggest(shop):
    assert slugs(product_list({"q": "cookers"})) == ["rice-cooker"]
    found = product_suggestions("tieguanyn")
    assert [product.slug for product in found["products"]] == ["tieguanyin-oolong"]
    assert [category.slug for category in product_suggestions("kitchn")["categories"]] == [
        "kitchen"]


def test_in_the_demo_catalogue_tea_and_wulong_find_the_teas(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    teas = slugs(product_list({"q": "tea"}))
    assert {"tieguanyin-oolong", "aged-pu-erh-cake-357-g"} <= set(teas)
    assert slugs(product_list({"q": "乌龙"})) == ["tieguanyin-oolong"]


@pytest.mark.parametrize("url", ["/search/?q=tieguanyn", "/search/?q=qqqqxxxx"])
def test_an_empty_search_page_costs_the_same_queries_for_1_and_20_products(client, shop, url):
    make_products(shop["kitchen"], 1)
    one = queries_for(client, url, cold=True)
    make_products(shop["kitchen"], 19)
    assert queries_for(client, url, cold=True) == one
