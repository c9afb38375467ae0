"""Header data for every page: how many items are in the cart (queried only if shown).

A signed-in shopper's count is one of their cached header figures (shop/shopper.py), moved
on by the cart services and placement.
"""

from django.utils.functional import SimpleLazyObject

from orders.selectors import cart_count
from shop.shopper import shopper_figure


def header(request):
    if not hasattr(request, "user") or not hasattr(request, "session"):
        return {}
    if request.user.is_authenticated:
        return {"header_cart_count": SimpleLazyObject(
            lambda: shopper_figure(request, "cart", lambda: cart_count(request)))}
    return {"header_cart_count": SimpleLazyObject(lambda: cart_count(request))}
