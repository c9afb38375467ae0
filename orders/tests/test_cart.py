"""The cart: adding within stock, changing, removing, the login merge; pages and API."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import PASSWORD
from catalog.errors import OutOfStock
from orders.errors import InvalidQuantity, SkuUnavailable
from orders.models import Cart, CartLine
from orders.services import cart_add, cart_get_or_create, cart_merge, cart_set_quantity
from orders.tests.factories import CartLineFactory, SkuFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_adding_the_same_sku_twice_adds_up_the_quantity(shopper):
    cart = cart_get_or_create(user=shopper)
    sku = SkuFactory(stock=10)
    cart_add(cart=cart, sku=sku, quantity=2)
    line = cart_add(cart=cart, sku=sku, quantity=3)
    assert line.quantity == 5
    assert CartLine.objects.filter(cart=cart).count() == 1


def test_adding_more_than_the_stock_is_refused_saying_how_many_are_left(shopper):
    cart = cart_get_or_create(user=shopper)
    sku = SkuFactory(stock=3)
    cart_add(cart=cart, sku=sku, quantity=2)
    with pytest.raises(OutOfStock, match="Only 3"):
        cart_add(cart=cart, sku=sku, quantity=2)
    assert CartLine.objects.get(cart=cart).quantity == 2


@pytest.mark.parametrize("quantity", [0, -1, 10**9, "x"])
def test_a_quantity_outside_1_to_99_is_refused(shopper, quantity):
    with pytest.raises(InvalidQuantity):
        cart_add(cart=cart_get_or_create(user=shopper), sku=SkuFactory(), quantity=quantity)


def test_an_inactive_sku_cannot_be_added(shopper):
    with pytest.raises(SkuUnavailable):
        cart_add(cart=cart_get_or_create(user=shopper), sku=SkuFactory(is_active=False), quantity=1)


def test_setting_a_quantity_above_the_stock_is_refused(shopper):
    line = CartLineFactory(cart__user=shopper, sku=SkuFactory(stock=4), quantity=1)
    with pytest.raises(OutOfStock):
        cart_set_quantity(line=line, quantity=5)
    assert cart_set_quantity(line=line, quantity=4).quantity == 4


def test_the_merge_adds_quantities_caps_them_by_stock_and_says_so(shopper):
    sku, other = SkuFactory(stock=5), SkuFactory(stock=8)
    CartLineFactory(cart__user=shopper, sku=sku, quantity=3)
    visitor = Cart.objects.create(token="t0k3n")
    CartLine.objects.create(cart=visitor, sku=sku, quantity=4)
    CartLine.objects.create(cart=visitor, sku=other, quantity=2)

    notes = cart_merge(token="t0k3n", user=shopper)

    quantities = dict(CartLine.objects.filter(cart__user=shopper).values_list("sku_id", "quantity"))
    assert quantities == {sku.pk: 5, other.pk: 2}
    assert len(notes) == 1 and "Only 5" in notes[0]
    assert not Cart.objects.filter(token="t0k3n").exists()


def test_logging_in_merges_the_visitors_cart(client):
    user = UserFactory()
    sku = SkuFactory(stock=5)
    client.post(reverse("orders:cart_add"), {"sku": sku.pk, "quantity": 2})
    assert Cart.objects.filter(user__isnull=True).count() == 1

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert CartLine.objects.get(cart__user=user).quantity == 2
    assert not Cart.objects.filter(user__isnull=True).exists()


# --- Pages ---------------------------------------------------------------------------------


def test_the_product_form_adds_to_the_cart_and_the_cart_page_shows_the_breakdown(shopper_client):
    sku = SkuFactory(stock=5, price=Decimal("40.00"), product__name="Kettle")
    response = shopper_client.post(reverse("orders:cart_add"), {"sku": sku.pk, "quantity": 2},
                                   follow=True)
    page = response.content.decode()
    assert "Kettle" in page
    assert "¥80.00" in page  # line total and subtotal
    assert "¥90.00" in page  # with ¥10.00 shipping


def test_adding_too_many_on_the_page_shows_why(shopper_client):
    sku = SkuFactory(stock=1, product__name="Lamp")
    response = shopper_client.post(reverse("orders:cart_add"), {"sku": sku.pk, "quantity": 3},
                                   follow=True)
    assert "Only 1 of Lamp left" in response.content.decode()
    assert not CartLine.objects.exists()


def test_a_refused_coupon_shows_its_reason_on_the_cart_page(shopper_client, shopper):
    CartLineFactory(cart__user=shopper)
    shopper_client.post(reverse("orders:cart_coupon"), {"code": "NOPE"})
    response = shopper_client.get(reverse("orders:cart"))
    assert response.status_code == 200
    assert 'data-testid="coupon-error"' in response.content.decode()


def test_the_cart_page_changes_and_removes_lines(shopper_client, shopper):
    line = CartLineFactory(cart__user=shopper, sku=SkuFactory(stock=9))
    shopper_client.post(reverse("orders:cart_line_update", args=[line.pk]), {"quantity": 4})
    line.refresh_from_db()
    assert line.quantity == 4
    shopper_client.post(reverse("orders:cart_line_remove", args=[line.pk]))
    assert not CartLine.objects.exists()


def test_another_shoppers_cart_line_is_a_404_on_the_page(shopper_client):
    line = CartLineFactory()
    assert shopper_client.post(reverse("orders:cart_line_update", args=[line.pk]),
                               {"quantity": 2}).status_code == 404
    assert shopper_client.post(reverse("orders:cart_line_remove", args=[line.pk])).status_code == 404


# --- API -----------------------------------------------------------------------------------


def test_the_cart_api_adds_by_code_and_lists_lines_with_the_breakdown(api):
    sku = SkuFactory(stock=5, price=Decimal("25.00"))
    created = api.post("/api/v1/cart/lines/", {"sku": sku.code, "quantity": 2}, format="json")
    assert created.status_code == 201
    assert created.json()["line_total"] == "50.00"

    cart = api.get("/api/v1/cart/").json()
    assert [(line["sku"], line["quantity"]) for line in cart["lines"]] == [(sku.code, 2)]
    assert (cart["subtotal"], cart["shipping"], cart["total"]) == ("50.00", "10.00", "60.00")


@pytest.mark.parametrize("body", [
    {"sku": "NO-SUCH", "quantity": 1}, {"quantity": 1}, {"sku": "SKU", "quantity": 0},
    {"sku": "SKU", "quantity": -1}, {"sku": "SKU", "quantity": 10**9},
])
def test_the_cart_api_refuses_bad_lines_with_field_errors(api, body):
    SkuFactory(code="SKU")
    response = api.post("/api/v1/cart/lines/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) <= {"sku", "quantity"}
    assert not CartLine.objects.exists()


def test_the_cart_api_changes_and_deletes_only_own_lines(api, shopper):
    mine = CartLineFactory(cart__user=shopper, sku=SkuFactory(stock=9))
    theirs = CartLineFactory()
    assert api.patch(f"/api/v1/cart/lines/{mine.pk}/", {"quantity": 3}, format="json").json()[
        "quantity"] == 3
    assert api.patch(f"/api/v1/cart/lines/{theirs.pk}/", {"quantity": 3},
                     format="json").status_code == 404
    assert api.delete(f"/api/v1/cart/lines/{theirs.pk}/").status_code == 404
    assert api.delete(f"/api/v1/cart/lines/{mine.pk}/").status_code == 204
    assert CartLine.objects.filter(pk=theirs.pk).exists()


def test_the_cart_api_says_out_of_stock_with_its_code(api):
    sku = SkuFactory(stock=0)
    response = api.post("/api/v1/cart/lines/", {"sku": sku.code, "quantity": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "out_of_stock"
