"""Money helpers: Decimal with two places, rounded half-up, once per line and adjustment."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value) -> Decimal:
    """Return `value` as a Decimal rounded half-up to cents; refuse floats."""
    if isinstance(value, float):
        raise TypeError("money never comes from a float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(value) -> str:
    """Return an amount for people: `¥1,299.00`, and a discount as `−¥30.00`."""
    amount = money(value)
    sign = "\u2212" if amount < 0 else ""
    return f"{sign}{settings.SHOP_CURRENCY_SYMBOL}{abs(amount):,.2f}"


def percent_off(price, was) -> int:
    """Return how many whole percent `price` is below `was` (0 when not below), rounded down,
    so a badge never promises more than the shopper saves."""
    price, was = money(price), money(was)
    if was <= 0 or price >= was:
        return 0
    return int((was - price) * 100 // was)
