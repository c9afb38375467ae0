"""Membership: staff-defined tiers, one membership per user, spend records, tier history."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from membership.validators import tier_validate


class Tier(models.Model):
    """A rung of the ladder: reached by spend over the trailing window, with its benefits."""

    code = models.SlugField(max_length=30, unique=True, help_text="Stable id for the API, e.g. gold.")
    name = models.CharField(max_length=60)
    rank = models.PositiveSmallIntegerField(
        unique=True, help_text="Order of the ladder: a higher rank is a better tier."
    )
    threshold = models.DecimalField(
        "spend threshold", max_digits=12, decimal_places=2, unique=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Spend over the trailing window that reaches this tier; the lowest tier has 0.",
    )
    discount_percent = models.DecimalField(
        "member discount %", max_digits=5, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Member price = base price × (1 − discount / 100).",
    )
    points_multiplier = models.DecimalField(
        max_digits=4, decimal_places=2, default=Decimal("1"),
        validators=[MinValueValidator(Decimal("1"))],
        help_text="Points earned are multiplied by this (1 = no bonus).",
    )
    free_shipping = models.BooleanField(default=False)

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                name="membership_tier_discount_0_100",
                violation_error_message="A member discount is between 0 and 100 %.",
            ),
            models.CheckConstraint(
                condition=Q(points_multiplier__gte=1),
                name="membership_tier_multiplier_gte_1",
                violation_error_message="The points multiplier is at least 1.",
            ),
            models.CheckConstraint(
                condition=Q(threshold__gte=0),
                name="membership_tier_threshold_gte_0",
                violation_error_message="A spend threshold is 0 or more.",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        tier_validate(tier=self)


class Membership(models.Model):
    """A user's place on the ladder; read and created through services.membership_get."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    # Null only while no tier exists yet (a user who signed up before tiers were set up);
    # membership_get puts them on the lowest tier as soon as there is one.
    tier = models.ForeignKey(
        Tier, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    spend_365d = models.DecimalField(
        "spend in window", max_digits=12, decimal_places=2, default=Decimal("0.00"),
        help_text="Spend over the trailing window as last computed.",
    )
    evaluated_at = models.DateTimeField(null=True, blank=True)
    # When the oldest counted spend leaves the window: the daily task re-evaluates members
    # whose review time has come instead of scanning everyone.
    review_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.user} ({self.tier or 'no tier'})"


class SpendRecord(models.Model):
    """Money a member spent, keyed by a reference (`order:SO…`) so orders stays unknown here."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="spend_records"
    )
    # Unique: settlement may run twice, the spend counts once.
    reference = models.CharField(max_length=64, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    at = models.DateTimeField(default=timezone.now, help_text="When the spend happened.")
    # Set once when the order is refunded; a reversed record no longer counts.
    reversed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "at"], name="membership_spend_user_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="membership_spend_amount_gte_0",
                violation_error_message="A spend amount is 0 or more.",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.amount}"


class TierChange(models.Model):
    """One move on the ladder, kept forever: from, to, why, when."""

    class Reason(models.TextChoices):
        JOINED = "joined", _("Joined")
        ORDER = "order", _("Order settled")
        REFUND = "refund", _("Order refunded")
        AGED = "aged", _("Spend left the window")
        STAFF = "staff", _("Re-evaluated by staff")

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="changes")
    # PROTECT: a tier with history stays, so the history stays true (rename it instead).
    from_tier = models.ForeignKey(
        Tier, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    reference = models.CharField(max_length=64, blank=True, help_text="The spend that caused it.")
    spend = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="Spend in the window when it changed."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.from_tier or '—'} → {self.to_tier} ({self.get_reason_display()})"

    @property
    def is_upgrade(self) -> bool:
        return self.from_tier is None or self.to_tier.rank > self.from_tier.rank
