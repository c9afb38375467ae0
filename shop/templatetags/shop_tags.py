"""Template filters every page uses: `money`."""

from django import template

from shop.money import format_money

register = template.Library()


@register.filter
def money(value):
    """Render an amount as `¥1,299.00`; empty for None."""
    if value is None or value == "":
        return ""
    return format_money(value)
