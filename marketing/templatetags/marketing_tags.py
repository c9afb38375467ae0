"""Template tags for marketing snippets other apps' pages include without passing data."""

from django import template
from django.utils import timezone

from marketing.selectors import discounts_running, promotions_running

register = template.Library()

# The home page shows a handful; the rest are one click away on category pages and the cart.
HOME_LIMIT = 6


@register.simple_tag
def marketing_now(limit: int = HOME_LIMIT) -> dict:
    """Return `{"promotions", "discounts"}` running now, at most `limit` of each (five queries)."""
    now = timezone.now()
    return {
        "promotions": list(promotions_running(at=now)[:limit]),
        "discounts": list(discounts_running(at=now)[:limit]),
    }
