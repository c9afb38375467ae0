"""allauth adapter: the shop's hooks into sign-up and login."""

from allauth.account.adapter import DefaultAccountAdapter

from accounts.selectors import email_taken
from accounts.signals import user_registered
from shop.net import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def validate_unique_email(self, email):
        """Refuse a taken email (any letter case) with a field error on the sign-up page.

        allauth's enumeration prevention would instead pretend the sign-up worked. The API
        answers a taken email with a field error (docs/api.md), so hiding it on the page
        protects nothing; password reset still keeps unknown emails hidden.
        """
        if email_taken(email):
            raise self.validation_error("email_taken")
        return email

    def save_user(self, request, user, form, commit=True):
        """Save a page sign-up and announce it like an API registration (user_register)."""
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            user_registered.send(sender=type(user), user=user, request=request)
        return user

    def get_client_ip(self, request):
        """Return the client address the throttles and django-axes use (shop/net.py).

        allauth's own reading trusts its ALLAUTH_TRUSTED_PROXY_COUNT; one setting
        (SHOP_TRUSTED_PROXIES) decides for every limit instead.
        """
        return client_ip(request) or super().get_client_ip(request)
