"""Identity: the shop's user (email is the login) and the address book."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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


# Field rules shared by the address form, the API serializer and the services (full_clean).
phone_validator = RegexValidator(
    r"^\+?(?=(?:\D*\d){5})[0-9 ()\-]+$",
    _("Enter a phone number: digits, spaces, brackets or dashes, at least 5 digits."),
)
postcode_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9 \-]*$", _("Enter a postcode: letters, digits, spaces or dashes.")
)
# Lower case is accepted here and upper-cased by the services.
country_validator = RegexValidator(r"^[A-Za-z]{2}$", _("Enter a two-letter country code, e.g. CN."))


class Address(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    name = models.CharField("recipient", max_length=100)
    phone = models.CharField(max_length=30, validators=[phone_validator])
    line1 = models.CharField("address line 1", max_length=200)
    line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    province = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=20, validators=[postcode_validator])
    country = models.CharField(
        max_length=2, default="CN", validators=[country_validator],
        help_text="ISO 3166 code, e.g. CN.",
    )
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

    def as_snapshot(self) -> dict:
        """Return the address as a plain dict: what an order keeps forever."""
        return {
            field: getattr(self, field)
            for field in ("name", "phone", "line1", "line2", "city", "province", "postcode", "country")
        }
