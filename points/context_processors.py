"""Header data for every page: the signed-in shopper's points balance.

One of the shopper's cached header figures (shop/shopper.py), moved on by every points
service that changes the balance.
"""

from points.selectors import balance_for
from shop.shopper import shopper_figure


def header(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"header_points": shopper_figure(request, "points", lambda: balance_for(user))}
