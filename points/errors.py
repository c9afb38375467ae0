"""The points ledger's domain errors."""

from shop.errors import ShopError


class InsufficientPoints(ShopError):
    code = "insufficient_points"
    status = 400
    default_detail = "Not enough points."


class PointsOverCap(ShopError):
    code = "points_over_cap"
    status = 400
    default_detail = "More points than this order allows."


class InvalidPoints(ShopError):
    code = "invalid_points"
    status = 400
    default_detail = "Points are whole numbers."


class ReasonRequired(ShopError):
    code = "reason_required"
    status = 400
    default_detail = "A points adjustment needs a reason."
