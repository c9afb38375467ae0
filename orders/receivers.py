"""Optional listeners: orders hears accounts' login to merge a visitor's cart."""

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from orders.selectors import CART_TOKEN
from orders.services import cart_merge


@receiver(user_logged_in, dispatch_uid="orders.merge_visitor_cart")
def merge_visitor_cart(sender, request, user, **kwargs):
    """Move the visitor cart of this session into the shopper's cart, capped by stock."""
    if request is None or not hasattr(request, "session"):
        return
    token = request.session.pop(CART_TOKEN, None)
    if not token:
        return
    for note in cart_merge(token=token, user=user):
        messages.warning(request, note)
