"""Demo data for `manage.py seed_demo`: idempotent, reports what it made."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction

from accounts import services
from accounts.groups import STAFF_GROUPS
from accounts.models import User

SHOPPER_EMAIL, SHOPPER_PASSWORD = "demo@example.com", "demo-pass-123"
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@example.com", "admin-pass-123"


def _user(*, email: str, password: str, staff: bool, out) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        out(f"{email} already exists (password unchanged)")
        return user
    if staff:
        user = User.objects.create_superuser(email=email, password=password)
    else:
        user = User.objects.create_user(email=email, password=password)
    # Verified, so the demo accounts log in at once even with verification mandatory.
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    out(f"created {'staff superuser' if staff else 'demo shopper'} {email} "
        f"with password {password}")
    return user


@transaction.atomic
def seed(*, out) -> None:
    """Create this app's demo rows once; `out(message)` reports progress."""
    for name in STAFF_GROUPS:
        _, created = Group.objects.get_or_create(name=name)
        out(f"{'created' if created else 'found'} staff group {name!r}")
    shopper = _user(email=SHOPPER_EMAIL, password=SHOPPER_PASSWORD, staff=False, out=out)
    if not shopper.display_name:
        services.profile_update(user=shopper, display_name="Demo Shopper")
    if not shopper.addresses.exists():
        services.address_create(
            user=shopper, name="Li Lei", phone="+86 138 0000 0000", line1="100 Nanjing Road",
            line2="Room 1201", city="Shanghai", province="Shanghai", postcode="200001",
            country="CN",
        )
        out(f"created a default Shanghai address for {SHOPPER_EMAIL}")
    _user(email=ADMIN_EMAIL, password=ADMIN_PASSWORD, staff=True, out=out)
    out(f"log in as {SHOPPER_EMAIL} / {SHOPPER_PASSWORD}; admin at /admin/ as "
        f"{ADMIN_EMAIL} / {ADMIN_PASSWORD}")
