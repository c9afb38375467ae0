"""Header data for every page: the signed-in shopper's points balance; for visitors, the
sign-up bonus the sign-up page offers."""

from django.conf import settings

from points.selectors import balance_for


def header(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"signup_points": settings.SHOP_POINTS_SIGNUP_BONUS}
    return {"header_points": balance_for(user)}  # one query: the stored balance
