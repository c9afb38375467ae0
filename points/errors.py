"""The points ledger's domain errors."""


from django.utils.translation import gettext_lazy as _

from shop.errors import ShopError


class InsufficientPoints(ShopError):
    code = "insufficient_points"
    status = 400
    default_detail = _("Not enough points.")


class PointsOverCap(ShopError):
    code = "points_over_cap"
    status = 400
    default_detail = _("More points than this order allows.")


class InvalidPoints(ShopError):
    code = "invalid_points"
    status = 400
    default_detail = _("Points are whole numbers.")


class ReasonRequired(ShopError):
    code = "reason_required"
    status = 400
    default_detail = _("A points adjustment needs a reason.")
