"""One shopper holds at most SHOP_MAX_UNPAID_ORDERS unpaid orders: API, flash orders, pages."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from catalog.models import Sku
from marketing.flash import flash_cache_forget
from marketing.models import FlashSale
from marketing.tests.factories import FlashSaleFactory
from orders.errors import TooManyUnpaidOrders
from orders.models import CartLine, Order
from orders.pricing import Item
from orders.services import order_cancel, order_place
from orders.tests.factories import ADDRESS, CartLineFactory, SkuFactory, UserFactory, place
from shop.testing import run_concurrently

ORDERS = "/api/v1/orders/"


def body(sku, quantity=1):
    return {"address": ADDRESS, "lines": [{"sku": sku.code, "quantity": quantity}]}


@pytest.fixture
def sku(db):
    return SkuFactory(stock=40, price=Decimal("20.00"))


def test_the_cap_is_five_unless_configured(settings):
    assert settings.SHOP_MAX_UNPAID_ORDERS == 5


@pytest.mark.django_db
def test_the_sixth_unpaid_order_is_a_409_and_after_cancelling_one_the_next_is_placed(
    api, shopper, sku
):
    placed = [api.post(ORDERS, body(sku), format="json") for _ in range(5)]
    assert [r.status_code for r in placed] == [201] * 5

    refused = api.post(ORDERS, body(sku), format="json")

    assert refused.status_code == 409
    assert refused.json()["code"] == "too_many_unpaid_orders"
    assert Order.objects.filter(user=shopper).count() == 5
    assert Sku.objects.get(pk=sku.pk).stock == 35  # the refused order took no stock

    cancelled = api.post(f"{ORDERS}{placed[0].json()['number']}/cancel/", format="json")
    assert cancelled.status_code == 200
    assert api.post(ORDERS, body(sku), format="json").status_code == 201


@pytest.mark.django_db
def test_paid_orders_do_not_count(settings, shopper, sku):
    settings.SHOP_MAX_UNPAID_ORDERS = 1
    first = place(user=shopper, skus=[sku])
    with pytest.raises(TooManyUnpaidOrders):
        place(user=shopper, skus=[sku])
    Order.objects.filter(pk=first.pk).update(status=Order.Status.PROCESSING)

    assert place(user=shopper, skus=[sku]).status == Order.Status.PENDING_PAYMENT


@pytest.mark.django_db
def test_the_cap_counts_one_shopper_only(settings, shopper, sku):
    settings.SHOP_MAX_UNPAID_ORDERS = 1
    place(user=shopper, skus=[sku])

    assert place(user=UserFactory(), skus=[sku]).status == Order.Status.PENDING_PAYMENT


@pytest.mark.django_db
def test_an_idempotent_replay_of_an_order_at_the_cap_returns_that_order(settings, api, sku):
    settings.SHOP_MAX_UNPAID_ORDERS = 1
    first = api.post(ORDERS, body(sku), format="json", HTTP_IDEMPOTENCY_KEY="k-cap")
    again = api.post(ORDERS, body(sku), format="json", HTTP_IDEMPOTENCY_KEY="k-cap")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["number"] == first.json()["number"]


@pytest.mark.django_db
def test_cancelling_frees_a_place_under_the_cap(settings, shopper, sku):
    settings.SHOP_MAX_UNPAID_ORDERS = 1
    first = place(user=shopper, skus=[sku])
    order_cancel(order=first, actor=shopper)

    assert place(user=shopper, skus=[sku]).status == Order.Status.PENDING_PAYMENT


@pytest.mark.django_db
def test_a_flash_order_over_the_cap_is_a_409_and_gives_its_units_back(settings, shopper):
    flash_cache_forget()
    settings.SHOP_MAX_UNPAID_ORDERS = 1
    sale = FlashSaleFactory(quantity=10, per_customer_limit=5)
    earlier = place(user=shopper, skus=[SkuFactory()])
    client = APIClient()
    client.force_authenticate(shopper)
    buy = f"/api/v1/flash-sales/{sale.pk}/orders/"

    response = client.post(buy, {"quantity": 1, "address": ADDRESS}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "too_many_unpaid_orders"
    assert not Order.objects.filter(lines__flash_sale_id=sale.pk).exists()
    # The refused unit went back to the sale and to the shopper's limit: after
    # cancelling the earlier order, all five units the shopper may buy are still there.
    order_cancel(order=earlier, actor=shopper)
    assert client.post(buy, {"quantity": 5, "address": ADDRESS}, format="json").status_code == 201
    assert FlashSale.objects.get(pk=sale.pk).remaining == 5
    flash_cache_forget()


@pytest.mark.django_db
def test_checkout_over_the_cap_shows_a_message(settings, shopper_client, shopper, sku):
    settings.SHOP_MAX_UNPAID_ORDERS = 1
    place(user=shopper, skus=[sku])
    CartLineFactory(cart__user=shopper, sku=sku, quantity=1)

    response = shopper_client.post(reverse("orders:checkout"), {
        "address": "new", "name": "Han Meimei", "phone": "13900000000",
        "line1": "8 Huaihai Road", "city": "Shanghai", "postcode": "200020", "country": "CN",
        "points": "0", "coupon_code": "", "idempotency_key": "cap", "action": "place",
    })

    assert response.status_code == 200
    assert "You have 1 order waiting for payment." in response.content.decode()
    assert Order.objects.filter(user=shopper).count() == 1
    assert CartLine.objects.filter(cart__user=shopper).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_shopper_placing_many_orders_at_once_never_passes_the_cap(settings):
    settings.SHOP_MAX_UNPAID_ORDERS = 3
    sku = SkuFactory(stock=100)
    user = UserFactory()

    def buy(_):
        item = Item(sku=Sku.objects.select_related("product").get(pk=sku.pk), quantity=1)
        try:
            order_place(user=user, address=ADDRESS, items=[item])
        except Exception as exc:  # noqa: BLE001 - the outcome is asserted below
            return getattr(exc, "code", repr(exc))
        return "placed"

    results = run_concurrently(10, buy)

    assert sorted(results) == ["placed"] * 3 + ["too_many_unpaid_orders"] * 7
    assert Order.objects.filter(user=user).count() == 3
    assert Sku.objects.get(pk=sku.pk).stock == 97


@pytest.mark.django_db
def test_buy_now_over_the_cap_shows_a_message(settings, shopper_client, shopper):
    from accounts.tests.factories import AddressFactory

    flash_cache_forget()
    settings.SHOP_MAX_UNPAID_ORDERS = 1
    AddressFactory(user=shopper, is_default=True)
    sale = FlashSaleFactory(quantity=10)
    place(user=shopper, skus=[SkuFactory()])

    response = shopper_client.post(reverse("orders:flash_buy", args=[sale.pk]), follow=True)

    assert "You have 1 order waiting for payment." in response.content.decode()
    assert not Order.objects.filter(lines__flash_sale_id=sale.pk).exists()
    flash_cache_forget()
