"""Identity: the shop's user (email is the login) and the address book."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.addresses import CHECKED_FIELDS, address_normalise


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        # Email logins are case-insensitive: Ann@Example.com and ann@example.com are one user.
        return self.get(email__iexact=email)

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).strip(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", max_length=254, unique=True)
    display_name = models.CharField(max_length=80, blank=True)
    is_staff = models.BooleanField(
        default=False, help_text="Can log into the admin site."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # The language the shopper's emails are written in: set at sign-up and by the language
    # switch while signed in. Empty (older accounts): the shop's default, LANGUAGE_CODE.
    language = models.CharField(
        max_length=10, blank=True, choices=settings.LANGUAGES,
        help_text="The shopper's language for emails; empty: the shop's default.",
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email)

    def get_full_name(self):
        return self.display_name or self.email

    def get_short_name(self):
        return self.display_name or self.email.split("@")[0]

    def email_language(self) -> str:
        """Return the language to write to this user in (theirs, else the shop's default)."""
        return self.language or settings.LANGUAGE_CODE


# Field rules shared by the address form, the API serializer and the services (full_clean).
phone_validator = RegexValidator(
    r"^\+?(?=(?:\D*\d){5})[0-9 ()\-]+$",
    _("Enter a phone number: digits, spaces, brackets or dashes, at least 5 digits."),
)

# An address's own fields, in the order pages show them: what the address book edits and
# what an order copies into its snapshot (orders.services.placement).
ADDRESS_FIELDS = ("name", "phone", "line1", "line2", "city", "province", "postcode", "country")


class Address(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    name = models.CharField("recipient", max_length=100)
    phone = models.CharField(max_length=30, validators=[phone_validator])
    line1 = models.CharField("address line 1", max_length=200)
    line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    province = models.CharField(max_length=100, blank=True)
    # Country, postcode, province and name are checked together in clean() (accounts/addresses.py):
    # a postcode is valid or not for its country.
    postcode = models.CharField(max_length=20)
    country = models.CharField(max_length=2, default="CN", help_text="ISO 3166-1 code, e.g. CN.")
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "-created_at"]
        verbose_name_plural = "addresses"
        constraints = [
            # At most one default address per user.
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(is_default=True),
                name="accounts_address_one_default",
            ),
        ]

    def __str__(self):
        return f"{self.name}, {self.line1}, {self.city}"

    def clean(self):
        super().clean()
        checked = address_normalise({field: getattr(self, field) for field in CHECKED_FIELDS})
        for field, value in checked.items():
            setattr(self, field, value)

    def as_snapshot(self) -> dict:
        """Return the address as a plain dict: what an order keeps forever."""
        return {field: getattr(self, field) for field in ADDRESS_FIELDS}



# --- Partner systems: API keys and webhooks ----------------------------------------------
# Partner systems (ERP, WMS, TMS, CRM) hold keys instead of logging in as people, and hear
# about changes through webhooks. The outbox lives here, in the bottom layer, because every
# app that reports a change (catalog's low stock, orders' moves) may import accounts.


class ApiKey(models.Model):
    """A partner system's key: `<prefix>.<secret>`, of which only a hash of the secret is kept.

    The prefix finds the row; the secret is checked against `hashed_secret`. Scopes decide
    what the key reaches (accounts/partner_scopes.py).
    """

    name = models.CharField(max_length=100, help_text="Who holds the key, e.g. “ERP (SAP)”.")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    hashed_secret = models.CharField(max_length=256, editable=False)
    scopes = models.JSONField(default=list, help_text="The scopes the key is given.")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True,
                                      help_text="Empty: the key does not expire.")
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API key"

    def __str__(self):
        return f"{self.name} ({self.prefix})"

    def is_usable(self, *, at=None) -> bool:
        """Return whether the key may authenticate at `at` (now): not revoked, not expired."""
        at = at or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > at)


class WebhookSubscription(models.Model):
    """Where to POST which events; signed with `secret` (shown once, when it is made)."""

    url = models.URLField(max_length=500)
    events = models.JSONField(default=list, help_text="Event types, e.g. [\"order.paid\"].")
    secret = models.CharField(max_length=100, editable=False)
    is_active = models.BooleanField(default=True)
    api_key = models.ForeignKey(ApiKey, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="webhooks", editable=False,
                                help_text="The key that made it, if a key did.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = "webhook"

    def __str__(self):
        return self.url


class WebhookEvent(models.Model):
    """The outbox: one row per change, written in the transaction that makes the change.

    `stream` orders deliveries ("order:12": one order's events go out in the order they
    happened, which is primary-key order). `dispatched_at` is set once delivery rows exist
    for every subscription that wants the event; the sweep dispatches what a lost task left.
    """

    uuid = models.UUIDField(unique=True, editable=False)
    type = models.CharField(max_length=40)
    stream = models.CharField(max_length=64)
    subject_id = models.BigIntegerField(null=True, blank=True)
    # The body's `data`; for order events filled in when the event is dispatched (rendering
    # the order inside the writing transaction would cost queries the change should not pay).
    data = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["stream", "id"]),
            models.Index(fields=["created_at"], condition=models.Q(dispatched_at__isnull=True),
                         name="accounts_webhookevent_todo"),
        ]

    def __str__(self):
        return f"{self.type} {self.uuid}"


class WebhookDelivery(models.Model):
    """One event to one subscription: its state, attempts and when to try next."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE,
                                     related_name="deliveries")
    stream = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # Retried until then, and marked failed after; a redelivery starts a new window.
    retry_until = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-event_id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["event", "subscription"],
                                    name="accounts_webhookdelivery_once"),
        ]
        indexes = [
            models.Index(fields=["subscription", "stream", "event"]),
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="pending"),
                         name="accounts_webhookdelivery_due"),
        ]

    def __str__(self):
        return f"{self.event} → {self.subscription}"


class WebhookAttempt(models.Model):
    """One POST of a delivery: when, what came back (status code or the error)."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE,
                                 related_name="attempt_log")
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=255, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"
