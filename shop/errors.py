"""The shop's domain errors: every app's own exceptions subclass ShopError.

One DRF exception handler (shop/api.py) and one page helper (shop/pages.py) turn them into
`{"code", "detail"}` responses and flash messages, so services never know about HTTP.
"""

from django.utils.translation import gettext_lazy as _


class ShopError(Exception):
    """A rule of the shop refused the request; `code` is stable, `detail` is for people."""

    code = "error"
    status = 400
    default_detail = _("The request could not be completed.")

    def __init__(self, detail: str | None = None, **extra):
        self.detail = detail or self.default_detail
        self.extra = extra
        super().__init__(self.detail)

    def as_dict(self) -> dict:
        # str(): a lazy default becomes text in the language of the request being answered.
        return {"code": self.code, "detail": str(self.detail), **self.extra}


class NotFound(ShopError):
    code = "not_found"
    status = 404
    default_detail = _("Not found.")


class InvalidTransition(ShopError):
    code = "invalid_transition"
    status = 409
    default_detail = _("That action is not possible in the current state.")


class Conflict(ShopError):
    code = "conflict"
    status = 409
    default_detail = _("The request conflicts with the current state.")
