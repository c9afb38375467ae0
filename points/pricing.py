"""The points step of the pricing pipeline (step 6): how many points an order may use."""

from decimal import Decimal


def points_quote(*, user, requested: int, amount: Decimal) -> tuple[int, Decimal]:
    """Return (points, money value) for `requested` points against `amount` (after step 4).

    Rules: 100 points = 1.00 (settings.SHOP_POINTS_PER_UNIT), at most
    settings.SHOP_POINTS_MAX_RATIO of `amount`, whole points only, never more than the
    balance. Raise PointsOverCap (with the maximum) or InsufficientPoints.
    Placeholder until issue #6: using points is refused.
    """
    from points.errors import InsufficientPoints

    if requested <= 0:
        return 0, Decimal("0.00")
    raise InsufficientPoints()
