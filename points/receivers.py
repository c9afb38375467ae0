"""Optional listeners: the sign-up bonus (accounts may not call points, so it signals)."""

from django.conf import settings
from django.utils.translation import gettext_noop

from points.services import points_bonus


def signup_bonus(sender, *, user, **kwargs) -> None:
    """Give a new shopper settings.SHOP_POINTS_SIGNUP_BONUS points, once (`signup:<id>`)."""
    points_bonus(user=user, points=settings.SHOP_POINTS_SIGNUP_BONUS,
                 reference=f"signup:{user.pk}", reason=gettext_noop("Sign-up bonus"))
