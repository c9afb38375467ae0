"""Read queries of the accounts app that more than one caller needs."""

from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import Address, User


def email_taken(email: str) -> bool:
    """Return whether a user already has this email, in any letter case."""
    return (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    )


def address_list(*, user: User) -> QuerySet[Address]:
    """Return the user's own addresses, the default first, then newest first."""
    return Address.objects.filter(user=user).order_by("-is_default", "-created_at", "-pk")


def token_expires_at(*, token: Token) -> datetime:
    """Return when an API token stops working: SHOP_TOKEN_TTL_DAYS after it was issued."""
    return token.created + timedelta(days=settings.SHOP_TOKEN_TTL_DAYS)


def token_expired(*, token: Token) -> bool:
    """Return whether an API token is past its expiry."""
    return timezone.now() >= token_expires_at(token=token)
