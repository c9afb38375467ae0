"""The write-permission matrix; bad input is a 400, unknown ids a 404."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve
from rest_framework.test import APIClient

import catalog.api
from accounts.tests.factories import UserFactory
from catalog.api import serializers, views
from catalog.models import Product, Sku
from catalog.tests.factories import CategoryFactory, SkuFactory, image_bytes


def client_for(role):
    """An API client signed in as `role`: anonymous, shopper, catalog_staff or partner."""
    client = APIClient()
    if role == "anonymous":
        return client
    user = UserFactory()
    group = {"catalog_staff": "Catalog staff", "partner": "Partners"}.get(role)
    if group:
        # The groups and their permissions come from the data migrations.
        user.groups.add(Group.objects.get(name=group))
    client.force_authenticate(user)
    return client


def create_product(client, sku):
    return client.post("/api/v1/products/", {
        "name": "Jade Kettle", "slug": "jade-kettle", "category": sku.product.category.slug,
        "description": "Boils water.", "attributes": {"brand": "Hearth"},
        "skus": [{"code": "KETTLE-1", "attributes": {"colour": "green"}, "price": "199.00",
                  "stock": 5}],
    }, format="json")


def patch_product(client, sku):
    return client.patch(f"/api/v1/products/{sku.product.slug}/", {"name": "Renamed"},
                        format="json")


def upload_image(client, sku):
    upload = SimpleUploadedFile("photo.png", image_bytes(), content_type="image/png")
    return client.post(f"/api/v1/products/{sku.product.slug}/images/",
                       {"image": upload, "alt": "Front"}, format="multipart")


def patch_sku(client, sku):
    return client.patch(f"/api/v1/skus/{sku.code}/", {"price": "88.00", "stock": 3},
                        format="json")


def sync_stock(client, sku):
    return client.post("/api/v1/stock/", [{"code": sku.code, "stock": 42}], format="json")


WRITES = {
    "create_product": (create_product, 201),
    "patch_product": (patch_product, 200),
    "upload_image": (upload_image, 201),
    "patch_sku": (patch_sku, 200),
    "sync_stock": (sync_stock, 200),
}
EXPECTED = {"anonymous": 401, "shopper": 403, "catalog_staff": None, "partner": None}


@pytest.mark.django_db
@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_every_write_endpoint_answers_by_role(role, write):
    sku = SkuFactory(price=Decimal("100.00"), stock=10)
    call, success = WRITES[write]
    response = call(client_for(role), sku)
    assert response.status_code == (EXPECTED[role] or success), response.content
    sku.refresh_from_db()
    changed = (Product.objects.filter(slug="jade-kettle").exists()
               or sku.product.images.exists() or sku.stock != 10
               or Product.objects.filter(name="Renamed").exists())
    assert changed is (EXPECTED[role] is None)


@pytest.mark.django_db
def test_reads_are_public():
    sku = SkuFactory()
    client = APIClient()
    assert client.get("/api/v1/categories/").status_code == 200
    assert client.get("/api/v1/products/").status_code == 200
    assert client.get(f"/api/v1/products/{sku.product.slug}/").status_code == 200
    assert client.get(f"/api/v1/skus/{sku.code}/").status_code == 200


@pytest.mark.django_db
def test_categories_are_a_flat_tree_with_parent_slugs():
    root = CategoryFactory(slug="home", name="Home")
    CategoryFactory(parent=root, slug="kitchen", name="Kitchen")
    body = APIClient().get("/api/v1/categories/").json()
    assert [(row["slug"], row["parent"]) for row in body["results"]] == [
        ("home", None), ("kitchen", "home")]


@pytest.mark.django_db
def test_a_created_product_comes_back_with_its_skus_and_prices():
    sku = SkuFactory()
    body = create_product(client_for("partner"), sku).json()
    assert body["slug"] == "jade-kettle"
    assert body["attributes"] == {"brand": "Hearth"}
    assert body["price_from"] == "199.00"
    assert body["skus"] == [{"code": "KETTLE-1", "attributes": {"colour": "green"},
                             "price": "199.00", "effective_price": "199.00", "stock": 5}]


@pytest.mark.django_db
def test_sku_patch_and_stock_sync_go_through_the_services():
    sku = SkuFactory(price=Decimal("100.00"), stock=10)
    body = patch_sku(client_for("partner"), sku).json()
    assert (body["price"], body["effective_price"], body["stock"]) == ("88.00", "88.00", 3)
    assert sync_stock(client_for("partner"), sku).json() == {"updated": 1}
    assert Sku.objects.get(pk=sku.pk).stock == 42


@pytest.mark.django_db
def test_bulk_stock_with_an_unknown_code_is_refused_whole_and_names_it():
    sku = SkuFactory(code="REAL-1", stock=10)
    response = client_for("partner").post("/api/v1/stock/", [
        {"code": "REAL-1", "stock": 1}, {"code": "GHOST-7", "stock": 2}], format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_sku"
    assert response.json()["codes"] == ["GHOST-7"]
    assert "GHOST-7" in response.json()["detail"]
    assert Sku.objects.get(pk=sku.pk).stock == 10


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "field"), [
    ("min_price=abc", "min_price"),
    ("max_price=-1", "max_price"),
    ("min_price=50&max_price=10", "max_price"),
    ("ordering=cheapest", "ordering"),
    ("in_stock=maybe", "in_stock"),
    ("category=no-such-category", "category"),
    ("min_price=1e999", "min_price"),
])
def test_bad_list_filters_are_400_field_errors(query, field):
    SkuFactory()
    response = APIClient().get(f"/api/v1/products/?{query}")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "status"),
                         [("page=-1", 400), ("page=0", 400), ("page=abc", 400), ("page=99", 404)])
def test_a_malformed_page_is_400_and_one_past_the_end_404(query, status):
    SkuFactory()
    assert APIClient().get(f"/api/v1/products/?{query}").status_code == status


@pytest.mark.django_db
def test_page_size_is_capped_at_100():
    category = CategoryFactory()
    Sku.objects.bulk_create([
        Sku(product=product, code=f"BULK-{n}", price=Decimal("1.00"), stock=1)
        for n, product in enumerate(Product.objects.bulk_create([
            Product(category=category, name=f"P{n}", slug=f"p-{n}") for n in range(105)]))
    ])
    body = APIClient().get("/api/v1/products/?page_size=500").json()
    assert body["count"] == 105
    assert len(body["results"]) == 100


@pytest.mark.django_db
@pytest.mark.parametrize("url", [
    "/api/v1/products/no-such-product/",
    "/api/v1/skus/NO-SUCH-SKU/",
])
def test_unknown_slug_or_code_is_404(url):
    assert APIClient().get(url).status_code == 404
    assert client_for("partner").patch(url, {"price": "1.00"}, format="json").status_code == 404


@pytest.mark.django_db
def test_upload_to_an_unknown_product_is_404():
    upload = SimpleUploadedFile("photo.png", image_bytes(), content_type="image/png")
    response = client_for("partner").post("/api/v1/products/nope/images/", {"image": upload},
                                          format="multipart")
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "field"), [
    ({"price": "0.00"}, "price"),
    ({"price": "-3"}, "price"),
    ({"price": "1.999"}, "price"),
    ({"price": "123456789012.00"}, "price"),
    ({"stock": -1}, "stock"),
    ({"stock": "many"}, "stock"),
    ({}, "non_field_errors"),
])
def test_bad_sku_patches_are_400_field_errors_and_change_nothing(body, field):
    sku = SkuFactory(price=Decimal("100.00"), stock=10)
    response = client_for("partner").patch(f"/api/v1/skus/{sku.code}/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    sku.refresh_from_db()
    assert (sku.price, sku.stock) == (Decimal("100.00"), 10)


@pytest.mark.django_db
@pytest.mark.parametrize("body", [
    [],
    [{"code": "A", "stock": -5}],
    [{"code": "A"}],
    {"code": "A", "stock": 1},
])
def test_bad_stock_bodies_are_400(body):
    SkuFactory(code="A", stock=1)
    response = client_for("partner").post("/api/v1/stock/", body, format="json")
    assert response.status_code == 400
    assert Sku.objects.get(code="A").stock == 1


@pytest.mark.django_db
def test_creating_a_product_with_a_taken_slug_or_code_is_400():
    sku = SkuFactory(code="KETTLE-1")
    client = client_for("catalog_staff")
    response = create_product(client, sku)
    assert response.status_code == 400
    assert response.json()["skus"] == ["SKU code(s) already in use: KETTLE-1."]
    response = client.post("/api/v1/products/", {
        "name": "Dup", "slug": sku.product.slug, "category": sku.product.category.slug,
    }, format="json")
    assert response.status_code == 400 and "slug" in response.json()


@pytest.mark.django_db
def test_product_patch_upserts_skus_and_hides_the_product():
    sku = SkuFactory(code="OLD-1", price=Decimal("10.00"), stock=1)
    response = client_for("catalog_staff").patch(f"/api/v1/products/{sku.product.slug}/", {
        "attributes": {"material": "steel"}, "is_active": False,
        "skus": [{"code": "OLD-1", "stock": 9}, {"code": "NEW-1", "price": "12.00"}],
    }, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["attributes"] == {"material": "steel"}
    assert {s["code"]: s["stock"] for s in body["skus"]} == {"OLD-1": 9, "NEW-1": 0}
    # Hidden from the shop and the public API from now on.
    assert APIClient().get(f"/api/v1/products/{sku.product.slug}/").status_code == 404


@pytest.mark.django_db
def test_a_product_patch_may_not_take_another_products_sku():
    mine, theirs = SkuFactory(), SkuFactory(code="THEIRS")
    response = client_for("partner").patch(f"/api/v1/products/{mine.product.slug}/", {
        "skus": [{"code": "THEIRS", "stock": 1}]}, format="json")
    assert response.status_code == 400
    assert response.json()["skus"] == ["SKU code(s) belong to another product: THEIRS."]
    assert Sku.objects.get(pk=theirs.pk).product_id == theirs.product_id


@pytest.mark.django_db
def test_the_schema_documents_the_catalog_error_responses():
    schema = APIClient().get("/api/schema/?format=json").json()
    stock = schema["paths"]["/api/v1/stock/"]["post"]["responses"]
    products = schema["paths"]["/api/v1/products/"]["get"]
    assert {"200", "400", "401", "403"} <= set(stock)
    assert "400" in products["responses"]
    assert {p["name"] for p in products["parameters"]} >= {
        "category", "q", "min_price", "max_price", "in_stock", "ordering", "page", "page_size"}


def client_with(*codenames):
    """An API client signed in as a user holding exactly these catalog permissions."""
    user = UserFactory()
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="catalog",
                                                         codename__in=codenames))
    client = APIClient()
    client.force_authenticate(user)
    return client


def patch_skus(client, sku, code):
    return client.patch(f"/api/v1/products/{sku.product.slug}/", {
        "skus": [{"code": code, "price": "1.00", "stock": 0}]}, format="json")


@pytest.mark.django_db
@pytest.mark.parametrize(("permissions", "code", "status"), [
    (["change_product"], "OLD-1", 403),
    (["change_product", "add_sku"], "OLD-1", 403),
    (["change_product", "change_sku"], "OLD-1", 200),
    (["change_product"], "NEW-1", 403),
    (["change_product", "change_sku"], "NEW-1", 403),
    (["change_product", "add_sku"], "NEW-1", 200),
])
def test_skus_in_a_product_patch_need_the_sku_permissions(permissions, code, status):
    sku = SkuFactory(code="OLD-1", price=Decimal("100.00"), stock=10)
    response = patch_skus(client_with(*permissions), sku, code)
    assert response.status_code == status, response.content
    sku.refresh_from_db()
    written = (sku.price, sku.stock) != (Decimal("100.00"), 10) or Sku.objects.filter(
        code="NEW-1").exists()
    assert written is (status == 200)


@pytest.mark.django_db
@pytest.mark.parametrize(("permissions", "status"), [
    (["add_product"], 403),
    (["add_product", "change_sku"], 403),
    (["add_product", "add_sku"], 201),
])
def test_skus_in_a_product_post_need_add_sku(permissions, status):
    sku = SkuFactory()
    response = create_product(client_with(*permissions), sku)
    assert response.status_code == status, response.content
    assert Product.objects.filter(slug="jade-kettle").exists() is (status == 201)


@pytest.mark.django_db
def test_a_product_write_without_skus_needs_only_the_product_permission():
    sku = SkuFactory()
    client = client_with("add_product", "change_product")
    assert patch_product(client, sku).status_code == 200
    response = client.post("/api/v1/products/", {
        "name": "Bare", "slug": "bare", "category": sku.product.category.slug}, format="json")
    assert response.status_code == 201, response.content


@pytest.mark.django_db
@pytest.mark.parametrize(("skus", "message"), [
    ([{"code": "A-1", "price": "1.00"}, {"code": "A-1", "price": "2.00"}],
     "Each SKU code may appear once."),
    ([{"code": "FRESH-1", "stock": 2}], "New SKU FRESH-1 needs a price."),
])
def test_bad_skus_in_a_product_patch_are_400_under_skus(skus, message):
    sku = SkuFactory()
    response = client_for("catalog_staff").patch(f"/api/v1/products/{sku.product.slug}/",
                                                 {"skus": skus}, format="json")
    assert response.status_code == 400
    assert response.json()["skus"] == [message]


@pytest.mark.django_db
def test_the_api_hides_the_branch_under_an_inactive_category():
    root = CategoryFactory(slug="home")
    child = CategoryFactory(parent=root, slug="kitchen")
    sku = SkuFactory(product__category=child)
    root.is_active = False
    root.save()
    client = APIClient()
    assert client.get("/api/v1/products/").json()["count"] == 0
    assert client.get(f"/api/v1/products/{sku.product.slug}/").status_code == 404
    assert client.get("/api/v1/categories/").json()["results"] == []
    assert client.get(f"/api/v1/skus/{sku.code}/").status_code == 404


def test_the_api_package_keeps_the_include_path_and_splits_serializers_from_views():
    assert resolve("/api/v1/stock/").func.view_class is views.StockSyncView
    assert {p.name for p in catalog.api.urlpatterns} >= {"api-products", "api-sku", "api-stock"}
    assert serializers.ProductWriteSerializer.__module__ == "catalog.api.serializers"
