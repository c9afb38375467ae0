"""Product and category names per language: the shopper's language, else English."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.tests.factories import StaffFactory
from catalog import demo_zh
from catalog.models import Category, Product
from catalog.tests.factories import CategoryFactory, ProductFactory, SkuFactory

ZH = "zh-hans"


@pytest.fixture
def tea(db):
    category = CategoryFactory(name="Tea", slug="tea-test")
    Category.objects.filter(pk=category.pk).update(name_zh_hans="茶叶")
    product = ProductFactory(category=category, name="Tieguanyin Oolong", slug="tgy",
                             description="Floral and creamy.")
    Product.objects.filter(pk=product.pk).update(name_zh_hans="铁观音乌龙茶",
                                                 description_zh_hans="花香馥郁，口感醇厚。")
    SkuFactory(product=product)
    return product


def test_a_product_shows_the_name_and_description_of_the_shoppers_language(client, tea):
    chinese = client.get("/p/tgy/", HTTP_ACCEPT_LANGUAGE=ZH).content.decode()
    assert "铁观音乌龙茶" in chinese and "花香馥郁" in chinese and "茶叶" in chinese
    assert "Tieguanyin Oolong" not in chinese
    english = client.get("/p/tgy/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Tieguanyin Oolong" in english and "Floral and creamy." in english
    assert "铁观音乌龙茶" not in english


def test_the_listing_and_the_api_follow_the_language_too(client, tea):
    assert "铁观音乌龙茶" in client.get("/c/tea-test/", HTTP_ACCEPT_LANGUAGE=ZH).content.decode()
    body = client.get("/api/v1/products/tgy/", HTTP_ACCEPT_LANGUAGE=ZH).json()
    assert body["name"] == "铁观音乌龙茶"
    assert client.get("/api/v1/products/tgy/").json()["name"] == "Tieguanyin Oolong"


def test_without_a_chinese_name_the_english_one_shows(client, tea):
    Product.objects.filter(pk=tea.pk).update(name_zh_hans=None, description_zh_hans="")
    chinese = client.get("/p/tgy/", HTTP_ACCEPT_LANGUAGE=ZH).content.decode()
    assert "Tieguanyin Oolong" in chinese and "Floral and creamy." in chinese


def test_staff_enter_the_name_in_both_languages_in_the_admin(client, tea):
    staff = StaffFactory()
    staff.groups.add(Group.objects.get(name="Catalog staff"))
    client.force_login(staff)
    form = client.get(f"/admin/catalog/product/{tea.pk}/change/").content.decode()
    for field in ("name_en", "name_zh_hans", "description_en", "description_zh_hans"):
        assert f'name="{field}"' in form, field
    form = client.get(f"/admin/catalog/category/{tea.category.pk}/change/").content.decode()
    assert 'name="name_en"' in form and 'name="name_zh_hans"' in form


def test_seed_demo_gives_every_demo_product_and_category_a_chinese_name(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert not Product.objects.filter(name_zh_hans__isnull=True).exists()
    assert not Category.objects.filter(name_zh_hans__isnull=True).exists()
    assert Product.objects.get(slug="tieguanyin-oolong").name_en == "Tieguanyin Oolong"
    assert Product.objects.get(slug="tieguanyin-oolong").name_zh_hans == "铁观音乌龙茶"
    assert len(demo_zh.PRODUCTS) == Product.objects.count()
