"""The catalogue staff's admin: tree, product list columns and filters, inlines via services."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.tests.factories import StaffFactory
from catalog.models import Category, Product, Sku
from catalog.tests.factories import CategoryFactory, SkuFactory


@pytest.fixture
def staff_client(client, db):
    user = StaffFactory()
    user.groups.add(Group.objects.get(name="Catalog staff"))
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("group", ["Catalog staff", "Partners"])
def test_the_groups_get_add_change_and_view_but_not_delete(group):
    codenames = set(Permission.objects.filter(group__name=group, content_type__app_label="catalog")
                    .values_list("codename", flat=True))
    for model in ("category", "product", "productimage", "sku"):
        assert {f"add_{model}", f"change_{model}", f"view_{model}"} <= codenames
        assert f"delete_{model}" not in codenames


@pytest.mark.django_db
def test_the_product_list_shows_from_price_and_stock_and_filters_low_stock(staff_client):
    SkuFactory(product__name="Plenty", price=Decimal("12.00"), stock=50)
    SkuFactory(product__name="Nearly gone", stock=2)
    SkuFactory(product__name="Sold out", stock=0)
    html = staff_client.get("/admin/catalog/product/").content.decode()
    assert "¥12.00" in html and "Plenty" in html
    low = staff_client.get("/admin/catalog/product/?stock=low").content.decode()
    assert "Nearly gone" in low and "Plenty" not in low and "Sold out" not in low
    out = staff_client.get("/admin/catalog/product/?stock=out").content.decode()
    assert "Sold out" in out and "Nearly gone" not in out
    found = staff_client.get(f"/admin/catalog/product/?q={Sku.objects.get(stock=2).code}")
    assert "Nearly gone" in found.content.decode()


@pytest.mark.django_db
def test_bulk_deactivate_and_activate(staff_client):
    a, b = SkuFactory().product, SkuFactory().product
    staff_client.post("/admin/catalog/product/", {
        "action": "deactivate", "_selected_action": [a.pk, b.pk]})
    assert not Product.objects.filter(is_active=True).exists()
    staff_client.post("/admin/catalog/product/", {"action": "activate", "_selected_action": [a.pk]})
    assert list(Product.objects.filter(is_active=True)) == [a]


@pytest.mark.django_db
def test_the_sku_inline_saves_price_and_stock_and_adds_skus(staff_client):
    sku = SkuFactory(price=Decimal("10.00"), stock=1)
    product = sku.product
    response = staff_client.post(f"/admin/catalog/product/{product.pk}/change/", {
        "category": product.category_id, "name_en": product.name, "slug": product.slug,
        "description_en": "", "specs": "{}", "is_active": "on",
        "skus-TOTAL_FORMS": 2, "skus-INITIAL_FORMS": 1, "skus-MIN_NUM_FORMS": 0,
        "skus-MAX_NUM_FORMS": 1000,
        "skus-0-id": sku.pk, "skus-0-product": product.pk, "skus-0-code": sku.code,
        "skus-0-attributes": '{"colour": "black"}', "skus-0-price": "11.50", "skus-0-stock": 7,
        "skus-0-is_active": "on",
        "skus-1-product": product.pk, "skus-1-code": "ADMIN-NEW", "skus-1-attributes": "{}",
        "skus-1-price": "5.00", "skus-1-stock": 2, "skus-1-is_active": "on",
        "images-TOTAL_FORMS": 0, "images-INITIAL_FORMS": 0, "images-MIN_NUM_FORMS": 0,
        "images-MAX_NUM_FORMS": 1000,
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    sku.refresh_from_db()
    assert (sku.price, sku.stock) == (Decimal("11.50"), 7)
    assert Sku.objects.get(code="ADMIN-NEW").product == product


@pytest.mark.django_db
def test_the_category_tree_admin_lists_and_adds_nodes(staff_client):
    root = CategoryFactory(name="Electronics", slug="electronics")
    assert "Electronics" in staff_client.get("/admin/catalog/category/").content.decode()
    response = staff_client.post("/admin/catalog/category/add/", {
        "name_en": "Phones", "name_zh_hans": "手机", "slug": "phones", "description_en": "", "is_active": "on",
        "treebeard_position": "sorted-child", "treebeard_ref_node": root.pk,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    root.refresh_from_db()
    assert [c.slug for c in Category.objects.get_children(root)] == ["phones"]
    assert Category.objects.get(slug="phones").name_zh_hans == "手机"


@pytest.mark.django_db
def test_the_sku_change_form_shows_the_product_read_only_and_keeps_it(staff_client):
    sku, other = SkuFactory(price=Decimal("10.00"), stock=1), SkuFactory().product
    url = f"/admin/catalog/sku/{sku.pk}/change/"
    html = staff_client.get(url).content.decode()
    assert 'name="product"' not in html and sku.product.name in html
    response = staff_client.post(url, {
        "product": other.pk, "code": sku.code, "attributes": '{"colour": "red"}',
        "price": "10.00", "stock": 1, "is_active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    sku.refresh_from_db()
    assert sku.product_id != other.pk and sku.attributes == {"colour": "red"}


@pytest.mark.django_db
def test_the_sku_add_form_still_picks_a_product(staff_client):
    product = SkuFactory().product
    assert 'name="product"' in staff_client.get("/admin/catalog/sku/add/").content.decode()
    response = staff_client.post("/admin/catalog/sku/add/", {
        "product": product.pk, "code": "ADDED-1", "attributes": "{}", "price": "3.00",
        "stock": 2, "is_active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Sku.objects.get(code="ADDED-1").product == product
