"""Demo data for `manage.py seed_demo`: the four tiers and a shopper in each. Idempotent."""

from datetime import timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from membership.models import Tier
from membership.services import membership_get, spend_record

DEMO_PASSWORD = "demo-pass-123"

# code, name, rank, threshold, discount %, points multiplier, free shipping
TIERS = [
    ("regular", "Regular", 1, "0.00", "0", "1", False),
    ("silver", "Silver", 2, "1000.00", "2", "1.2", False),
    ("gold", "Gold", 3, "5000.00", "5", "1.5", True),
    ("platinum", "Platinum", 4, "20000.00", "8", "2", True),
]

# One shopper per tier above Regular (accounts' demo@example.com stays Regular), with spend
# comfortably inside the tier.
SHOPPERS = [("silver", "1200.00"), ("gold", "6000.00"), ("platinum", "25000.00")]


def seed_tiers() -> list[Tier]:
    """Create the four tiers by code, lowest first; leave tiers staff already have alone."""
    tiers = []
    for code, name, rank, threshold, discount, multiplier, free_shipping in TIERS:
        tier = Tier.objects.filter(code=code).first()
        if tier is None:
            tier = Tier(code=code, name=name, rank=rank, threshold=Decimal(threshold),
                        discount_percent=Decimal(discount), points_multiplier=Decimal(multiplier),
                        free_shipping=free_shipping)
            tier.full_clean()
            tier.save()
        tiers.append(tier)
    return tiers


def seed(*, out) -> None:
    """Create this app's demo rows once; `out(message)` reports progress."""
    tiers = seed_tiers()
    out(f"{len(tiers)} tiers: " + ", ".join(tier.name for tier in tiers))
    for code, amount in SHOPPERS:
        email = f"{code}@example.com"
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD)
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        spend_record(user=user, reference=f"demo:{code}", amount=Decimal(amount),
                     at=timezone.now() - timedelta(days=30))
        out(f"{email} / {DEMO_PASSWORD}: {membership_get(user).tier}")
    # Users who signed up before the tiers existed (accounts' demo shopper) get the lowest.
    for user in User.objects.filter(Q(membership__isnull=True) | Q(membership__tier__isnull=True)):
        membership_get(user)
