"""Demo data for `manage.py seed_demo`: idempotent, reports what it made."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_noop

from points.services import points_award, points_bonus

DEMO_EMAIL = "demo@example.com"


def seed(*, out) -> None:
    """Give the demo shopper a sign-up bonus and one earned lot, once."""
    user = get_user_model().objects.filter(email__iexact=DEMO_EMAIL).first()
    if user is None:
        out(f"no demo shopper {DEMO_EMAIL}: skipped the points demo")
        return
    bonus = points_bonus(user=user, points=settings.SHOP_POINTS_SIGNUP_BONUS,
                         reference=f"signup:{user.pk}", reason=gettext_noop("Sign-up bonus"))
    # Earned eleven months ago, so the points page shows something expiring soon.
    earned = points_award(user=user, points=1200, reference="demo:welcome-order",
                          at=timezone.now() - timedelta(days=settings.SHOP_POINTS_EXPIRY_DAYS - 20))
    total = sum(entry.delta for entry in (bonus, earned) if entry is not None)
    out(f"{DEMO_EMAIL} has its sign-up bonus and an earned lot ({total} points credited in all)")
