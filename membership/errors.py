"""Membership's domain errors."""

from shop.errors import ShopError


class InvalidSpend(ShopError):
    code = "invalid_spend"
    status = 400
    default_detail = "A spend amount is 0 or more."
