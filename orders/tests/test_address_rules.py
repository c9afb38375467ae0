"""An order's inline address follows the address book's rules (accounts/addresses.py)."""

import pytest
from django.urls import reverse

from orders.models import Order
from orders.tests.factories import ADDRESS, CartFactory, CartLineFactory, SkuFactory

pytestmark = pytest.mark.django_db

BAD = {"name": "X", "postcode": "abc", "country": "ZZ"}


def body(sku, address):
    return {"address": address, "lines": [{"sku": sku.code, "quantity": 1}]}


def test_the_order_api_refuses_x_abc_and_zz_in_an_inline_address(api):
    response = api.post("/api/v1/orders/", body(SkuFactory(stock=5), {**ADDRESS, **BAD}),
                        format="json")
    assert response.status_code == 400
    assert {"name", "postcode", "country"} <= set(response.json()["address"])
    assert not Order.objects.exists()


def test_the_order_api_refuses_a_five_digit_chinese_postcode(api):
    response = api.post("/api/v1/orders/", body(SkuFactory(stock=5),
                                                {**ADDRESS, "postcode": "20000"}), format="json")
    assert response.status_code == 400
    assert "six digits" in response.json()["address"]["postcode"][0]


@pytest.mark.parametrize("province", ["Shanghai", "上海"])
def test_the_order_api_takes_shanghai_in_either_language_and_keeps_the_english_name(
    api, province
):
    response = api.post("/api/v1/orders/", body(SkuFactory(stock=5),
                                                {**ADDRESS, "province": province}), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["address"]["province"] == "Shanghai"


def test_the_checkout_page_refuses_x_abc_and_zz_with_field_errors(shopper_client, shopper):
    CartLineFactory(cart=CartFactory(user=shopper), sku=SkuFactory(stock=5))
    form = {"address": "new", "phone": "13900000000", "line1": "8 Huaihai Road",
            "city": "Shanghai", "points": "0", "idempotency_key": "k", "action": "place", **BAD}
    response = shopper_client.post(reverse("orders:checkout"), form)
    assert response.status_code == 200
    assert {"name", "postcode", "country"} <= set(response.context["form"].errors)
    assert not Order.objects.exists()
