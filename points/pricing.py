"""The points step of the pricing pipeline (step 6): how many points an order may use."""

from decimal import ROUND_FLOOR, Decimal

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from points.errors import InsufficientPoints, PointsOverCap
from points.selectors import balance_for
from points.services import whole_points
from shop.money import ZERO, format_money, money


def points_value(points: int) -> Decimal:
    """Return what `points` are worth in money (100 points = 1.00), rounded to cents."""
    return money(Decimal(points) / settings.SHOP_POINTS_PER_UNIT)


def points_number(points: int) -> str:
    """Return points for people, grouped by thousands in either language (`2,779`)."""
    return number_format(points, force_grouping=True)


def points_cap(amount: Decimal) -> int:
    """Return the most points an order of `amount` (after step 4, no shipping) may use.

    At most settings.SHOP_POINTS_MAX_RATIO of the amount, whole points, and never so many
    that their value, rounded to cents, is worth more than that share.
    """
    limit = Decimal(amount) * settings.SHOP_POINTS_MAX_RATIO
    if limit <= 0:
        return 0
    cap = int((limit * settings.SHOP_POINTS_PER_UNIT).to_integral_value(rounding=ROUND_FLOOR))
    while cap > 0 and points_value(cap) > limit:
        cap -= 1
    return cap


def points_quote(*, user, requested: int, amount: Decimal) -> tuple[int, Decimal]:
    """Return (points, money value) for `requested` points against `amount` (after step 4).

    Rules: 100 points = 1.00 (settings.SHOP_POINTS_PER_UNIT), at most
    settings.SHOP_POINTS_MAX_RATIO of `amount`, whole points only, never more than the
    balance. Raise PointsOverCap (with `max_points`) or InsufficientPoints; the cap is
    checked first because it is the order's rule, whatever the balance.
    """
    requested = whole_points(requested)
    if requested <= 0:
        return 0, ZERO
    cap = points_cap(amount)
    if requested > cap:
        raise PointsOverCap(
            _("This order allows up to %(cap)s points (worth %(value)s, %(ratio)s of %(amount)s before shipping).")
            % {"cap": points_number(cap), "value": format_money(points_value(cap)),
               "ratio": f"{settings.SHOP_POINTS_MAX_RATIO:.0%}", "amount": format_money(amount)},
            max_points=cap,
        )
    balance = balance_for(user)
    if requested > balance:
        raise InsufficientPoints(_("You have %(balance)s points; this needs %(requested)s.") % {
            "balance": points_number(balance), "requested": points_number(requested)})
    return requested, points_value(requested)


def points_available(*, user, amount: Decimal) -> tuple[int, Decimal]:
    """Return the most points `user` can use on an order of `amount`, and what they save.

    For the checkout's "use up to N points (saves ¥x)": the lower of the cap and the balance.
    """
    points = min(points_cap(amount), balance_for(user))
    return points, points_value(points)


def points_help(*, user, amount: Decimal) -> str:
    """Return the line under the checkout's points field: the balance, then what this order
    allows and what that is worth. Said so a balance below the cap reads as "use them all",
    never as a cap the shopper cannot reach."""
    balance, cap = balance_for(user), points_cap(amount)
    if balance <= 0:
        return _("You have no points to use on this order.")
    values = {"balance": points_number(balance), "cap": points_number(cap)}
    if cap <= 0:
        return _("You have %(balance)s points; this order cannot use points.") % values
    if balance <= cap:
        return _("You have %(balance)s points; this order allows up to %(cap)s, so you can use "
                 "them all (worth %(value)s).") % {**values, "value": format_money(points_value(balance))}
    return _("You have %(balance)s points; this order allows up to %(cap)s (worth %(value)s).") % {
        **values, "value": format_money(points_value(cap))}
