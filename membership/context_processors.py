"""Header data for every page: the signed-in member's tier name for the header badge.

One of the shopper's cached header figures (shop/shopper.py), moved on by membership's
evaluation and by staff changing a tier.
"""

from django.utils.functional import SimpleLazyObject

from membership.selectors import benefits_for
from shop.shopper import shopper_figure


def header(request):
    """Return `header_tier` (tier name, "" for visitors), read only if a template uses it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"header_tier": ""}
    return {"header_tier": SimpleLazyObject(
        lambda: shopper_figure(request, "tier", lambda: benefits_for(user).tier_name))}
