"""Membership's step of the pricing pipeline: the member price (step 1).

Plugged into the catalogue's effective price through settings.SHOP_PRICE_RULES; orders'
pipeline takes the lowest of base, discount and member price.
"""

from collections.abc import Sequence
from datetime import datetime

from membership.selectors import benefits_for
from shop.money import money
from shop.pricing import PriceOffer


def member_offers(skus: Sequence, *, user, at: datetime) -> dict[int, PriceOffer]:
    """Return the member price (base × (1 − tier discount)) per SKU id for a signed-in member.

    Works on any objects with `.pk` and `.price`. Anonymous visitors and tiers without a
    discount get no offer. One or two queries for a whole page: the benefits are read once.
    """
    if not skus or user is None or not getattr(user, "is_authenticated", False):
        return {}
    benefits = benefits_for(user)
    if benefits.discount_percent <= 0:
        return {}
    factor = 1 - benefits.discount_percent / 100
    label = f"{benefits.tier_name} member price"
    # Rounded half-up once per unit price (shop.money), as every other step of the pipeline.
    return {
        sku.pk: PriceOffer(price=money(sku.price * factor), kind="member", label=label)
        for sku in skus
    }


def price_audience(user) -> str:
    """Return what a signed-in shopper's prices depend on here: the tier and its discount.

    Part of the shop pages' cache keys: a tier change, or staff changing a tier's discount,
    changes the key, so no cached page shows a member an old member price. One query.
    """
    benefits = benefits_for(user)
    return f"tier:{benefits.tier_code}:{benefits.tier_name}:{benefits.discount_percent}"
