"""Membership's domain errors."""


from django.utils.translation import gettext_lazy as _

from shop.errors import ShopError


class InvalidSpend(ShopError):
    code = "invalid_spend"
    status = 400
    default_detail = _("A spend amount is 0 or more.")
