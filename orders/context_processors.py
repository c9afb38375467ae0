"""Header data for every page: how many items are in the cart (queried only if shown)."""

from django.utils.functional import SimpleLazyObject

from orders.selectors import cart_count


def header(request):
    if not hasattr(request, "user") or not hasattr(request, "session"):
        return {}
    return {"header_cart_count": SimpleLazyObject(lambda: cart_count(request))}
