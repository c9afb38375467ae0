"""Marketing's domain errors."""


from django.utils.translation import gettext_lazy as _

from shop.errors import ShopError


class CouponInvalid(ShopError):
    code = "coupon_invalid"
    status = 400
    default_detail = _("This coupon cannot be used.")


# --- Flash sales (marketing/flash/) ---------------------------------------------------------


class SoldOut(ShopError):
    code = "sold_out"
    status = 409
    default_detail = _("This flash sale is sold out.")


class LimitReached(ShopError):
    code = "limit_reached"
    status = 409
    default_detail = _("You have already bought as many as this flash sale allows per customer.")


class NotActive(ShopError):
    code = "not_active"
    status = 400
    default_detail = _("This flash sale is not running.")
