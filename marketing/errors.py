"""Marketing's domain errors."""

from shop.errors import ShopError


class CouponInvalid(ShopError):
    code = "coupon_invalid"
    status = 400
    default_detail = "This coupon cannot be used."
