"""Marketing's domain errors."""


from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shop.errors import ShopError


class CouponInvalid(ShopError):
    code = "coupon_invalid"
    status = 400
    default_detail = _("This coupon cannot be used.")


def coupon_not_claimed(code: str) -> CouponInvalid:
    """Return the refusal of a claimable coupon used by a shopper who holds no unspent claim."""
    return CouponInvalid(gettext("Claim coupon %(code)s in the coupon centre before using it.") % {"code": code},
                         reason="not_claimed")


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


# --- The coupon wallet (领券) ---------------------------------------------------------------


class AlreadyClaimed(ShopError):
    code = "already_claimed"
    status = 409
    default_detail = _("You already hold as many of this coupon as one shopper may claim.")


class ClaimsExhausted(ShopError):
    code = "claims_exhausted"
    status = 409
    default_detail = _("This coupon has all been claimed.")
