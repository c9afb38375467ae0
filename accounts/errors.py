"""The accounts app's domain errors (turned into `{"code", "detail"}` by shop/api.py)."""


from django.utils.translation import gettext_lazy as _

from shop.errors import ShopError


class InvalidCredentials(ShopError):
    code = "invalid_credentials"
    status = 400
    default_detail = _("Unable to log in with that email and password.")


class EmailUnverified(ShopError):
    code = "email_unverified"
    status = 400
    default_detail = _(
        "This email address is not verified yet. Open the link in the verification email first."
    )


class AccountLocked(ShopError):
    code = "account_locked"
    status = 429
    default_detail = _(
        "Too many failed logins: this account is locked for your address. Try again later."
    )
