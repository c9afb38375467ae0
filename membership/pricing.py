"""Membership's step of the pricing pipeline: the member price (step 1)."""

from collections.abc import Sequence
from datetime import datetime

from shop.pricing import PriceOffer


def member_offers(skus: Sequence, *, user, at: datetime) -> dict[int, PriceOffer]:
    """Return the member price (base × (1 − tier discount)) per SKU id for a signed-in member.

    Placeholder until issue #5: no member prices.
    """
    return {}
