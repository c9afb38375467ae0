"""The pricing pipeline: its invariant over random carts and rules, and each step's rule."""

from decimal import Decimal
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from catalog.models import Product, Sku
from marketing.errors import CouponInvalid
from orders import pricing
from orders.pricing import Item, quote_build
from points.errors import PointsOverCap
from shop.pricing import MemberBenefits, PriceOffer, PromotionHint, Reduction

CENTS = st.integers(min_value=1, max_value=500_000).map(lambda c: Decimal(c) / 100)


def _sku(pk: int, price: Decimal) -> Sku:
    """An unsaved SKU with its product: the pipeline only reads attributes."""
    product = Product(id=pk, category_id=pk % 3 + 1, name=f"Product {pk}")
    return Sku(pk=pk, code=f"SKU-{pk}", price=price, product=product, attributes={"size": "M"})


def _benefits(free_shipping: bool) -> MemberBenefits:
    return MemberBenefits(tier_code="gold" if free_shipping else "", tier_name="",
                          discount_percent=Decimal("0"), points_multiplier=Decimal("1"),
                          free_shipping=free_shipping)


cart_lines = st.lists(
    st.tuples(CENTS, st.integers(min_value=1, max_value=99),
              st.one_of(st.none(), st.decimals(min_value=0, max_value=1, places=3))),
    min_size=1, max_size=8,
)


@hyp_settings(max_examples=150, deadline=None)
@given(
    lines=cart_lines,
    promotion=st.one_of(st.none(), CENTS),
    coupon=st.one_of(st.none(), CENTS),
    points_ratio=st.one_of(st.none(), st.decimals(min_value=0, max_value=1, places=2)),
    flash_first=st.booleans(),
    free_shipping=st.booleans(),
)
def test_every_quote_adds_up_to_its_total_with_two_decimal_places(
    lines, promotion, coupon, points_ratio, flash_first, free_shipping
):
    items, offers = [], {}
    for pk, (price, quantity, discount) in enumerate(lines, start=1):
        sku = _sku(pk, price)
        flash = flash_first and pk == 1
        items.append(Item(sku=sku, quantity=quantity,
                          flash_price=(price / 3) if flash else None, flash_sale_id=7 if flash else None))
        if discount is not None:  # a rule offering price × (1 − discount), unrounded
            offers[pk] = PriceOffer(price=price * (1 - discount), kind="discount", label="Sale")

    def points_quote(*, user, requested, amount):
        value = (amount * points_ratio).quantize(Decimal("0.01"))
        return int(value * 100), value

    with mock.patch.object(pricing.catalog_pricing, "effective_prices", return_value=offers), \
         mock.patch.object(pricing.marketing_pricing, "promotion_for", return_value=(
             Reduction(amount=promotion, label="Promo") if promotion else None, None)), \
         mock.patch.object(pricing.marketing_pricing, "coupon_evaluate",
                           return_value=Reduction(amount=coupon or Decimal("0"), label="Coupon")), \
         mock.patch.object(pricing.points_pricing, "points_quote", side_effect=points_quote), \
         mock.patch.object(pricing, "benefits_for", return_value=_benefits(free_shipping)):
        quote = quote_build(user=None, items=items, coupon_code="C" if coupon else "",
                            points=1 if points_ratio is not None else 0)

    assert quote.subtotal + sum(a.amount for a in quote.adjustments) + quote.shipping == quote.total
    assert quote.total >= 0
    assert quote.subtotal == sum(line.line_total for line in quote.lines)
    amounts = [quote.subtotal, quote.shipping, quote.total]
    amounts += [a.amount for a in quote.adjustments]
    amounts += [v for line in quote.lines for v in (line.unit_price, line.line_total)]
    assert all(amount.as_tuple().exponent == -2 for amount in amounts)
    assert all(a.amount <= 0 for a in quote.adjustments)
    assert all(line.unit_price <= line.base_price or line.is_flash for line in quote.lines)


def _quote(items, promotion_for=lambda **kw: (None, None), **kwargs):
    """Quote with no rules but the ones a test passes (no database)."""
    with mock.patch.object(pricing.catalog_pricing, "effective_prices", return_value={}), \
         mock.patch.object(pricing.marketing_pricing, "promotion_for", side_effect=promotion_for), \
         mock.patch.object(pricing, "benefits_for", return_value=_benefits(False)):
        return quote_build(user=None, items=items, **kwargs)


def test_shipping_is_charged_below_the_threshold_and_free_at_it(settings):
    settings.SHOP_SHIPPING_FEE = Decimal("10.00")
    settings.SHOP_FREE_SHIPPING_THRESHOLD = Decimal("99.00")
    assert _quote([Item(sku=_sku(1, Decimal("98.99")), quantity=1)]).shipping == Decimal("10.00")
    assert _quote([Item(sku=_sku(1, Decimal("99.00")), quantity=1)]).shipping == Decimal("0.00")


def test_the_threshold_is_checked_after_the_promotion_not_before(settings):
    settings.SHOP_FREE_SHIPPING_THRESHOLD = Decimal("99.00")
    quote = _quote([Item(sku=_sku(1, Decimal("100.00")), quantity=1)],
                   promotion_for=lambda **kw: (Reduction(amount=Decimal("5.00"), label="−5"), None))
    assert quote.shipping == Decimal("10.00")
    assert quote.total == Decimal("105.00")


def test_a_flash_line_keeps_its_price_and_is_marked_for_the_promotion_step():
    seen = {}

    def promotion_for(*, lines, tier_code, at):
        seen["lines"] = lines
        return None, PromotionHint(missing=Decimal("1.00"), amount_off=Decimal("5.00"), label="x")

    sale = Item(sku=_sku(1, Decimal("100.00")), quantity=1, flash_price=Decimal("9.90"),
                flash_sale_id=3)
    quote = _quote([sale, Item(sku=_sku(2, Decimal("20.00")), quantity=1)],
                   promotion_for=promotion_for)
    assert quote.lines[0].unit_price == Decimal("9.90")
    assert quote.lines[0].price_label == "Flash sale"
    assert [line.is_flash for line in seen["lines"]] == [True, False]
    assert quote.promotion_hint.amount_off == Decimal("5.00")


def test_a_refused_coupon_raises_when_strict_and_is_explained_when_not():
    item = Item(sku=_sku(1, Decimal("50.00")), quantity=1)
    with mock.patch.object(pricing.marketing_pricing, "coupon_evaluate",
                           side_effect=CouponInvalid("Expired.")):
        with pytest.raises(CouponInvalid):
            _quote([item], coupon_code="OLD")
        quote = _quote([item], coupon_code="OLD", strict=False)
    assert quote.coupon_error == "Expired."
    assert quote.adjustments == ()


def test_points_over_the_cap_are_refused_with_the_reason_when_not_strict():
    item = Item(sku=_sku(1, Decimal("50.00")), quantity=1)
    with mock.patch.object(pricing.points_pricing, "points_quote",
                           side_effect=PointsOverCap("At most 2500 points.")):
        quote = _quote([item], points=9999, strict=False)
    assert quote.points_error == "At most 2500 points."
    assert quote.points_redeemed == 0


def test_member_and_discount_prices_show_in_the_unit_price_not_as_adjustments():
    offers = {1: PriceOffer(price=Decimal("89.995"), kind="member", label="Gold member price")}
    with mock.patch.object(pricing.catalog_pricing, "effective_prices", return_value=offers), \
         mock.patch.object(pricing.marketing_pricing, "promotion_for", return_value=(None, None)), \
         mock.patch.object(pricing, "benefits_for", return_value=_benefits(False)):
        quote = quote_build(user=None, items=[Item(sku=_sku(1, Decimal("99.99")), quantity=3)])
    line = quote.lines[0]
    assert (line.base_price, line.unit_price, line.price_label) == (
        Decimal("99.99"), Decimal("90.00"), "Gold member price")
    assert line.line_total == Decimal("270.00")
    assert quote.adjustments == ()
