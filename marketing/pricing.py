"""Marketing's steps of the pricing pipeline: discounts (1), promotions (3), coupons (4).

Called by catalog.pricing (through settings.SHOP_PRICE_RULES) and orders/pricing.py.
Each works on a whole cart or listing page in a fixed number of queries.
"""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from shop.pricing import PriceOffer, PricedLine, PromotionHint, Reduction


def discount_offers(skus: Sequence, *, user, at: datetime) -> dict[int, PriceOffer]:
    """Return the best active time-limited discount price per SKU id (step 1).

    Placeholder until issue #7: no discounts.
    """
    return {}


def promotion_for(
    *, lines: Sequence[PricedLine], tier_code: str, at: datetime
) -> tuple[Reduction | None, PromotionHint | None]:
    """Return the best threshold promotion the eligible subtotal meets, and the next one (step 3).

    Flash lines are not eligible. Placeholder until issue #7: none.
    """
    return None, None


def coupon_evaluate(
    *, code: str, user, lines: Sequence[PricedLine], amount: Decimal,
    promotion_applied: bool, tier_code: str, at: datetime,
) -> Reduction:
    """Return what coupon `code` takes off `amount` (after step 3), or raise CouponInvalid why not.

    Placeholder until issue #7: every code is unknown.
    """
    from marketing.errors import CouponInvalid

    raise CouponInvalid(f"Unknown coupon code “{code}”.")
