"""Template helpers of the catalogue pages: stars for a rating."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


@register.filter
def stars(rating) -> str:
    """Return a rating (1-5, may be fractional) as five stars, rounded to whole ones: ★★★★☆."""
    if rating in (None, ""):
        return ""
    whole = int(Decimal(str(rating)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    whole = max(0, min(5, whole))
    return "★" * whole + "☆" * (5 - whole)
