"""Read queries of the accounts app that more than one caller needs."""

from allauth.account.models import EmailAddress
from django.db.models import QuerySet

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
