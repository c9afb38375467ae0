"""Header data for every page: the signed-in shopper's points balance."""

from points.selectors import balance_for


def header(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"header_points": balance_for(user)}  # one query: the stored balance
