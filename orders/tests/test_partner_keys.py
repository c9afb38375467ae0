"""API keys: scopes open exactly their endpoints; revoked and expired keys are refused."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiKey
from accounts.partner_keys import apikey_create, apikey_revoke
from accounts.tests.factories import UserFactory
from catalog.models import Sku
from catalog.tests.factories import SkuFactory

pytestmark = pytest.mark.django_db


def key_client(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return client


def make_key(*scopes, **kwargs) -> str:
    _, raw = apikey_create(name="ERP", scopes=list(scopes), **kwargs)
    return raw


def test_a_catalog_key_patches_a_sku_price_but_may_not_post_stock():
    sku = SkuFactory(price=Decimal("10.00"), stock=5)
    client = key_client(make_key("catalog:write"))

    patched = client.patch(f"/api/v1/skus/{sku.code}/", {"price": "12.50"}, format="json")
    stock = client.post("/api/v1/stock/", [{"code": sku.code, "stock": 1}], format="json")

    assert patched.status_code == 200, patched.content
    assert patched.json()["price"] == "12.50"
    assert (stock.status_code, stock.json()["code"]) == (403, "scope_missing")
    assert Sku.objects.get(pk=sku.pk).stock == 5


def test_stock_in_a_sku_patch_needs_the_stock_scope():
    sku = SkuFactory(price=Decimal("10.00"), stock=5)

    catalog_only = key_client(make_key("catalog:write")).patch(
        f"/api/v1/skus/{sku.code}/", {"stock": 1}, format="json")
    stock_only = key_client(make_key("stock:write")).patch(
        f"/api/v1/skus/{sku.code}/", {"stock": 1}, format="json")
    stock_sets_price = key_client(make_key("stock:write")).patch(
        f"/api/v1/skus/{sku.code}/", {"price": "1.00"}, format="json")

    assert catalog_only.status_code == 403
    assert stock_only.status_code == 200
    assert stock_sets_price.status_code == 403
    sku.refresh_from_db()
    assert (sku.stock, sku.price) == (1, Decimal("10.00"))


def test_a_stock_key_posts_stock():
    sku = SkuFactory(stock=5)

    response = key_client(make_key("stock:write")).post(
        "/api/v1/stock/", [{"code": sku.code, "stock": 9}], format="json")

    assert response.status_code == 200
    assert Sku.objects.get(pk=sku.pk).stock == 9


def test_a_key_reaches_nothing_its_scopes_do_not_open():
    client = key_client(make_key("catalog:write"))

    assert client.get("/api/v1/orders/").status_code == 403
    assert client.get("/api/v1/cart/").status_code == 403
    assert client.get("/api/v1/me/").status_code == 403
    assert client.get("/api/v1/webhooks/").status_code == 403
    assert client.post("/api/v1/partner-keys/", {"name": "x", "scopes": ["orders:read"]},
                       format="json").status_code == 403
    # Public reads stay open to any key.
    assert client.get("/api/v1/products/").status_code == 200


def test_an_orders_key_reads_every_order(django_capture_on_commit_callbacks):
    from orders.tests.factories import place

    order = place()

    response = key_client(make_key("orders:read")).get("/api/v1/orders/")

    assert response.status_code == 200
    assert [o["number"] for o in response.json()["results"]] == [order.number]


def test_a_revoked_key_and_an_expired_key_are_401():
    sku = SkuFactory()
    key, revoked = apikey_create(name="old ERP", scopes=["catalog:write"])
    apikey_revoke(key=key)
    expired = make_key("catalog:write", expires_at=timezone.now() - timedelta(seconds=1))
    unknown = "deadbeef.not-a-secret"

    for raw in (revoked, expired, unknown):
        response = key_client(raw).patch(f"/api/v1/skus/{sku.code}/", {"price": "9.00"},
                                         format="json")
        assert response.status_code == 401, raw
        assert response.json()["code"] == "authentication_failed"


def test_a_wrong_secret_with_a_real_prefix_is_401():
    raw = make_key("catalog:write")
    prefix = raw.split(".")[0]

    response = key_client(f"{prefix}.guessed").get("/api/v1/products/")

    assert response.status_code == 401


def test_only_a_hash_of_the_secret_is_stored():
    key, raw = apikey_create(name="WMS", scopes=["stock:write"])
    secret = raw.split(".", 1)[1]

    stored = ApiKey.objects.get(pk=key.pk)
    assert stored.prefix == raw.split(".")[0]
    assert secret not in stored.hashed_secret
    assert stored.hashed_secret.startswith("pbkdf2_sha256_apikey$")


def test_a_key_use_is_recorded_as_last_used():
    key, raw = apikey_create(name="WMS", scopes=["stock:write"])

    key_client(raw).get("/api/v1/products/")

    assert ApiKey.objects.get(pk=key.pk).last_used_at is not None


def test_the_admin_shows_a_new_key_once_and_stores_only_its_hash(admin_client):
    response = admin_client.post("/admin/accounts/apikey/add/", {
        "name": "ERP", "scopes": ["catalog:write", "stock:write"], "expires_at_0": "",
        "expires_at_1": "",
    }, follow=True)

    key = ApiKey.objects.get()
    shown = [str(m) for m in response.context["messages"] if "The new API key is" in str(m)]
    assert len(shown) == 1 and key.prefix in shown[0]
    raw = shown[0].split("The new API key is ")[1].split(" ")[0]
    assert raw.startswith(f"{key.prefix}.")
    assert raw.split(".", 1)[1] not in key.hashed_secret
    assert key.scopes == ["catalog:write", "stock:write"]
    # The key works, and no later page shows it again.
    assert key_client(raw).patch(f"/api/v1/skus/{SkuFactory().code}/", {"price": "3.00"},
                                 format="json").status_code == 200
    again = admin_client.get(f"/admin/accounts/apikey/{key.pk}/change/")
    assert raw.split(".", 1)[1] not in again.content.decode()


def test_staff_with_the_permission_make_a_key_by_api_and_see_it_once():
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = APIClient()
    client.force_authenticate(admin)

    made = client.post("/api/v1/partner-keys/", {"name": "CRM", "scopes": ["orders:read"]},
                       format="json")
    listed = client.get("/api/v1/partner-keys/")

    assert made.status_code == 201, made.content
    body = made.json()
    assert set(body) == {"id", "name", "prefix", "key", "scopes", "expires_at"}
    assert body["key"].startswith(body["prefix"] + ".")
    assert "key" not in listed.json()["results"][0]
    assert key_client(body["key"]).get("/api/v1/orders/").status_code == 200


def test_deleting_a_key_by_api_revokes_it():
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = APIClient()
    client.force_authenticate(admin)
    key, raw = apikey_create(name="CRM", scopes=["orders:read"])

    response = client.delete(f"/api/v1/partner-keys/{key.pk}/")

    assert response.status_code == 204
    assert ApiKey.objects.get(pk=key.pk).revoked_at is not None
    assert key_client(raw).get("/api/v1/orders/").status_code == 401


def test_a_shopper_may_not_make_keys():
    client = APIClient()
    client.force_authenticate(UserFactory())

    response = client.post("/api/v1/partner-keys/", {"name": "x", "scopes": ["orders:read"]},
                           format="json")

    assert response.status_code == 403


def test_an_unknown_scope_is_a_field_error():
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = APIClient()
    client.force_authenticate(admin)

    response = client.post("/api/v1/partner-keys/", {"name": "x", "scopes": ["root"]},
                           format="json")

    assert response.status_code == 400
    assert "scopes" in response.json()
