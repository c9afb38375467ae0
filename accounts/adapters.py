"""allauth adapter: the shop's hooks into sign-up and login."""

from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation

from accounts.selectors import email_taken
from accounts.services import current_language
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
        user.language = current_language()  # the page's language: the one to write to them in
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            user_registered.send(sender=type(user), user=user, request=request)
        return user

    def send_mail(self, template_prefix, email, context):
        """Send allauth's emails (verification, password reset) in the user's language."""
        user = context.get("user")
        language = (user.email_language() if hasattr(user, "email_language")
                    else current_language())
        with translation.override(language):
            super().send_mail(template_prefix, email, context)

    def get_client_ip(self, request):
        """Return the client address the throttles and django-axes use (shop/net.py).

        allauth's own reading trusts its ALLAUTH_TRUSTED_PROXY_COUNT; one setting
        (SHOP_TRUSTED_PROXIES) decides for every limit instead.
        """
        return client_ip(request) or super().get_client_ip(request)
