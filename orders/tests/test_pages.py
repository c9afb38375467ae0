"""Shopper pages: checkout, pay, orders; fixed query counts whatever the number of lines."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Address
from accounts.tests.factories import AddressFactory
from orders.models import CartLine, Order
from orders.tests.factories import CartFactory, CartLineFactory, SkuFactory, UserFactory, place
from points.services import points_award

pytestmark = pytest.mark.django_db

NEW_ADDRESS = {"address": "new", "name": "Han Meimei", "phone": "13900000000",
               "line1": "8 Huaihai Road", "city": "Shanghai", "postcode": "200020",
               "country": "CN", "points": "0", "coupon_code": "", "idempotency_key": "abc"}


def _fill_cart(shopper, count):
    cart = CartFactory(user=shopper)
    for _ in range(count):
        CartLineFactory(cart=cart, sku=SkuFactory(stock=9, price=Decimal("12.50")), quantity=2)


def test_checkout_with_a_new_address_places_the_order_and_goes_to_the_pay_page(
    shopper_client, shopper
):
    _fill_cart(shopper, 2)
    page = shopper_client.get(reverse("orders:checkout"))
    assert page.status_code == 200 and "¥60.00" in page.content.decode()

    response = shopper_client.post(reverse("orders:checkout"), {**NEW_ADDRESS, "action": "place"})

    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/pay/{order.number}/"
    assert order.address["line1"] == "8 Huaihai Road"
    assert Address.objects.get(user=shopper).line1 == "8 Huaihai Road"
    assert not CartLine.objects.exists()

    resubmitted = shopper_client.post(reverse("orders:checkout"), {**NEW_ADDRESS, "action": "place"})
    assert Order.objects.count() == 1  # the same form posted twice is one order
    assert resubmitted.status_code in (200, 302)


def test_a_double_submitted_checkout_saves_its_new_address_once(shopper_client, shopper):
    _fill_cart(shopper, 1)
    shopper_client.post(reverse("orders:checkout"), {**NEW_ADDRESS, "action": "place"})
    # The second click arrives while the cart still holds the lines (it reached the view).
    CartLineFactory(cart=shopper.cart, sku=SkuFactory(stock=9), quantity=1)

    replay = shopper_client.post(reverse("orders:checkout"), {**NEW_ADDRESS, "action": "place"})

    order = Order.objects.get()
    assert replay.status_code == 302 and replay["Location"] == f"/pay/{order.number}/"
    assert Address.objects.filter(user=shopper).count() == 1


def test_checkout_refuses_an_incomplete_new_address_with_field_errors(shopper_client, shopper):
    _fill_cart(shopper, 1)
    response = shopper_client.post(reverse("orders:checkout"),
                                   {**NEW_ADDRESS, "line1": "", "action": "place"})
    assert response.status_code == 200
    assert "This field is required for a new address." in response.content.decode()
    assert not Order.objects.exists()


def test_checkout_with_a_saved_address(shopper_client, shopper):
    _fill_cart(shopper, 1)
    address = AddressFactory(user=shopper, is_default=True)
    shopper_client.post(reverse("orders:checkout"), {"address": str(address.pk), "points": "0",
                                                     "idempotency_key": "k", "action": "place"})
    assert Order.objects.get().address["line1"] == address.line1


def test_checkout_out_of_stock_is_shown_on_the_page(shopper_client, shopper):
    _fill_cart(shopper, 1)
    CartLine.objects.update(quantity=50)  # stock is 9
    response = shopper_client.post(reverse("orders:checkout"), {**NEW_ADDRESS, "action": "place"})
    assert "Not enough stock for" in response.content.decode()
    assert not Order.objects.exists()
    assert not Address.objects.filter(user=shopper).exists()  # the refused order kept no address


def test_checkout_offers_the_points_the_order_allows(shopper_client, shopper):
    _fill_cart(shopper, 2)  # 4 × 12.50 = 50.00: at most 25.00, i.e. 2,500 points
    points_award(user=shopper, points=1_000, reference="order:EARLIER")

    page = shopper_client.get(reverse("orders:checkout")).content.decode()
    # The balance is below the cap: no cap the shopper cannot reach.
    assert ("You have 1,000 points; this order allows up to 2,500, so you can use them all "
            "(worth ¥10.00).") in page

    points_award(user=shopper, points=9_000, reference="order:EARLIER2")
    page = shopper_client.get(reverse("orders:checkout")).content.decode()
    assert "You have 10,000 points; this order allows up to 2,500 (worth ¥25.00)." in page


def test_the_pay_page_approves_and_the_order_page_shows_processing(
    shopper_client, shopper, django_capture_on_commit_callbacks
):
    order = place(user=shopper, skus=[SkuFactory()])
    assert "Approve payment" in shopper_client.get(reverse("orders:pay", args=[order.number])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = shopper_client.post(reverse("orders:pay", args=[order.number]),
                                       {"outcome": "approve"})
    assert response["Location"] == order.get_absolute_url()
    page = shopper_client.get(order.get_absolute_url()).content.decode()
    assert 'data-testid="order-status">Processing' in page


def test_declining_on_the_pay_page_keeps_the_order_pending(shopper_client, shopper):
    order = place(user=shopper, skus=[SkuFactory()])
    response = shopper_client.post(reverse("orders:pay", args=[order.number]),
                                   {"outcome": "decline"}, follow=True)
    assert "declined" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == "pending_payment"


def test_the_shopper_cancels_a_pending_order_on_its_page(shopper_client, shopper):
    order = place(user=shopper, skus=[SkuFactory()])
    assert "Cancel order" in shopper_client.get(order.get_absolute_url()).content.decode()
    shopper_client.post(reverse("orders:cancel", args=[order.number]))
    assert Order.objects.get(pk=order.pk).status == "cancelled"


def test_the_order_list_shows_own_orders(shopper_client, shopper):
    mine = place(user=shopper, skus=[SkuFactory()])
    theirs = place(skus=[SkuFactory()])
    page = shopper_client.get(reverse("orders:list")).content.decode()
    assert mine.number in page and theirs.number not in page


# --- Fixed query counts ---------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_the_cart_page_runs_the_same_queries_for_one_line_or_eight(client, django_user_model):
    one, eight = UserFactory(), UserFactory()
    _fill_cart(one, 1)
    _fill_cart(eight, 8)
    client.force_login(one)
    with_one = _queries(client, reverse("orders:cart"))
    client.force_login(eight)
    assert _queries(client, reverse("orders:cart")) == with_one


def test_the_order_page_runs_the_same_queries_for_one_line_or_eight(client):
    shopper = UserFactory()
    small = place(user=shopper, skus=[SkuFactory()])
    big = place(user=shopper, skus=[SkuFactory() for _ in range(8)])
    client.force_login(shopper)
    client.get(reverse("orders:list"))  # the header's figures, cached per shopper from here on
    assert _queries(client, big.get_absolute_url()) == _queries(client, small.get_absolute_url())
    assert _queries(client, reverse("orders:list")) > 0


def test_the_order_list_runs_the_same_queries_for_one_order_or_eight(client, settings):
    settings.SHOP_MAX_UNPAID_ORDERS = 8  # eight orders left unpaid, above the default cap
    few, many = UserFactory(), UserFactory()
    place(user=few, skus=[SkuFactory()])
    for _ in range(8):
        place(user=many, skus=[SkuFactory(), SkuFactory()])
    client.force_login(few)
    with_one = _queries(client, reverse("orders:list"))
    client.force_login(many)
    assert _queries(client, reverse("orders:list")) == with_one
