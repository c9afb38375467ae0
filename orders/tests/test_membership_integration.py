"""Membership through the orders pipeline: settlement upgrades, refunds downgrade, member
prices and free shipping in the cart, checkout and order.

Lives in orders because only orders may import orders.
"""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from catalog.pricing import effective_prices
from catalog.tests.factories import SkuFactory
from marketing.tests.factories import DiscountFactory
from membership.models import SpendRecord, TierChange
from membership.services import membership_get, spend_record
from membership.tests.factories import tier_ladder
from orders.gateways.dummy import payment_simulate
from orders.models import Order
from orders.pricing import quote_build
from orders.services.cart import cart_add, cart_get_or_create
from orders.services.lifecycle import order_refund
from orders.services.placement import items_for_skus, order_place
from orders.services.settlement import order_settle

pytestmark = pytest.mark.django_db

ADDRESS = {"name": "Li Lei", "phone": "+86 138 0000 0000", "line1": "1 Nanjing Road",
           "city": "Shanghai", "postcode": "200001", "country": "CN"}


@pytest.fixture
def tiers(db):
    return tier_ladder()


def member(tier_code: str):
    """A shopper exactly at the threshold of `tier_code` (spend recorded 30 days ago)."""
    user = UserFactory()
    amount = {"regular": "0.00", "silver": "1000.00", "gold": "5000.00", "platinum": "20000.00"}
    spend_record(user=user, reference=f"earlier:{user.pk}", amount=Decimal(amount[tier_code]))
    assert membership_get(user).tier.code == tier_code
    return user


def place_and_settle(user, sku, quantity, django_capture_on_commit_callbacks) -> Order:
    """Place an order, pay it in the sandbox and let the settlement task run (eager)."""
    order, _ = order_place(user=user, address=ADDRESS, items=items_for_skus(pairs=[(sku, quantity)]))
    with django_capture_on_commit_callbacks(execute=True):
        payment_simulate(order=order, outcome="approve")
    order.refresh_from_db()
    assert order.status == Order.Status.PROCESSING
    return order


# --- Settlement upgrades at once, the same reference counts once ------------------------


def test_a_settled_order_crossing_the_silver_threshold_upgrades_at_settlement(
    tiers, django_capture_on_commit_callbacks
):
    user = UserFactory()
    spend_record(user=user, reference="order:EARLIER", amount=Decimal("900.00"))
    sku = SkuFactory(price=Decimal("150.00"), stock=5)

    order = place_and_settle(user, sku, 1, django_capture_on_commit_callbacks)

    membership = membership_get(user)
    assert membership.tier == tiers["silver"]
    assert membership.spend_365d == Decimal("1050.00")  # 900 + 150, shipping free at 150
    change = membership.changes.first()
    assert (change.from_tier, change.to_tier, change.reason, change.reference) == (
        tiers["regular"], tiers["silver"], TierChange.Reason.ORDER, order.reference
    )


def test_the_spend_recorded_is_the_amount_paid_without_shipping(
    tiers, django_capture_on_commit_callbacks
):
    user = UserFactory()
    sku = SkuFactory(price=Decimal("40.00"), stock=5)

    order = place_and_settle(user, sku, 1, django_capture_on_commit_callbacks)

    assert (order.total, order.shipping) == (Decimal("50.00"), Decimal("10.00"))
    assert SpendRecord.objects.get(reference=order.reference).amount == Decimal("40.00")


def test_settling_the_same_order_twice_counts_its_spend_once(
    tiers, django_capture_on_commit_callbacks
):
    user = UserFactory()
    sku = SkuFactory(price=Decimal("600.00"), stock=5)
    order = place_and_settle(user, sku, 1, django_capture_on_commit_callbacks)

    order_settle(order_id=order.pk)
    spend_record(user=user, reference=order.reference, amount=order.total - order.shipping)

    assert SpendRecord.objects.filter(user=user).count() == 1
    membership = membership_get(user)
    assert membership.spend_365d == Decimal("600.00")
    assert membership.tier == tiers["regular"]


# --- A refund reverses the spend and downgrades ------------------------------------------


def test_a_refund_reverses_the_spend_and_downgrades_below_the_tier(
    tiers, django_capture_on_commit_callbacks
):
    user = UserFactory()
    spend_record(user=user, reference="order:EARLIER", amount=Decimal("900.00"))
    sku = SkuFactory(price=Decimal("300.00"), stock=5)
    order = place_and_settle(user, sku, 1, django_capture_on_commit_callbacks)
    assert membership_get(user).tier == tiers["silver"]

    order_refund(order=order)

    membership = membership_get(user)
    assert membership.tier == tiers["regular"]
    assert membership.spend_365d == Decimal("900.00")
    change = membership.changes.first()
    assert (change.from_tier, change.to_tier, change.reason, change.reference) == (
        tiers["silver"], tiers["regular"], TierChange.Reason.REFUND, order.reference
    )
    assert SpendRecord.objects.get(reference=order.reference).reversed_at is not None


def test_a_refund_that_leaves_the_spend_above_the_threshold_keeps_the_tier(
    tiers, django_capture_on_commit_callbacks
):
    user = member("gold")
    sku = SkuFactory(price=Decimal("300.00"), stock=5)
    order = place_and_settle(user, sku, 1, django_capture_on_commit_callbacks)

    order_refund(order=order)

    assert membership_get(user).tier == tiers["gold"]
    assert not membership_get(user).changes.filter(reason=TierChange.Reason.REFUND).exists()


# --- Member price and free shipping, cart, checkout and order ----------------------------


def test_a_gold_member_pays_the_member_price_and_no_shipping_in_the_quote(tiers):
    sku = SkuFactory(price=Decimal("80.00"), stock=5)
    items = items_for_skus(pairs=[(sku, 1)])

    gold = quote_build(user=member("gold"), items=items)
    regular = quote_build(user=member("regular"), items=items)

    assert (gold.lines[0].unit_price, gold.lines[0].price_label) == (
        Decimal("76.00"), "Gold member price"
    )
    assert (gold.subtotal, gold.shipping, gold.total) == (
        Decimal("76.00"), Decimal("0.00"), Decimal("76.00")
    )
    assert (regular.lines[0].unit_price, regular.lines[0].price_label) == (Decimal("80.00"), "")
    assert (regular.shipping, regular.total) == (Decimal("10.00"), Decimal("90.00"))


def test_a_silver_member_gets_the_member_price_but_pays_shipping(tiers):
    sku = SkuFactory(price=Decimal("50.00"), stock=5)

    quote = quote_build(user=member("silver"), items=items_for_skus(pairs=[(sku, 1)]))

    assert (quote.lines[0].unit_price, quote.shipping, quote.total) == (
        Decimal("49.00"), Decimal("10.00"), Decimal("59.00")
    )


def test_the_best_of_base_discount_and_member_price_wins(tiers):
    deep = SkuFactory(price=Decimal("100.00"), stock=5)
    shallow = SkuFactory(price=Decimal("100.00"), stock=5)
    DiscountFactory(value=Decimal("10.00"), products=[deep.product])
    DiscountFactory(value=Decimal("3.00"), products=[shallow.product])
    gold = member("gold")

    quote = quote_build(user=gold, items=items_for_skus(pairs=[(deep, 1), (shallow, 1)]))

    by_sku = {line.sku_id: line for line in quote.lines}
    assert by_sku[deep.pk].unit_price == Decimal("90.00")  # the 10 % sale beats 5 % Gold
    assert by_sku[shallow.pk].unit_price == Decimal("95.00")  # Gold beats the 3 % sale
    assert by_sku[shallow.pk].price_label == "Gold member price"


def test_a_member_price_is_never_above_the_base_price(tiers):
    sku = SkuFactory(price=Decimal("0.01"), stock=5)

    quote = quote_build(user=member("platinum"), items=items_for_skus(pairs=[(sku, 1)]))

    # 0.01 × 92 % = 0.0092 rounds to 0.01: the base price, no member label.
    assert quote.lines[0].unit_price == Decimal("0.01")


def test_the_catalogue_shows_the_member_price_to_a_signed_in_member_only(tiers):
    sku = SkuFactory(price=Decimal("200.00"), stock=5)

    assert effective_prices([sku], user=member("platinum"))[sku.pk].price == Decimal("184.00")
    assert effective_prices([sku], user=member("regular"))[sku.pk].price == Decimal("200.00")
    assert effective_prices([sku], user=None)[sku.pk].price == Decimal("200.00")


def breakdown(html: str) -> dict[str, str]:
    """Return the rows of the page's price breakdown table: {"Shipping": "Free", …}."""
    table = re.search(r'<table class="breakdown[^"]*"[^>]*>(.*?)</table>', html, re.S).group(1)
    return dict(re.findall(r'<th scope="row">(.*?)</th>\s*<td[^>]*>(.*?)</td>', table, re.S))


def cart_with(user, sku, client):
    cart_add(cart=cart_get_or_create(user=user), sku=sku, quantity=1)
    client.force_login(user)


def test_the_cart_and_checkout_show_the_member_price_and_free_shipping_to_gold(client, tiers):
    sku = SkuFactory(price=Decimal("80.00"), stock=5)
    cart_with(member("gold"), sku, client)

    for page in ("orders:cart", "orders:checkout"):
        html = client.get(reverse(page)).content.decode()
        assert "Gold member price" in html, page
        assert "¥76.00" in html, page
        assert breakdown(html) == {"Subtotal": "¥76.00", "Shipping": "Free", "Total": "¥76.00"}, page


def test_the_cart_and_checkout_show_base_price_and_shipping_to_a_regular_shopper(client, tiers):
    sku = SkuFactory(price=Decimal("80.00"), stock=5)
    cart_with(member("regular"), sku, client)

    for page in ("orders:cart", "orders:checkout"):
        html = client.get(reverse(page)).content.decode()
        assert "member price" not in html, page
        assert breakdown(html) == {"Subtotal": "¥80.00", "Shipping": "¥10.00", "Total": "¥90.00"}, page


def test_the_order_breakdown_keeps_the_member_price_and_free_shipping(client, tiers):
    gold = member("gold")
    sku = SkuFactory(price=Decimal("80.00"), stock=5)
    order, _ = order_place(user=gold, address=ADDRESS, items=items_for_skus(pairs=[(sku, 2)]))
    client.force_login(gold)

    html = client.get(order.get_absolute_url()).content.decode()

    assert (order.subtotal, order.shipping, order.total) == (
        Decimal("152.00"), Decimal("0.00"), Decimal("152.00")
    )
    assert "Gold member price" in html
    assert '<span class="price price--was">¥80.00</span>' in html
    assert breakdown(html) == {"Subtotal": "¥152.00", "Shipping": "Free", "Total": "¥152.00"}


def test_the_order_api_shows_the_member_price_and_free_shipping(tiers):
    gold = member("gold")
    sku = SkuFactory(price=Decimal("80.00"), stock=5)
    order, _ = order_place(user=gold, address=ADDRESS, items=items_for_skus(pairs=[(sku, 1)]))
    api = APIClient()
    api.force_authenticate(gold)

    body = api.get(f"/api/v1/orders/{order.number}/").json()

    assert body["lines"][0]["unit_price"] == "76.00"
    assert (body["shipping"], body["total"]) == ("0.00", "76.00")
