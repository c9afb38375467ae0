"""The pricing pipeline: one function from cart items to an immutable Quote.

The cart page, the checkout page, the cart API and order placement all call `quote_build`,
so what a shopper is shown is what they are charged. The steps run in this order (docs/pricing.md),
each a small function below; the other apps fill their steps through the calls named here:

1. unit price      catalog.pricing.effective_prices (discounts and member prices through
                   settings.SHOP_PRICE_RULES); flash lines take their fixed flash price,
                   or the base price if that is lower
2. subtotal        Σ line totals
3. promotion       marketing.pricing.promotion_for
4. coupon          marketing.pricing.coupon_evaluate (and, for the suggestion, the same
                   checks over the shopper's wallet: marketing.pricing.coupons_held_evaluate)
5. shipping        flat fee; free at or above the threshold, or for tiers with free shipping
6. points          points.pricing.points_quote
7. total           never negative

Discounts and member prices change the unit price (and its `price_label`), not the
adjustments: a line shows "¥89.00 (Gold member price), was ¥99.00". Adjustments are the
order-level steps only (kinds `promotion`, `coupon`, `points`, amounts negative);
shipping is its own field. Hence: subtotal + Σ adjustments + shipping = total.

Rounding: half-up to cents once per line (unit price × quantity of rounded unit prices is
exact) and once per adjustment, through shop.money.money.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from catalog import pricing as catalog_pricing
from marketing import pricing as marketing_pricing
from marketing.errors import CouponInvalid
from membership.selectors import benefits_for, benefits_remembered
from points import pricing as points_pricing
from shop.errors import ShopError
from shop.money import ZERO, money
from shop.pricing import MemberBenefits, PricedLine, PromotionHint, Reduction, without_flash


@dataclass(frozen=True)
class Item:
    """What is being priced: a SKU (with its product loaded) and how many.

    A flash-sale line carries its fixed `flash_price` and the sale's id: it takes that price
    and no discount, promotion, coupon or points, only shipping.
    """

    sku: object  # catalog.models.Sku
    quantity: int
    flash_price: Decimal | None = None
    flash_sale_id: int | None = None

    @property
    def is_flash(self) -> bool:
        return self.flash_price is not None


@dataclass(frozen=True)
class QuoteLine:
    sku_id: int
    sku_code: str
    product_id: int
    category_id: int
    name: str
    attributes: dict
    quantity: int
    base_price: Decimal
    unit_price: Decimal
    price_label: str
    line_total: Decimal
    is_flash: bool = False
    flash_sale_id: int | None = None


@dataclass(frozen=True)
class Adjustment:
    kind: str  # "promotion", "coupon", "points" (OrderAdjustment.Kind)
    label: str
    amount: Decimal  # negative
    source_id: int | None = None


@dataclass(frozen=True)
class Quote:
    lines: tuple[QuoteLine, ...]
    subtotal: Decimal
    adjustments: tuple[Adjustment, ...]
    shipping: Decimal
    points_redeemed: int
    total: Decimal
    currency: str
    promotion_hint: PromotionHint | None = None
    coupon: Reduction | None = None  # the applied coupon (its source_id is the coupon's id)
    coupon_error: str = ""  # why the code was refused (strict=False only)
    coupon_reason: str = ""  # the refusal's machine-readable reason, e.g. "min_spend"
    points_error: str = ""  # why the points were refused (strict=False only)
    points_base: Decimal = ZERO  # the amount points may pay part of (after step 4, no flash lines)
    # The coupon of the shopper's wallet that takes most off this cart (suggest=True only):
    # `code`, and `amount` = what step 4 would take off with it.
    suggested_coupon: Reduction | None = None
    benefits: MemberBenefits | None = field(default=None, compare=False)

    @property
    def gross(self) -> Decimal:
        """Return Σ base price × quantity: the amount before any price reduction."""
        return money(sum((line.base_price * line.quantity for line in self.lines), ZERO))

    def adjustment_total(self, kind: str) -> Decimal:
        """Return what adjustments of `kind` took off, as a positive amount."""
        return -sum((a.amount for a in self.adjustments if a.kind == kind), ZERO)


@benefits_remembered()  # member prices, the promotion scope and shipping read one tier
def quote_build(
    *, user, items: Sequence[Item], coupon_code: str = "", points: int = 0,
    at: datetime | None = None, strict: bool = True, suggest: bool = False,
) -> Quote:
    """Return the priced quote for `items`, running the pipeline steps in order.

    With strict=True a refused coupon or points request raises (CouponInvalid,
    PointsOverCap, InsufficientPoints); with strict=False the quote is built without it and
    says why in `coupon_error` / `points_error`, for pages that show the reason. With
    suggest=True the quote also names the wallet coupon that would take most off
    (`suggested_coupon`), judged at step 4 like a typed code.
    """
    at = at or timezone.now()
    benefits = benefits_for(user)
    lines = unit_prices(items, user=user, at=at)
    subtotal = subtotal_of(lines)
    priced = [_priced(line) for line in lines]
    adjustments: list[Adjustment] = []

    promotion, hint = promotion_step(priced, tier_code=benefits.tier_code, at=at)
    amount = _take(adjustments, "promotion", promotion, subtotal)
    coupon, coupon_error, coupon_reason = _coupon_or_reason(
        code=coupon_code.strip(), user=user, lines=priced, amount=amount,
        promotion_applied=promotion is not None, tier_code=benefits.tier_code, at=at,
        strict=strict,
    )
    suggested = coupon_suggest_step(
        user=user, lines=priced, amount=amount, promotion_applied=promotion is not None,
        tier_code=benefits.tier_code, at=at,
    ) if suggest else None
    amount = _take(adjustments, "coupon", coupon, amount)
    shipping = shipping_step(amount=amount, lines=lines, benefits=benefits)
    # Points do not pay for flash lines: they take part in no step but shipping.
    points_base = without_flash(amount, lines)
    points_used, points_value, points_error = _points_or_reason(
        user=user, requested=points, amount=points_base, strict=strict,
    )
    if points_used:
        # In the request's language: the order keeps the label it was placed with.
        reduction = Reduction(amount=points_value, label=gettext("%(points)s points used") % {
            "points": points_pricing.points_number(points_used)})
        amount = _take(adjustments, "points", reduction, amount)

    return Quote(
        lines=tuple(lines), subtotal=subtotal, adjustments=tuple(adjustments),
        shipping=shipping, points_redeemed=points_used, total=total_step(amount, shipping),
        currency=settings.SHOP_CURRENCY, promotion_hint=hint, coupon=coupon,
        coupon_error=coupon_error, coupon_reason=coupon_reason, points_error=points_error,
        points_base=points_base, suggested_coupon=suggested, benefits=benefits,
    )


def quote_prefilled(*, user, items: Sequence[Item], coupon_code: str = "", points: int = 0) -> Quote:
    """Return a page's non-strict quote with `coupon_code`, or else with the best wallet coupon.

    The checkout fills in the coupon a shopper holds that takes most off their cart, so a
    claimed coupon is used without typing it; `quote.coupon` says which one was applied.
    """
    quote = quote_build(user=user, items=items, coupon_code=coupon_code, points=points,
                        strict=False, suggest=True)
    if coupon_code.strip() or quote.suggested_coupon is None:
        return quote
    return quote_build(user=user, items=items, coupon_code=quote.suggested_coupon.code,
                       points=points, strict=False, suggest=True)


# --- The steps, in order -----------------------------------------------------------------


def unit_prices(items: Sequence[Item], *, user, at: datetime) -> list[QuoteLine]:
    """Step 1: price each line at the lowest of its offers (flash lines at min(flash, base))."""
    regular = [item.sku for item in items if not item.is_flash]
    offers = catalog_pricing.effective_prices(regular, user=user, at=at) if regular else {}
    lines = []
    for item in items:
        sku = item.sku
        base = money(sku.price)
        if item.is_flash:
            # The shopper never pays more than the shop price, even if it fell below the
            # sale's fixed price after the sale was set up.
            unit, label = min(money(item.flash_price), base), "Flash sale"
        else:
            offer = offers.get(sku.pk)
            if offer is not None and money(offer.price) < base:
                unit, label = money(offer.price), offer.label
            else:
                unit, label = base, ""
        lines.append(QuoteLine(
            sku_id=sku.pk, sku_code=sku.code, product_id=sku.product_id,
            category_id=sku.product.category_id, name=sku.product.name,
            attributes=dict(sku.attributes or {}), quantity=item.quantity, base_price=base,
            unit_price=unit, price_label=label, line_total=money(unit * item.quantity),
            is_flash=item.is_flash, flash_sale_id=item.flash_sale_id,
        ))
    return lines


def subtotal_of(lines: Sequence[QuoteLine]) -> Decimal:
    """Step 2: Σ line totals."""
    return money(sum((line.line_total for line in lines), ZERO))


def promotion_step(
    lines: Sequence[PricedLine], *, tier_code: str, at: datetime
) -> tuple[Reduction | None, PromotionHint | None]:
    """Step 3: the single best threshold promotion met, and the next one for the hint."""
    if not lines:
        return None, None
    return marketing_pricing.promotion_for(lines=lines, tier_code=tier_code, at=at)


def coupon_step(
    *, code: str, user, lines: Sequence[PricedLine], amount: Decimal,
    promotion_applied: bool, tier_code: str, at: datetime,
) -> Reduction:
    """Step 4: what the coupon takes off the amount after step 3 (or CouponInvalid)."""
    return marketing_pricing.coupon_evaluate(
        code=code, user=user, lines=lines, amount=amount,
        promotion_applied=promotion_applied, tier_code=tier_code, at=at,
    )


def coupon_suggest_step(
    *, user, lines: Sequence[PricedLine], amount: Decimal, promotion_applied: bool,
    tier_code: str, at: datetime,
) -> Reduction | None:
    """Step 4 for every coupon in the shopper's wallet: the one that takes most off `amount`.

    Each candidate is capped exactly as an applied coupon is (`_reduce`), so the saving shown
    is the adjustment the order would get. Ties go to the coupon ending first. A fixed
    number of queries, however many coupons the shopper holds.
    """
    best: Reduction | None = None
    for reduction in marketing_pricing.coupons_held_evaluate(
        user=user, lines=lines, amount=amount, promotion_applied=promotion_applied,
        tier_code=tier_code, at=at,
    ):
        saving = -_reduce("coupon", reduction, amount).amount
        if saving > 0 and (best is None or saving > best.amount):
            best = Reduction(amount=saving, label=reduction.label, source_id=reduction.source_id,
                             code=reduction.code)
    return best


def shipping_step(*, amount: Decimal, lines: Sequence[QuoteLine], benefits: MemberBenefits) -> Decimal:
    """Step 5: the flat fee, free for an empty cart, free-shipping tiers, or at the threshold.

    The threshold is compared with the amount after the promotion and coupon (steps 3–4)
    and before points: points are a way to pay, not a reduction of what is bought.
    """
    if not lines or benefits.free_shipping:
        return ZERO
    if amount >= settings.SHOP_FREE_SHIPPING_THRESHOLD:
        return ZERO
    return money(settings.SHOP_SHIPPING_FEE)


def points_step(*, user, requested: int, amount: Decimal) -> tuple[int, Decimal]:
    """Step 6: how many of the requested points the order may use and what they are worth."""
    return points_pricing.points_quote(user=user, requested=requested, amount=amount)


def total_step(amount: Decimal, shipping: Decimal) -> Decimal:
    """Step 7: the amount after every reduction plus shipping, never negative."""
    return max(money(amount + shipping), ZERO)


# --- Helpers ------------------------------------------------------------------------------


def _priced(line: QuoteLine) -> PricedLine:
    return PricedLine(
        sku_id=line.sku_id, product_id=line.product_id, category_id=line.category_id,
        quantity=line.quantity, unit_price=line.unit_price, line_total=line.line_total,
        is_flash=line.is_flash,
    )


def _take(adjustments: list[Adjustment], kind: str, reduction: Reduction | None,
          amount: Decimal) -> Decimal:
    """Append the adjustment for `reduction` (if any); return the amount after it."""
    if reduction is None:
        return amount
    adjustments.append(_reduce(kind, reduction, amount))
    return amount + adjustments[-1].amount


def _coupon_or_reason(
    *, code: str, user, lines: Sequence[PricedLine], amount: Decimal, promotion_applied: bool,
    tier_code: str, at: datetime, strict: bool,
) -> tuple[Reduction | None, str, str]:
    """Run step 4 for `code`; return (coupon or None, why it was refused, the reason code).

    A refusal raises CouponInvalid when `strict`; otherwise it is returned for the page.
    """
    if not code:
        return None, "", ""
    try:
        return coupon_step(code=code, user=user, lines=lines, amount=amount,
                           promotion_applied=promotion_applied, tier_code=tier_code, at=at), "", ""
    except CouponInvalid as exc:
        if strict:
            raise
        return None, exc.detail, exc.extra.get("reason", "")


def _points_or_reason(
    *, user, requested: int, amount: Decimal, strict: bool
) -> tuple[int, Decimal, str]:
    """Run step 6; return (points used, their value, why they were refused).

    A refusal raises when `strict`; otherwise it is returned for the page.
    """
    if not requested:
        return 0, ZERO, ""
    try:
        used, value = points_step(user=user, requested=requested, amount=amount)
    except ShopError as exc:
        if strict:
            raise
        return 0, ZERO, exc.detail
    return used, value, ""


def _reduce(kind: str, reduction: Reduction, amount: Decimal) -> Adjustment:
    """Return the adjustment for `reduction`, rounded once and never more than `amount`.

    Capping here keeps the running amount, and so the total, from going below zero
    whatever a rule returns.
    """
    taken = max(min(money(reduction.amount), amount), ZERO)
    return Adjustment(kind=kind, label=reduction.label, amount=ZERO - taken,
                      source_id=reduction.source_id)
