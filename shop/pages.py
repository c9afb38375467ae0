"""Page helpers: turn a domain error into a flash message instead of a 500."""

from contextlib import contextmanager

from django.contrib import messages

from shop.errors import ShopError


@contextmanager
def flash_errors(request):
    """Run a service call; show a ShopError as an error message and swallow it.

    Usage: `with flash_errors(request): order_cancel(...)`; the view then redirects as usual.
    """
    try:
        yield
    except ShopError as exc:
        messages.error(request, exc.detail)
