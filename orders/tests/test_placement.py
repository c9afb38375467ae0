"""Placing orders: all or nothing, idempotent per key, safe under concurrency, within budget."""

from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.tests.factories import AddressFactory
from catalog.models import Sku
from orders.errors import InvalidAddress
from orders.models import CartLine, Order, OrderEvent, OrderLine
from orders.pricing import Item
from orders.services import order_place
from orders.services.placement import address_resolve
from orders.tests.factories import ADDRESS, CartFactory, CartLineFactory, SkuFactory, UserFactory
from shop.testing import run_concurrently


def _body(sku, quantity=1, **extra):
    return {"address": ADDRESS, "lines": [{"sku": sku.code, "quantity": quantity}], **extra}


@pytest.mark.django_db
def test_an_order_from_the_cart_snapshots_lines_and_address_and_empties_those_lines(api, shopper):
    sku = SkuFactory(stock=5, price=Decimal("45.50"), product__name="Teapot",
                     attributes={"colour": "blue"})
    CartLineFactory(cart__user=shopper, sku=sku, quantity=2)
    address = AddressFactory(user=shopper)

    response = api.post("/api/v1/orders/", {"address_id": address.pk}, format="json")

    assert response.status_code == 201
    data = response.json()
    assert data["status"] == "pending_payment"
    assert data["lines"] == [{"sku": sku.code, "name": "Teapot", "quantity": 2,
                              "unit_price": "45.50", "line_total": "91.00"}]
    assert (data["subtotal"], data["shipping"], data["total"]) == ("91.00", "10.00", "101.00")
    assert data["address"]["line1"] == address.line1
    assert set(data) == {"number", "status", "created_at", "lines", "subtotal", "adjustments",
                         "shipping", "points_redeemed", "total", "currency", "address",
                         "shipments", "delivered_at"}
    line = OrderLine.objects.get()
    assert (line.attributes, line.base_price) == ({"colour": "blue"}, Decimal("45.50"))
    assert not CartLine.objects.exists()
    assert Sku.objects.get(pk=sku.pk).stock == 3
    assert OrderEvent.objects.get().to_status == "pending_payment"


@pytest.mark.django_db
def test_placing_sends_the_order_placed_email(api, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        number = api.post("/api/v1/orders/", _body(SkuFactory()), format="json").json()["number"]
    assert [m.subject for m in mailoutbox] == [f"[Shop] Order {number} received"]


@pytest.mark.django_db
def test_the_same_idempotency_key_and_body_return_the_same_order(api):
    sku = SkuFactory(stock=5)
    first = api.post("/api/v1/orders/", _body(sku), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post("/api/v1/orders/", _body(sku), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert Order.objects.count() == 1
    assert Sku.objects.get(pk=sku.pk).stock == 4


@pytest.mark.django_db
def test_the_same_idempotency_key_with_another_body_is_a_conflict(api):
    sku = SkuFactory(stock=5)
    api.post("/api/v1/orders/", _body(sku), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    response = api.post("/api/v1/orders/", _body(sku, 2), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_conflict"
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_one_key_used_by_two_shoppers_makes_two_orders():
    sku = SkuFactory(stock=5)
    for user in (UserFactory(), UserFactory()):
        order_place(user=user, address=ADDRESS, items=None if False else _items(sku),
                    idempotency_key="same", request_hash="h")
    assert Order.objects.count() == 2


def _items(sku, quantity=1):
    return [Item(sku=sku, quantity=quantity)]


# --- Bad input ------------------------------------------------------------------------------


def _nothing_changed(sku, stock):
    assert Order.objects.count() == 0
    assert OrderLine.objects.count() == 0
    assert Sku.objects.get(pk=sku.pk).stock == stock


@pytest.mark.django_db
@pytest.mark.parametrize("quantity", [0, -1, 10**9])
def test_a_bad_quantity_is_a_field_error_and_changes_nothing(api, quantity):
    sku = SkuFactory(stock=5)
    response = api.post("/api/v1/orders/", _body(sku, quantity), format="json")
    assert response.status_code == 400
    assert "quantity" in str(response.json()["lines"])
    _nothing_changed(sku, 5)


@pytest.mark.django_db
def test_an_unknown_sku_is_a_field_error(api):
    sku = SkuFactory(stock=5)
    response = api.post("/api/v1/orders/", {"address": ADDRESS,
                        "lines": [{"sku": "NOPE", "quantity": 1}]}, format="json")
    assert response.status_code == 400
    assert "NOPE" in str(response.json()["lines"])
    _nothing_changed(sku, 5)


@pytest.mark.django_db
def test_an_inactive_sku_is_refused_with_a_code(api):
    sku = SkuFactory(stock=5, is_active=False)
    response = api.post("/api/v1/orders/", _body(sku), format="json")
    assert (response.status_code, response.json()["code"]) == (400, "sku_unavailable")
    _nothing_changed(sku, 5)


@pytest.mark.django_db
@pytest.mark.parametrize("address", [
    None, {"address_id": 999999}, {"address": {"name": "No street"}}, {"address": "text"},
    {"address_id": "x"},
])
def test_a_missing_or_invalid_address_is_a_field_error(api, address):
    sku = SkuFactory(stock=5)
    body = {"lines": [{"sku": sku.code, "quantity": 1}], **(address or {})}
    response = api.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 400
    assert {"address", "address_id"} & set(response.json())
    _nothing_changed(sku, 5)


@pytest.mark.django_db
@pytest.mark.parametrize("address_id", [True, 1.5, "1", 1.0])
def test_a_saved_address_id_must_be_a_whole_number(api, shopper, address_id):
    AddressFactory(user=shopper, pk=1)  # what int(address_id) would have found
    sku = SkuFactory(stock=5)
    response = api.post("/api/v1/orders/", {"address": {"address_id": address_id},
                        "lines": [{"sku": sku.code, "quantity": 1}]}, format="json")
    assert response.status_code == 400
    assert "address" in response.json()
    _nothing_changed(sku, 5)


@pytest.mark.django_db
def test_address_resolve_is_the_one_address_rule():
    user = UserFactory()
    saved = AddressFactory(user=user)
    assert address_resolve(user=user, address_id=saved.pk)["line1"] == saved.line1
    assert address_resolve(user=user, inline=ADDRESS)["city"] == "Shanghai"
    for wrong in ({"address_id": True}, {"address_id": str(saved.pk)},
                  {"address_id": AddressFactory().pk}, {}, {"address_id": saved.pk, "inline": ADDRESS},
                  {"inline": {"name": "No street"}}):
        with pytest.raises(InvalidAddress):
            address_resolve(user=user, **wrong)


@pytest.mark.django_db
def test_another_shoppers_saved_address_cannot_be_used(api):
    sku = SkuFactory(stock=5)
    response = api.post("/api/v1/orders/", {"address_id": AddressFactory().pk,
                        "lines": [{"sku": sku.code, "quantity": 1}]}, format="json")
    assert response.status_code == 400
    _nothing_changed(sku, 5)


@pytest.mark.django_db
def test_more_than_the_stock_is_out_of_stock_and_nothing_is_half_written(api):
    plenty, short = SkuFactory(stock=10), SkuFactory(stock=1)
    body = {"address": ADDRESS, "lines": [{"sku": plenty.code, "quantity": 2},
                                          {"sku": short.code, "quantity": 2}]}
    response = api.post("/api/v1/orders/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "out_of_stock")
    _nothing_changed(plenty, 10)
    _nothing_changed(short, 1)


@pytest.mark.django_db
def test_an_empty_cart_cannot_be_ordered(api):
    response = api.post("/api/v1/orders/", {"address": ADDRESS}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "cart_empty")


@pytest.mark.django_db
def test_an_unusable_coupon_is_refused_and_nothing_is_written(api):
    sku = SkuFactory(stock=5)
    response = api.post("/api/v1/orders/", _body(sku, coupon="NOPE"), format="json")
    assert (response.status_code, response.json()["code"]) == (400, "coupon_invalid")
    _nothing_changed(sku, 5)


# --- Query budget ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_placing_an_order_with_ten_lines_takes_at_most_30_queries(
    api, shopper, django_assert_max_num_queries
):
    cart = CartFactory(user=shopper)
    for _ in range(10):
        CartLineFactory(cart=cart, sku=SkuFactory(stock=5), quantity=2)
    address = AddressFactory(user=shopper)
    with django_assert_max_num_queries(30):
        response = api.post("/api/v1/orders/", {"address_id": address.pk}, format="json",
                            HTTP_IDEMPOTENCY_KEY="budget")
    assert response.status_code == 201
    assert len(response.json()["lines"]) == 10


# --- Concurrency ----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_shoppers_racing_for_the_last_five_units_buy_exactly_five():
    sku = SkuFactory(stock=5)
    users = [UserFactory() for _ in range(20)]

    def buy(i):
        try:
            order, _ = order_place(user=users[i], address=ADDRESS, items=_items(Sku.objects.select_related("product").get(pk=sku.pk)))
        except Exception as exc:  # noqa: BLE001 - the outcome is asserted below
            return getattr(exc, "code", repr(exc))
        return "placed"

    results = run_concurrently(20, buy)

    assert sorted(results) == ["out_of_stock"] * 15 + ["placed"] * 5
    assert Sku.objects.get(pk=sku.pk).stock == 0
    assert Order.objects.count() == 5
    assert OrderLine.objects.count() == 5
    assert OrderEvent.objects.count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_idempotency_key_sent_concurrently_places_one_order():
    sku = SkuFactory(stock=50)
    user = UserFactory()

    def post(_):
        client = APIClient()
        client.force_authenticate(user)
        response = client.post("/api/v1/orders/", _body(sku, 2), format="json",
                               HTTP_IDEMPOTENCY_KEY="race-key")
        return response.status_code, response.json()["number"]

    results = run_concurrently(8, post)

    assert sorted(status for status, _ in results) == [200] * 7 + [201]
    assert len({number for _, number in results}) == 1
    assert Order.objects.count() == 1
    assert Sku.objects.get(pk=sku.pk).stock == 48
    assert connection.vendor == "postgresql"
