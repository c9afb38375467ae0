"""The precedence of discounts, member prices, promotions and coupons, in numbers.

Step 1 runs through catalog.pricing.effective_prices with marketing's discount rule and a
test-only member rule (membership's real one is tested in orders' integration tests: a
marketing test may not import membership). Steps 3 and 4 are chained as orders' pipeline does:
the promotion on the discounted subtotal, the coupon on the amount after the promotion.
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.pricing import effective_prices
from catalog.tests.factories import CategoryFactory, ProductFactory, SkuFactory
from marketing.errors import CouponInvalid
from marketing.models import Kind
from marketing.pricing import coupon_evaluate, promotion_for
from marketing.tests.factories import CouponFactory, DiscountFactory, PromotionFactory
from shop.money import money
from shop.pricing import PricedLine, PriceOffer

pytestmark = pytest.mark.django_db



def _member_rule(percent: str):
    """Return a stand-in for membership's member price: `percent` off for any signed-in shopper."""
    def rule(skus, *, user, at):
        if user is None:
            return {}
        return {sku.pk: PriceOffer(price=money(sku.price * (100 - Decimal(percent)) / 100), kind="member",
                                   label="Gold member price") for sku in skus}
    return rule


member_rule = _member_rule("10")
generous_member_rule = _member_rule("20")


@pytest.fixture(autouse=True)
def _rules(settings):
    settings.SHOP_PRICE_RULES = ["marketing.pricing.discount_offers", "marketing.tests.test_precedence.member_rule"]


@dataclass
class Outcome:
    units: dict
    subtotal: Decimal
    promotion: Decimal
    coupon: Decimal | str
    total: Decimal


def checkout(cart, *, user=None, code="", tier_code="") -> Outcome:
    """Run steps 1–4 the way orders' pipeline chains them; `cart` is [(sku, quantity)]."""
    at = timezone.now()
    offers = effective_prices([sku for sku, _ in cart], user=user, at=at)
    lines = [
        PricedLine(sku_id=sku.pk, product_id=sku.product_id, category_id=sku.product.category_id,
                   quantity=qty, unit_price=offers[sku.pk].price, line_total=money(offers[sku.pk].price * qty))
        for sku, qty in cart
    ]
    subtotal = money(sum(line.line_total for line in lines))
    promotion, _ = promotion_for(lines=lines, tier_code=tier_code, at=at)
    taken = promotion.amount if promotion else Decimal("0.00")
    amount = subtotal - taken
    coupon: Decimal | str = Decimal("0.00")
    if code:
        try:
            coupon = coupon_evaluate(code=code, user=user, lines=lines, amount=amount,
                                     promotion_applied=promotion is not None, tier_code=tier_code, at=at).amount
        except CouponInvalid as exc:
            coupon = exc.extra["reason"]
    total = amount - (coupon if isinstance(coupon, Decimal) else 0)
    return Outcome({sku.code: offers[sku.pk].price for sku, _ in cart}, subtotal, taken, coupon, total)


@pytest.fixture
def shop():
    """Headphones 100.00 in a category on 15 % off; a cable 50.00 elsewhere; 满减 200/30."""
    audio = CategoryFactory(slug="audio")
    headphones = SkuFactory(code="HEAD", price=Decimal("100.00"), product=ProductFactory(category=audio))
    cable = SkuFactory(code="CABLE", price=Decimal("50.00"), product=ProductFactory(category=CategoryFactory()))
    DiscountFactory(name="Audio week", categories=[audio], value=Decimal("15.00"))
    PromotionFactory(threshold=Decimal("200.00"), amount_off=Decimal("30.00"))
    return headphones, cable


def test_the_unit_price_is_the_best_of_base_discount_and_member_price(shop):
    headphones, cable = shop

    anonymous = effective_prices([headphones, cable], user=None)
    member = effective_prices([headphones, cable], user=UserFactory())

    # Discount 85.00 beats member 90.00; with no discount the member price 45.00 wins.
    assert (anonymous[headphones.pk].price, anonymous[headphones.pk].kind) == (Decimal("85.00"), "discount")
    assert anonymous[headphones.pk].label == "Audio week −15 %"
    assert (anonymous[cable.pk].price, anonymous[cable.pk].kind) == (Decimal("50.00"), "base")
    assert (member[headphones.pk].price, member[headphones.pk].kind) == (Decimal("85.00"), "discount")
    assert (member[cable.pk].price, member[cable.pk].kind) == (Decimal("45.00"), "member")


def test_a_member_price_below_the_discount_wins(shop, settings):
    headphones, _ = shop
    settings.SHOP_PRICE_RULES = ["marketing.pricing.discount_offers",
                                 "marketing.tests.test_precedence.generous_member_rule"]

    offer = effective_prices([headphones], user=UserFactory())[headphones.pk]  # 85.00 vs 80.00

    assert (offer.price, offer.kind) == (Decimal("80.00"), "member")


def test_the_promotion_counts_the_discounted_subtotal(shop):
    headphones, _ = shop

    # Base 2 × 100.00 = 200.00 would meet 200; discounted 2 × 85.00 = 170.00 does not.
    assert checkout([(headphones, 2)]).promotion == Decimal("0.00")
    three = checkout([(headphones, 3)])
    assert (three.subtotal, three.promotion, three.total) == (Decimal("255.00"), Decimal("30.00"), Decimal("225.00"))


@pytest.mark.parametrize("coupon, cart, expected", [
    # WELCOME10 after the promotion: 10 % of (255.00 − 30.00) = 22.50.
    ({"code": "WELCOME10", "min_spend": Decimal("100.00")}, [("HEAD", 3)],
     ("255.00", "30.00", Decimal("22.50"), "202.50")),
    # Minimum spend after the promotion: subtotal 220.00 meets 200, but 190.00 is left.
    ({"code": "MIN200", "min_spend": Decimal("200.00")}, [("HEAD", 2), ("CABLE", 1)],
     ("220.00", "30.00", "min_spend", "190.00")),
    # Not combinable: refused while the promotion applies …
    ({"code": "SOLO", "combinable_with_promotions": False}, [("HEAD", 3)],
     ("255.00", "30.00", "not_combinable", "225.00")),
    # … and applies without one.
    ({"code": "SOLO", "combinable_with_promotions": False}, [("HEAD", 1)],
     ("85.00", "0.00", Decimal("8.50"), "76.50")),
    # The cap: 50 % of 225.00 would be 112.50; the cap holds it to 40.00.
    ({"code": "HALF", "value": Decimal("50.00"), "max_discount": Decimal("40.00")}, [("HEAD", 3)],
     ("255.00", "30.00", Decimal("40.00"), "185.00")),
    # A fixed coupon bigger than what is left takes what is left, never more.
    ({"code": "HUGE", "kind": Kind.FIXED, "value": Decimal("500.00")}, [("CABLE", 1)],
     ("50.00", "0.00", Decimal("50.00"), "0.00")),
])
def test_the_coupon_applies_after_the_promotion(shop, coupon, cart, expected):
    skus = {sku.code: sku for sku in shop}
    CouponFactory(**coupon)

    outcome = checkout([(skus[code], qty) for code, qty in cart], code=coupon["code"].lower())

    subtotal, promotion, taken, total = expected
    assert (outcome.subtotal, outcome.promotion, outcome.coupon, outcome.total) == (
        Decimal(subtotal), Decimal(promotion), taken, Decimal(total))
