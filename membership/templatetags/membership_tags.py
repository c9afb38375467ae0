"""Template filters for membership pages."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def plain_number(value) -> str:
    """Render a Decimal without trailing zeros: 1.20 → "1.2", 5.00 → "5", 100 → "100"."""
    if value is None or value == "":
        return ""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
