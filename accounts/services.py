"""The accounts app's write API: registration, API tokens, profile and the address book."""

import logging

from allauth.account import app_settings as allauth_settings
from allauth.account.models import EmailAddress
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from rest_framework.authtoken.models import Token

from accounts.errors import AccountLocked, EmailUnverified, InvalidCredentials
from accounts.models import ADDRESS_FIELDS, Address, User
from accounts.selectors import email_taken, token_expired
from accounts.signals import user_registered

logger = logging.getLogger(__name__)

EMAIL_TAKEN = "A user is already registered with this email address."


# --- Registration and tokens ------------------------------------------------------------


def verification_required() -> bool:
    """Return whether an unverified email blocks logins and tokens (SHOP_EMAIL_VERIFICATION)."""
    return allauth_settings.EMAIL_VERIFICATION == allauth_settings.EmailVerificationMethod.MANDATORY


@transaction.atomic
def current_language() -> str:
    """Return the active language as one of LANGUAGES' codes (the default when another)."""
    language = get_language() or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def user_language_set(*, user: User, language: str) -> None:
    """Remember `language` (a LANGUAGES code) as the one to email `user` in; ignore others."""
    if language not in dict(settings.LANGUAGES) or user.language == language:
        return
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language


def user_register(*, email: str, password: str, request: HttpRequest | None = None) -> User:
    """Create a shopper, send the verification email and announce `user_registered`.

    Raise ValidationError with field errors for a taken email (in any letter case) or a
    password Django's validators refuse. Emails are stored lower-cased, as allauth stores
    them. Without a request no email is sent (the link needs the request's host); with
    verification mandatory, allauth sends a fresh one when the user first tries to log in.
    """
    email = User.objects.normalize_email(email).strip().lower()
    errors = {}
    try:
        validate_email(email)
    except ValidationError as exc:
        errors["email"] = exc.messages
    if email_taken(email):
        errors["email"] = [EMAIL_TAKEN]
    try:
        validate_password(password, user=User(email=email))
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)

    try:
        # A savepoint: two sign-ups racing for one email both pass the check above, and the
        # case-insensitive unique constraint turns the loser into the same field error.
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password,
                                            language=current_language())
    except IntegrityError:
        raise ValidationError({"email": [EMAIL_TAKEN]}) from None
    address = EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    # Listeners (sign-up bonus, starting tier) run inside this transaction: if one fails, no
    # half-registered user remains. The email goes last, so it is sent for a complete user.
    user_registered.send(sender=User, user=user, request=request)
    if request is not None and allauth_settings.EMAIL_VERIFICATION != "none":
        # allauth's own confirmation: the same email, link and key as a page sign-up.
        address.send_confirmation(request, signup=True)
    return user


def token_obtain(*, request: HttpRequest, email: str, password: str) -> Token:
    """Return the user's live API token for a right email and password (`token_issue`).

    Authenticate through django.contrib.auth with the request so django-axes counts a
    failure against the account and refuses a locked one (AccountLocked, 429). With
    verification mandatory, an unverified email gets no token (EmailUnverified).
    """
    user = authenticate(request=request, username=email, password=password)
    if getattr(request, "axes_locked_out", False):
        raise AccountLocked()
    if user is None:
        raise InvalidCredentials()
    if verification_required() and not EmailAddress.objects.filter(
        user=user, verified=True
    ).exists():
        raise EmailUnverified()
    # A token grant is a login without a session: announcing it resets django-axes' failure
    # count (AXES_RESET_ON_SUCCESS) and stamps last_login, as a page login would.
    user_logged_in.send(sender=type(user), request=request, user=user)
    return token_issue(user=user)


@transaction.atomic
def token_issue(*, user: User) -> Token:
    """Return the user's API token, or a new one when they have none or theirs expired.

    A user has one token (DRF's model); it expires SHOP_TOKEN_TTL_DAYS after it was issued
    (accounts/authentication.py refuses it then), and a new key replaces it on the next
    request for a token.
    """
    # The row lock makes two requests racing past an expired token replace it once.
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and not token_expired(token=token):
        return token
    if token is not None:
        token.delete()
    # get_or_create: a request racing with no token at all waits on the one-per-user
    # constraint and then returns the winner's token.
    token, _ = Token.objects.get_or_create(user=user)
    return token


def token_revoke(*, token: Token) -> None:
    """Delete one API token: its key stops working at once (logout)."""
    Token.objects.filter(pk=token.pk).delete()


def user_tokens_revoke(*, user: User) -> int:
    """Delete every API token of `user`; return how many. Called when the password changes."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted


# --- Login failures on staff accounts ---------------------------------------------------


def staff_login_failures_alarm(*, email: str) -> bool:
    """Warn when failed logins on a staff account reach the failure limit; return whether.

    Lockout is per account and client address, so failures spread over many addresses
    never lock a staff account. They are summed here over all addresses within the
    cool-off time; each time the sum reaches a multiple of AXES_FAILURE_LIMIT a WARNING is
    logged and the active superusers get an email. Once per sum: refused attempts during a
    lockout are not counted by django-axes and must not repeat the alarm.
    """
    user = User.objects.filter(email__iexact=email, is_staff=True).only("pk", "email").first()
    if user is None:
        return False
    limit = settings.AXES_FAILURE_LIMIT
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    failures = AccessAttempt.objects.filter(username=email, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"] or 0
    if failures == 0 or failures % limit:
        return False
    # cache.add is atomic: of two requests seeing the same sum, one raises the alarm.
    if not cache.add(f"accounts:staff-alarm:{user.pk}:{failures}", 1,
                     timeout=int(settings.AXES_COOLOFF_TIME.total_seconds())):
        return False
    logger.warning("%d failed logins on staff account %s within %s", failures, user.email,
                   settings.AXES_COOLOFF_TIME)
    _email_superusers_about(user=user, failures=failures)
    return True


def _email_superusers_about(*, user: User, failures: int) -> None:
    recipients = list(
        User.objects.filter(is_superuser=True, is_active=True).values_list("email", flat=True)
    )
    if not recipients:
        return
    # fail_silently: a mail server that is down must not turn a login answer into a 500;
    # the log line is the alarm of record.
    send_mail(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Failed logins on staff account "
        f"{user.email}",
        message=(
            f"{failures} logins with a wrong password were tried on the staff account "
            f"{user.email} within {settings.AXES_COOLOFF_TIME}.\n\n"
            f"Each client address is locked out after {settings.AXES_FAILURE_LIMIT} failures; "
            "attempts from many addresses are not. If this was not the account's owner, "
            "change its password."
        ),
        from_email=None,
        recipient_list=recipients,
        fail_silently=True,
    )


def profile_update(*, user: User, display_name: str) -> User:
    """Change what the shop calls the user; the email (the login) is changed through allauth."""
    user.display_name = display_name.strip()
    user.full_clean(exclude=["password"])
    user.save(update_fields=["display_name"])
    return user


# --- Address book -----------------------------------------------------------------------
#
# Every write locks the owner's user row first: two requests changing one user's default
# at once then run one after the other instead of tripping the one-default constraint.


def _lock_owner(user: User) -> None:
    User.objects.select_for_update().filter(pk=user.pk).first()


def _clean(address: Address) -> None:
    address.country = (address.country or "").strip().upper()
    for field in ADDRESS_FIELDS:
        value = getattr(address, field)
        if isinstance(value, str):
            setattr(address, field, value.strip())
    address.full_clean(exclude=["user", "is_default"])


def _make_default(address: Address) -> None:
    Address.objects.filter(user_id=address.user_id, is_default=True).exclude(
        pk=address.pk
    ).update(is_default=False)
    if not address.is_default:
        address.is_default = True
        address.save(update_fields=["is_default"])


@transaction.atomic
def address_create(
    *,
    user: User,
    name: str,
    phone: str,
    line1: str,
    city: str,
    postcode: str,
    line2: str = "",
    province: str = "",
    country: str = "CN",
    is_default: bool = False,
) -> Address:
    """Add an address; the user's first address, or one asked to be, becomes the default."""
    _lock_owner(user)
    address = Address(
        user=user, name=name, phone=phone, line1=line1, line2=line2, city=city,
        province=province, postcode=postcode, country=country,
    )
    _clean(address)
    is_first = not Address.objects.filter(user=user).exists()
    address.save()
    if is_default or is_first:
        _make_default(address)
    return address


@transaction.atomic
def address_update(*, address: Address, data: dict) -> Address:
    """Change the address fields named in `data`; `is_default: True` makes it the default.

    The default cannot be switched off directly (a user with addresses always has one):
    `is_default: False` on the default address is refused; choose another one instead.
    """
    _lock_owner(address.user)
    address.refresh_from_db()
    unknown = set(data) - set(ADDRESS_FIELDS) - {"is_default"}
    if unknown:
        raise ValueError(f"not address fields: {sorted(unknown)}")
    if data.get("is_default") is False and address.is_default:
        raise ValidationError(
            {"is_default": ["Make another address the default instead."]}
        )
    for field in ADDRESS_FIELDS:
        if field in data:
            setattr(address, field, data[field])
    _clean(address)
    address.save(update_fields=list(ADDRESS_FIELDS))
    if data.get("is_default"):
        _make_default(address)
    return address


@transaction.atomic
def address_set_default(*, address: Address) -> Address:
    """Make this the user's one default address."""
    _lock_owner(address.user)
    address.refresh_from_db()
    _make_default(address)
    return address


@transaction.atomic
def address_delete(*, address: Address) -> None:
    """Delete an address; if it was the default, the newest remaining one takes over."""
    _lock_owner(address.user)
    was_default = Address.objects.filter(pk=address.pk, is_default=True).exists()
    user_id = address.user_id
    address.delete()
    if was_default:
        newest = Address.objects.filter(user_id=user_id).order_by("-created_at", "-pk").first()
        if newest is not None:
            _make_default(newest)
