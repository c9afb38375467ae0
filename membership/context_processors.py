"""Header data for every page: the signed-in member's tier name for the header badge."""

from django.utils.functional import SimpleLazyObject

from membership.selectors import benefits_for


def header(request):
    """Return `header_tier` (tier name, "" for visitors), read only if a template uses it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"header_tier": ""}
    return {"header_tier": SimpleLazyObject(lambda: benefits_for(user).tier_name)}
