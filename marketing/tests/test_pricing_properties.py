"""Random carts × discounts × promotions × coupons × tiers (marketing's part).

Steps 1, 3 and 4 chained as orders' pipeline chains them never produce a negative unit price,
an adjustment larger than what it applies to, or a negative total, and the breakdown
reconciles. (orders/tests/test_marketing_integration.py runs the same through quote_build.)
"""

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.tests.factories import CategoryFactory, ProductFactory, SkuFactory
from marketing.errors import CouponInvalid
from marketing.models import Kind
from marketing.pricing import coupon_evaluate, discount_offers, promotion_for
from marketing.tests.factories import CouponFactory, DiscountFactory, PromotionFactory
from shop.money import ZERO, money
from shop.pricing import PricedLine

TIERS = ["", "silver", "gold"]
cents = st.integers(min_value=1, max_value=300_000).map(lambda n: Decimal(n) / 100)
percent = st.integers(min_value=1, max_value=10_000).map(lambda n: Decimal(n) / 100)
category_index = st.integers(min_value=0, max_value=2)  # root, its child, another root


@st.composite
def cut(draw):
    kind = draw(st.sampled_from([Kind.PERCENT, Kind.FIXED]))
    return kind, draw(percent if kind == Kind.PERCENT else cents)


cart_lines = st.lists(
    st.fixed_dictionaries({"price": cents, "quantity": st.integers(1, 5), "category": category_index,
                           "flash": st.booleans()}),
    min_size=1, max_size=6,
)
discounts = st.lists(
    st.tuples(cut(), st.one_of(st.tuples(st.just("product"), st.integers(0, 5)),
                               st.tuples(st.just("category"), category_index))),
    max_size=3,
)
promotions = st.lists(
    st.tuples(cents, st.floats(min_value=0.01, max_value=1.0), st.one_of(st.none(), category_index),
              st.lists(st.sampled_from(TIERS[1:]), unique=True)),
    max_size=3,
)
coupons = st.one_of(st.none(), st.fixed_dictionaries({
    "cut": cut(), "max_discount": st.one_of(st.none(), cents), "min_spend": st.one_of(st.just(ZERO), cents),
    "scope": st.one_of(st.none(), category_index), "tiers": st.lists(st.sampled_from(TIERS[1:]), unique=True),
    "combinable": st.booleans(),
}))


def build(cart, discount_specs, promotion_specs, coupon_spec):
    root = CategoryFactory()
    categories = [root, CategoryFactory(parent=root), CategoryFactory()]
    skus = [SkuFactory(price=line["price"], product=ProductFactory(category=categories[line["category"]]))
            for line in cart]
    for (kind, value), (target, index) in discount_specs:
        if target == "product":
            DiscountFactory(kind=kind, value=value, products=[skus[index % len(skus)].product])
        else:
            DiscountFactory(kind=kind, value=value, categories=[categories[index]])
    for threshold, share, scope, tiers in promotion_specs:
        # amount_off ≤ threshold is a rule of the model; `share` picks a point in between.
        amount_off = max(money(threshold * Decimal(str(share))), Decimal("0.01"))
        PromotionFactory(threshold=threshold, amount_off=amount_off, tiers=tiers,
                         categories=[categories[scope]] if scope is not None else [])
    if coupon_spec:
        kind, value = coupon_spec["cut"]
        CouponFactory(code="PROP", kind=kind, value=value, max_discount=coupon_spec["max_discount"],
                      min_spend=coupon_spec["min_spend"], tiers=coupon_spec["tiers"],
                      combinable_with_promotions=coupon_spec["combinable"],
                      categories=[categories[coupon_spec["scope"]]] if coupon_spec["scope"] is not None else [])
    return skus


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(cart=cart_lines, discount_specs=discounts, promotion_specs=promotions, coupon_spec=coupons,
       tier_code=st.sampled_from(TIERS))
def test_no_mix_of_rules_gives_a_negative_or_unreconciled_total(
    cart, discount_specs, promotion_specs, coupon_spec, tier_code
):
    with transaction.atomic():
        skus = build(cart, discount_specs, promotion_specs, coupon_spec)
        at = timezone.now()
        offers = discount_offers(skus, user=None, at=at)

        lines = []
        for spec, sku in zip(cart, skus, strict=True):
            base = money(sku.price)
            # A flash line keeps its own price (here: half the base) and takes no discount.
            unit = money(base / 2) if spec["flash"] else min(base, offers[sku.pk].price if sku.pk in offers else base)
            assert ZERO <= unit <= base
            lines.append(PricedLine(sku_id=sku.pk, product_id=sku.product_id, category_id=sku.product.category_id,
                                    quantity=spec["quantity"], unit_price=unit,
                                    line_total=money(unit * spec["quantity"]), is_flash=spec["flash"]))
        subtotal = money(sum(line.line_total for line in lines))
        regular = money(sum(line.line_total for line in lines if not line.is_flash))

        promotion, hint = promotion_for(lines=lines, tier_code=tier_code, at=at)
        taken = promotion.amount if promotion else ZERO
        assert ZERO <= taken <= regular
        if hint is not None:
            assert hint.missing > 0 and hint.amount_off > taken
        amount = subtotal - taken

        coupon_amount = ZERO
        if coupon_spec:
            try:
                coupon = coupon_evaluate(code="prop", user=None, lines=lines, amount=amount,
                                         promotion_applied=promotion is not None, tier_code=tier_code, at=at)
            except CouponInvalid as refusal:
                assert refusal.extra["reason"] in {"wrong_tier", "not_combinable", "nothing_in_scope", "min_spend"}
            else:
                coupon_amount = coupon.amount
                assert ZERO <= coupon_amount <= regular - taken
                if coupon_spec["max_discount"] is not None and coupon_spec["cut"][0] == Kind.PERCENT:
                    assert coupon_amount <= coupon_spec["max_discount"]
        total = amount - coupon_amount

        assert total >= ZERO
        assert subtotal - taken - coupon_amount == total
        assert total >= subtotal - regular  # flash lines are never reduced
        transaction.set_rollback(True)
