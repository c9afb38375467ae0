"""Header data for every page: the signed-in shopper's points balance; for visitors, the
sign-up bonus the sign-up page offers.

The balance is one of the shopper's cached header figures (shop/shopper.py), moved on by
every points service that changes it.
"""

from django.conf import settings

from points.selectors import balance_for
from shop.shopper import shopper_figure


def header(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"signup_points": settings.SHOP_POINTS_SIGNUP_BONUS}
    return {"header_points": shopper_figure(request, "points", lambda: balance_for(user))}
