"""Shapes the pricing pipeline passes between apps (orders/pricing.py runs the pipeline).

They live here because catalog, marketing, membership and orders all speak them and the
layer graph lets none of those import the others' modules in every direction.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from shop.money import ZERO, money


@dataclass(frozen=True)
class PriceOffer:
    """One candidate unit price for a SKU; the pipeline takes the lowest (step 1)."""

    price: Decimal
    kind: str  # "base", "discount", "member"
    label: str  # for people: "Spring sale −10 %", "Gold member price"


@dataclass(frozen=True)
class PricedLine:
    """A cart line after step 1, as the promotion and coupon steps see it."""

    sku_id: int
    product_id: int
    category_id: int
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    is_flash: bool = False


@dataclass(frozen=True)
class Reduction:
    """An amount a promotion or coupon takes off (positive here; stored negative)."""

    amount: Decimal
    label: str
    source_id: int | None = None
    code: str = ""


@dataclass(frozen=True)
class PromotionHint:
    """The nearest promotion not yet met: "spend ¥23.00 more for ¥30.00 off"."""

    missing: Decimal
    amount_off: Decimal
    label: str


@dataclass(frozen=True)
class MemberBenefits:
    """What the shopper's tier gives at checkout (membership.selectors.benefits_for)."""

    tier_code: str
    tier_name: str
    discount_percent: Decimal
    points_multiplier: Decimal
    free_shipping: bool


NO_BENEFITS = MemberBenefits(
    tier_code="", tier_name="", discount_percent=Decimal("0"),
    points_multiplier=Decimal("1"), free_shipping=False,
)


def without_flash(amount: Decimal, lines: Iterable) -> Decimal:
    """Return `amount` less the flash-sale lines' totals, never below 0.00.

    Flash lines take part in no step but shipping, so the coupon (step 4) and points
    (step 6) work on what is left. `lines` are PricedLine or QuoteLine rows.
    """
    flash_total = sum((line.line_total for line in lines if line.is_flash), ZERO)
    return max(money(amount) - flash_total, ZERO)
