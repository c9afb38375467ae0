"""Marketing through the orders pipeline: discounts, 满减 and coupons in quotes, orders, pages
and the API.

Lives in orders because only orders may import orders.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from catalog.tests.factories import CategoryFactory, ProductFactory, SkuFactory
from marketing.errors import CouponInvalid
from marketing.models import Coupon, CouponRedemption, Kind
from marketing.services import coupon_release
from marketing.tests.factories import (
    CouponFactory,
    CouponRedemptionFactory,
    DiscountFactory,
    PromotionFactory,
)
from membership.services import membership_get, spend_record
from membership.tests.factories import tier_ladder
from orders.models import Order
from orders.pricing import quote_build
from orders.services import order_cancel
from orders.services.placement import items_for_skus, order_place
from shop.errors import InvalidTransition
from shop.money import ZERO, money
from shop.testing import run_concurrently

ADDRESS = {"name": "Li Lei", "phone": "+86 138 0000 0000", "line1": "1 Nanjing Road",
           "city": "Shanghai", "postcode": "200001", "country": "CN"}
SPEND = {"regular": "0.00", "silver": "1000.00", "gold": "5000.00", "platinum": "20000.00"}


def member(tier_code: str):
    """A shopper in `tier_code` of the standard ladder (spend recorded earlier)."""
    user = UserFactory()
    spend_record(user=user, reference=f"earlier:{user.pk}", amount=Decimal(SPEND[tier_code]))
    assert membership_get(user).tier.code == tier_code
    return user


def reconciles(quote) -> bool:
    return quote.subtotal + sum((a.amount for a in quote.adjustments), ZERO) + quote.shipping == quote.total


# --- The precedence table through quote_build ------------------------------------------------


@pytest.fixture
def shelf(db):
    """Headphones 100.00 in Audio (15 % off), a cable 50.00 elsewhere, 满减 200/30, WELCOME10."""
    tier_ladder()
    audio = CategoryFactory(slug="audio")
    headphones = SkuFactory(price=Decimal("100.00"), stock=100, product=ProductFactory(category=audio))
    cable = SkuFactory(price=Decimal("50.00"), stock=100, product=ProductFactory(category=CategoryFactory()))
    DiscountFactory(name="Audio week", value=Decimal("15.00"), categories=[audio])
    PromotionFactory(name="Spend 200 save 30", threshold=Decimal("200.00"), amount_off=Decimal("30.00"))
    CouponFactory(code="WELCOME10", value=Decimal("10.00"), min_spend=Decimal("100.00"))
    return headphones, cable


@pytest.mark.django_db
def test_a_gold_member_gets_the_best_unit_price_then_the_promotion_then_the_coupon(shelf):
    headphones, cable = shelf
    gold = member("gold")  # 5 % member price, free shipping

    quote = quote_build(user=gold, items=items_for_skus(pairs=[(headphones, 2), (cable, 1)]), coupon_code="welcome10")

    # Headphones: discount 85.00 beats member 95.00; cable: member 47.50 beats base 50.00.
    assert [(line.unit_price, line.price_label) for line in quote.lines] == [
        (Decimal("85.00"), "Audio week −15 %"), (Decimal("47.50"), "Gold member price")]
    assert quote.subtotal == Decimal("217.50")
    assert [(a.kind, a.label, a.amount) for a in quote.adjustments] == [
        ("promotion", "Spend 200 save 30", Decimal("-30.00")),
        ("coupon", "Coupon WELCOME10 (−10 %)", Decimal("-18.75")),  # 10 % of 187.50
    ]
    assert (quote.shipping, quote.total) == (ZERO, Decimal("168.75"))
    assert reconciles(quote)


@pytest.mark.django_db
def test_the_promotion_needs_the_discounted_subtotal_and_hints_the_rest(shelf):
    headphones, _ = shelf

    quote = quote_build(user=UserFactory(), items=items_for_skus(pairs=[(headphones, 2)]))

    # 2 × 100.00 at base would meet 200.00, but 2 × 85.00 = 170.00 does not.
    assert quote.adjustments == ()
    assert (quote.promotion_hint.missing, quote.promotion_hint.amount_off) == (Decimal("30.00"), Decimal("30.00"))


@pytest.mark.django_db
def test_the_minimum_spend_is_checked_after_the_promotion(shelf):
    headphones, cable = shelf
    CouponFactory(code="MIN200", min_spend=Decimal("200.00"))

    quote = quote_build(user=UserFactory(), items=items_for_skus(pairs=[(headphones, 2), (cable, 1)]),
                        coupon_code="MIN200", strict=False)

    # Subtotal 220.00 meets 200.00; after 30.00 off, 190.00 does not.
    assert quote.coupon is None
    assert quote.coupon_error == "Coupon MIN200 needs a spend of ¥200.00 after promotions; spend ¥10.00 more."
    assert quote.total == Decimal("190.00")


@pytest.mark.django_db
def test_a_coupon_not_combinable_is_refused_with_a_promotion_and_its_cap_holds_without(shelf):
    headphones, _ = shelf
    CouponFactory(code="SOLO", value=Decimal("50.00"), max_discount=Decimal("20.00"),
                  combinable_with_promotions=False)
    user = UserFactory()

    with_promotion = quote_build(user=user, items=items_for_skus(pairs=[(headphones, 3)]), coupon_code="SOLO", strict=False)
    without = quote_build(user=user, items=items_for_skus(pairs=[(headphones, 1)]), coupon_code="SOLO")

    assert with_promotion.coupon_error == "Coupon SOLO can't be combined with the promotion applied to your order."
    assert [a.kind for a in with_promotion.adjustments] == ["promotion"]
    assert [(a.kind, a.amount) for a in without.adjustments] == [("coupon", Decimal("-20.00"))]  # not 42.50


# --- Random carts × discounts × promotions × coupons × tiers --------------------------------

TIERS = ["regular", "silver", "gold", "platinum"]
cents = st.integers(min_value=1, max_value=200_000).map(lambda n: Decimal(n) / 100)
percent = st.integers(min_value=1, max_value=10_000).map(lambda n: Decimal(n) / 100)


@st.composite
def cut(draw):
    kind = draw(st.sampled_from([Kind.PERCENT, Kind.FIXED]))
    return kind, draw(percent if kind == Kind.PERCENT else cents)


scenario = st.fixed_dictionaries({
    "cart": st.lists(st.tuples(cents, st.integers(1, 4), st.integers(0, 2)), min_size=1, max_size=5),
    "discounts": st.lists(st.tuples(cut(), st.integers(0, 2)), max_size=3),
    "promotions": st.lists(st.tuples(cents, st.integers(1, 100), st.one_of(st.none(), st.integers(0, 2)),
                                     st.lists(st.sampled_from(TIERS), unique=True, max_size=2)), max_size=3),
    "coupon": st.one_of(st.none(), st.tuples(cut(), st.one_of(st.none(), cents), cents,
                                             st.one_of(st.none(), st.integers(0, 2)), st.booleans())),
    "tier": st.sampled_from(TIERS),
})


def _build(s):
    tier_ladder()
    root = CategoryFactory()
    categories = [root, CategoryFactory(parent=root), CategoryFactory()]
    skus = [SkuFactory(price=price, stock=10, product=ProductFactory(category=categories[c]))
            for price, _, c in s["cart"]]
    for (kind, value), c in s["discounts"]:
        DiscountFactory(kind=kind, value=value, categories=[categories[c]])
    for threshold, share, scope, tiers in s["promotions"]:
        PromotionFactory(threshold=threshold, amount_off=max(money(threshold * share / 100), Decimal("0.01")),
                         tiers=tiers, categories=[categories[scope]] if scope is not None else [])
    if s["coupon"]:
        (kind, value), cap, min_spend, scope, combinable = s["coupon"]
        CouponFactory(code="RANDOM", kind=kind, value=value, max_discount=cap, min_spend=min_spend,
                      combinable_with_promotions=combinable,
                      categories=[categories[scope]] if scope is not None else [])
    return skus


@pytest.mark.django_db
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(s=scenario)
def test_no_mix_of_rules_breaks_the_quote(s):
    with transaction.atomic():
        skus = _build(s)
        quote = quote_build(user=member(s["tier"]), items=items_for_skus(
            pairs=[(sku, qty) for sku, (_, qty, _) in zip(skus, s["cart"], strict=True)]),
            coupon_code="RANDOM" if s["coupon"] else "", strict=False)

        assert all(ZERO <= line.unit_price <= line.base_price for line in quote.lines)
        amount = quote.subtotal
        for adjustment in quote.adjustments:
            assert ZERO <= -adjustment.amount <= amount  # never more than what it applies to
            amount += adjustment.amount
        assert quote.total >= ZERO
        assert reconciles(quote)
        transaction.set_rollback(True)


# --- Coupon uses under concurrency, through order_place ---------------------------------------


def _try_place(user, sku, code):
    try:
        order_place(user=user, address=ADDRESS, items=items_for_skus(pairs=[(sku, 1)]), coupon_code=code)
    except CouponInvalid as exc:
        return exc.extra.get("reason", "coupon_invalid")
    return "placed"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_orders_racing_for_a_single_use_coupon_place_exactly_one_with_it():
    sku = SkuFactory(price=Decimal("120.00"), stock=100)
    coupon = CouponFactory(code="ONLYONE", usage_limit=1, per_customer_limit=None)
    users = [UserFactory() for _ in range(50)]

    results = run_concurrently(50, lambda i: _try_place(users[i], sku, "ONLYONE"))

    assert results.count("placed") == 1
    assert results.count("used_up") == 49
    assert Order.objects.filter(coupon_code="ONLYONE").count() == 1 == Order.objects.count()
    coupon.refresh_from_db()
    assert coupon.used == 1 == CouponRedemption.objects.filter(coupon=coupon).count()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_shopper_racing_fifty_orders_uses_a_once_per_customer_coupon_once():
    sku = SkuFactory(price=Decimal("120.00"), stock=100)
    coupon = CouponFactory(code="ONCEEACH", usage_limit=None, per_customer_limit=1)
    user = UserFactory()

    results = run_concurrently(50, lambda i: _try_place(user, sku, "ONCEEACH"))

    assert results.count("placed") == 1
    assert results.count("already_used") == 49
    coupon.refresh_from_db()
    assert coupon.used == 1 == CouponRedemption.objects.filter(coupon=coupon, user=user).count()


@pytest.mark.django_db
def test_cancelling_the_order_gives_the_coupon_use_back_once():
    sku = SkuFactory(price=Decimal("120.00"), stock=10)
    coupon = CouponFactory(code="ONLYONE", usage_limit=1, per_customer_limit=1)
    first, second = UserFactory(), UserFactory()
    order, _ = order_place(user=first, address=ADDRESS, items=items_for_skus(pairs=[(sku, 1)]), coupon_code="ONLYONE")
    assert Coupon.objects.get(pk=coupon.pk).used == 1

    order_cancel(order=order, actor=first)
    with pytest.raises(InvalidTransition):
        order_cancel(order=order, actor=first)
    coupon_release(reference=order.reference)

    assert Coupon.objects.get(pk=coupon.pk).used == 0
    assert _try_place(second, sku, "ONLYONE") == "placed"
    assert _try_place(first, sku, "ONLYONE") == "used_up"
    assert Coupon.objects.get(pk=coupon.pk).used == 1


# --- Every refusal, in the API and on the cart page --------------------------------------------


def _refusal_setup(reason, *, user, sku, other_category):
    now = timezone.now()
    setups = {
        "unknown": lambda: None,
        "not_started": lambda: CouponFactory(code="TRYME", starts_at=now + timedelta(days=1),
                                             ends_at=now + timedelta(days=2)),
        "expired": lambda: CouponFactory(code="TRYME", starts_at=now - timedelta(days=2),
                                         ends_at=now - timedelta(days=1)),
        "min_spend": lambda: CouponFactory(code="TRYME", min_spend=Decimal("500.00")),
        "used_up": lambda: CouponFactory(code="TRYME", usage_limit=1, used=1),
        "already_used": lambda: CouponRedemptionFactory(coupon=CouponFactory(code="TRYME"), user=user),
        "wrong_tier": lambda: CouponFactory(code="TRYME", tiers=["gold"]),
        "nothing_in_scope": lambda: CouponFactory(code="TRYME", categories=[other_category]),
        "not_combinable": lambda: (CouponFactory(code="TRYME", combinable_with_promotions=False),
                                   PromotionFactory(threshold=Decimal("50.00"), amount_off=Decimal("5.00"))),
    }
    setups[reason]()


REFUSALS = {
    "unknown": "Unknown coupon code “TRYME”.",
    "not_started": "Coupon TRYME is not valid until",
    "expired": "Coupon TRYME expired on",
    "min_spend": "Coupon TRYME needs a spend of ¥500.00 after promotions; spend ¥400.00 more.",
    "used_up": "Coupon TRYME has been used up.",
    "already_used": "You have already used coupon TRYME.",
    "wrong_tier": "Coupon TRYME is not available for your membership tier.",
    "nothing_in_scope": "Nothing in your cart is eligible for coupon TRYME.",
    "not_combinable": "Coupon TRYME can't be combined with the promotion applied to your order.",
}


@pytest.mark.django_db
@pytest.mark.parametrize("reason", REFUSALS)
def test_every_refusal_is_a_coupon_invalid_400_with_its_reason(reason, api, shopper):
    sku = SkuFactory(price=Decimal("100.00"), stock=10)
    _refusal_setup(reason, user=shopper, sku=sku, other_category=CategoryFactory())

    response = api.post("/api/v1/orders/", {"address": ADDRESS, "coupon": "TRYME",
                                            "lines": [{"sku": sku.code, "quantity": 1}]}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "coupon_invalid"
    assert response.json()["detail"].startswith(REFUSALS[reason])
    assert not Order.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("reason", REFUSALS)
def test_every_refusal_shows_its_reason_on_the_cart_page(reason, shopper_client, shopper):
    sku = SkuFactory(price=Decimal("100.00"), stock=10)
    _refusal_setup(reason, user=shopper, sku=sku, other_category=CategoryFactory())
    shopper_client.post("/cart/add/", {"sku": sku.pk, "quantity": 1})

    page = shopper_client.post("/cart/coupon/", {"code": "TRYME"}, follow=True).content.decode()

    error = re.search(r'data-testid="coupon-error"><li>(.*?)</li>', page)
    assert error is not None
    assert error.group(1).replace("&#x27;", "'").startswith(REFUSALS[reason])


# --- In Chromium -------------------------------------------------------------------------------


def _signed_in(page, live_server, user):
    """Give the browser a session for `user` (the sign-in form is accounts' own journey)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_shopper_sees_the_discount_the_hint_the_promotion_and_the_coupon(live_server, page):
    from playwright.sync_api import expect

    audio = CategoryFactory(slug="audio", name="Audio")
    SkuFactory(price=Decimal("100.00"), stock=10,
               product=ProductFactory(category=audio, name="Studio Headphones", slug="studio-headphones"))
    DiscountFactory(name="Audio week", value=Decimal("15.00"), categories=[audio])
    PromotionFactory(name="Spend 200 save 30", threshold=Decimal("200.00"), amount_off=Decimal("30.00"))
    CouponFactory(code="WELCOME10", value=Decimal("10.00"), min_spend=Decimal("100.00"))
    _signed_in(page, live_server, UserFactory())

    # The product page strikes the base price through next to the discounted one.
    page.goto(f"{live_server.url}/p/studio-headphones/")
    expect(page.locator("#sku-price")).to_have_text("¥85.00")
    expect(page.locator("#sku-was")).to_have_text("¥100.00")
    expect(page.locator("#sku-offer")).to_have_text("Audio week −15 %")

    # One in the cart: 115.00 short of the 满减.
    page.locator("#add-to-cart-button").click()
    expect(page).to_have_url(re.compile(r"/cart/$"))
    expect(page.locator(".notice").first).to_contain_text("Spend ¥115.00 more for ¥30.00 off")

    # Three: 255.00 meets 200.00 and 30.00 comes off.
    page.get_by_label("Quantity of Studio Headphones").fill("3")
    page.get_by_role("button", name="Update").click()
    breakdown = page.get_by_test_id("breakdown")
    expect(breakdown).to_contain_text("Spend 200 save 30")
    expect(page.get_by_test_id("total")).to_have_text("¥225.00")

    # WELCOME10 takes 10 % of what is left.
    page.fill("#coupon-code", "welcome10")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("Coupon WELCOME10 (−10 %) applied.")).to_be_visible()
    expect(page.get_by_test_id("total")).to_have_text("¥202.50")

    # A wrong code says why.
    page.fill("#coupon-code", "NOPE")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("coupon-error")).to_have_text("Unknown coupon code “NOPE”.")
    expect(page.get_by_test_id("total")).to_have_text("¥225.00")
