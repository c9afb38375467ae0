"""Template filters every page uses: `money`, `percent_off`."""

from django import template

from shop.money import format_money
from shop.money import percent_off as _percent_off

register = template.Library()


@register.filter
def money(value):
    """Render an amount as `¥1,299.00`; empty for None."""
    if value is None or value == "":
        return ""
    return format_money(value)


@register.filter
def percent_off(price, was) -> int:
    """`{{ price|percent_off:was }}`: whole percent below `was` (0 if not below or missing)."""
    if price is None or was is None or price == "" or was == "":
        return 0
    return _percent_off(price, was)
