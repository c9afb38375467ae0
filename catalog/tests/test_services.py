"""Reservation races, all-or-nothing writes, the stock CHECK, validation."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from catalog.errors import DuplicateSku, InvalidPrice, InvalidStock, OutOfStock, UnknownSku
from catalog.models import Sku
from catalog.services import (
    product_create,
    product_update,
    sku_create,
    sku_set_price,
    sku_set_stock,
    stock_release,
    stock_reserve,
    stock_sync,
)
from catalog.tests.factories import CategoryFactory, ProductFactory, SkuFactory
from shop.testing import run_concurrently


def stock_of(*skus):
    return [Sku.objects.get(pk=sku.pk).stock for sku in skus]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_buyers_racing_for_five_units_get_exactly_five():
    sku = SkuFactory(stock=5)

    def buy(_):
        try:
            stock_reserve(lines={sku.pk: 1})
        except OutOfStock:
            return "out_of_stock"
        return "reserved"

    results = run_concurrently(20, buy)
    assert results.count("reserved") == 5
    assert results.count("out_of_stock") == 15
    assert stock_of(sku) == [0]


@pytest.mark.django_db
def test_a_reservation_short_on_its_last_sku_changes_no_stock():
    first, second, last = SkuFactory(stock=5), SkuFactory(stock=5), SkuFactory(stock=1)
    with pytest.raises(OutOfStock) as caught:
        stock_reserve(lines={first.pk: 2, second.pk: 3, last.pk: 2})
    assert caught.value.sku_code == last.code
    assert stock_of(first, second, last) == [5, 5, 1]


@pytest.mark.django_db
def test_reserve_then_release_restores_the_stock():
    sku = SkuFactory(stock=4)
    stock_reserve(lines={sku.pk: 3})
    assert stock_of(sku) == [1]
    stock_release(lines={sku.pk: 3})
    assert stock_of(sku) == [4]


@pytest.mark.django_db
def test_an_inactive_sku_cannot_be_reserved():
    sku = SkuFactory(stock=4, is_active=False)
    with pytest.raises(OutOfStock):
        stock_reserve(lines={sku.pk: 1})


@pytest.mark.django_db
def test_stock_sync_with_one_unknown_code_changes_nothing_and_names_it():
    a, b = SkuFactory(code="A-1", stock=1), SkuFactory(code="B-1", stock=2)
    with pytest.raises(UnknownSku) as caught:
        stock_sync(items=[("A-1", 10), ("NOPE-9", 5), ("B-1", 20), ("ALSO-NOPE", 1)])
    assert "NOPE-9" in caught.value.detail and "ALSO-NOPE" in caught.value.detail
    assert caught.value.as_dict()["codes"] == ["ALSO-NOPE", "NOPE-9"]
    assert stock_of(a, b) == [1, 2]


@pytest.mark.django_db
def test_stock_sync_sets_every_listed_sku():
    a, b, untouched = SkuFactory(code="A-1", stock=1), SkuFactory(code="B-1"), SkuFactory(stock=7)
    assert stock_sync(items=[("A-1", 10), ("B-1", 0)]) == 2
    assert stock_of(a, b, untouched) == [10, 0, 7]


@pytest.mark.django_db
@pytest.mark.parametrize("items", [[("A-1", -1)], [("A-1", 1), ("A-1", 2)], [("A-1", "3")]])
def test_stock_sync_refuses_bad_items_whole(items):
    sku = SkuFactory(code="A-1", stock=4)
    with pytest.raises(InvalidStock):
        stock_sync(items=items)
    assert stock_of(sku) == [4]


@pytest.mark.django_db
def test_the_database_refuses_negative_stock_even_from_a_raw_update():
    sku = SkuFactory(stock=3)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE catalog_sku SET stock = -1 WHERE id = %s", [sku.pk])
    assert stock_of(sku) == [3]


@pytest.mark.django_db
def test_set_price_and_stock_write_through_the_services():
    sku = SkuFactory(price=Decimal("10.00"), stock=1)
    sku_set_price(sku=sku, price="12.50")
    sku_set_stock(sku=sku, stock=9)
    sku.refresh_from_db()
    assert (sku.price, sku.stock) == (Decimal("12.50"), 9)


@pytest.mark.django_db
@pytest.mark.parametrize(("price", "message"), [
    ("0", "greater than 0.00"),
    ("-5.00", "greater than 0.00"),
    ("1.234", "2 decimal places"),
    ("12345678901.00", "10 digits"),
    ("abc", "not a number"),
    (1.5, "not a float"),
])
def test_a_bad_price_is_refused_with_a_clear_message(price, message):
    sku = SkuFactory(price=Decimal("10.00"))
    with pytest.raises(InvalidPrice) as caught:
        sku_set_price(sku=sku, price=price)
    assert message in caught.value.detail
    sku.refresh_from_db()
    assert sku.price == Decimal("10.00")


@pytest.mark.django_db
@pytest.mark.parametrize("stock", [-1, 2.0, "5", True])
def test_a_bad_stock_is_refused(stock):
    sku = SkuFactory(stock=3)
    with pytest.raises(InvalidStock):
        sku_set_stock(sku=sku, stock=stock)
    assert stock_of(sku) == [3]


@pytest.mark.django_db
def test_product_create_with_a_taken_sku_code_writes_nothing():
    SkuFactory(code="TAKEN")
    category = CategoryFactory()
    with pytest.raises(DuplicateSku):
        product_create(category=category, name="New", slug="new", skus=[
            {"code": "FRESH", "price": "5.00", "stock": 1},
            {"code": "TAKEN", "price": "5.00", "stock": 1},
        ])
    assert not Sku.objects.filter(code="FRESH").exists()


@pytest.mark.django_db
def test_product_update_upserts_skus_by_code():
    product = ProductFactory()
    existing = SkuFactory(product=product, code="OLD", price=Decimal("10.00"), stock=1)
    product_update(product=product, name="Renamed", skus=[
        {"code": "OLD", "stock": 8},
        {"code": "NEW", "price": Decimal("20.00"), "attributes": {"size": "L"}},
    ])
    product.refresh_from_db()
    existing.refresh_from_db()
    assert product.name == "Renamed"
    assert (existing.price, existing.stock) == (Decimal("10.00"), 8)
    assert Sku.objects.get(code="NEW").attributes == {"size": "L"}


@pytest.mark.django_db
def test_product_update_refuses_a_code_listed_twice_and_writes_nothing():
    product = ProductFactory(name="Kept")
    with pytest.raises(DuplicateSku, match="Each SKU code may appear once"):
        product_update(product=product, name="Renamed", skus=[
            {"code": "TWICE", "price": "5.00"}, {"code": "TWICE", "price": "6.00"}])
    product.refresh_from_db()
    assert product.name == "Kept"
    assert not Sku.objects.filter(code="TWICE").exists()


@pytest.mark.django_db
def test_product_update_refuses_another_products_code_and_a_new_sku_without_a_price():
    product, theirs = ProductFactory(), SkuFactory(code="THEIRS", stock=3)
    with pytest.raises(DuplicateSku, match="belong to another product: THEIRS"):
        product_update(product=product, skus=[{"code": "THEIRS", "stock": 1}])
    with pytest.raises(ValidationError) as caught:
        product_update(product=product, skus=[{"code": "NEW", "stock": 1}])
    assert caught.value.message_dict == {"skus": ["New SKU NEW needs a price."]}
    assert stock_of(theirs) == [3]
    assert not Sku.objects.filter(code="NEW").exists()


@pytest.mark.django_db
def test_product_create_refuses_a_code_listed_twice():
    with pytest.raises(DuplicateSku, match="Each SKU code may appear once"):
        product_create(category=CategoryFactory(), name="New", slug="new", skus=[
            {"code": "TWICE", "price": "5.00"}, {"code": "TWICE", "price": "6.00"}])
    assert not Sku.objects.filter(code="TWICE").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_five_requests_creating_the_same_sku_code_create_it_once():
    product = ProductFactory()

    def create(_):
        try:
            sku_create(product=product, code="RACE-1", price="5.00", stock=1)
        except DuplicateSku as error:
            return error.code
        return "created"

    results = run_concurrently(5, create)
    assert sorted(results) == ["created"] + ["duplicate_sku"] * 4
    assert Sku.objects.filter(code="RACE-1").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_three_requests_creating_the_same_product_slug_create_it_once():
    category = CategoryFactory()

    def create(index):
        try:
            product_create(category=category, name="Racer", slug="racer",
                           skus=[{"code": f"RACER-{index}", "price": "5.00"}])
        except ValidationError as error:
            return error.message_dict
        return "created"

    results = run_concurrently(3, create)
    assert sorted(results, key=str) == ["created"] + [
        {"slug": ["A product with this slug exists."]}] * 2
    assert Sku.objects.filter(product__slug="racer").count() == 1

