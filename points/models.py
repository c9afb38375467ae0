"""The points ledger: one account per shopper, append-only entries, and earned lots.

How the three tables fit:

- `PointsAccount.balance` is the stored balance. It always equals the sum of the account's
  ledger deltas and the sum of its lots' `remaining` (the nightly integrity check proves it).
- `LedgerEntry` rows are written once and never changed or deleted (append-only): every
  change of the balance is one entry.
- A credit (earn, bonus, positive adjust) opens a `Lot` that expires on a date;
  debits (redeem, reverse, expire, negative adjust) consume lots oldest-expiry first and
  record what they took in `LotUse`, so a cancelled order's redemption can be put back into
  the very lots it came from (see services.points_refund).

Lock order (every writer follows it, so two writers never deadlock): the account row first
(`select_for_update` or the conditional UPDATE on the balance), then the account's lots in
(expires_at, pk) order.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PointsAccount(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="points_account"
    )
    balance = models.IntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "points account"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance__gte=0), name="points_account_balance_not_negative"
            ),
        ]
        permissions = [("adjust_points", "Can adjust a shopper's points (with a reason)")]

    def __str__(self):
        return f"{self.user} ({self.balance} points)"


class LedgerEntry(models.Model):
    class Kind(models.TextChoices):
        EARN = "earn", _("Earned")
        BONUS = "bonus", _("Bonus")
        REDEEM = "redeem", _("Used")
        REFUND = "refund", _("Returned")
        REVERSE = "reverse", _("Reversed")
        EXPIRE = "expire", _("Expired")
        ADJUST = "adjust", _("Adjusted")

    account = models.ForeignKey(PointsAccount, on_delete=models.CASCADE, related_name="entries")
    delta = models.IntegerField(help_text="Points added (positive) or taken (negative).")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # What the entry was for: `order:SO…`, `signup:<user id>`, `lot:<id>`, `adjust:<hex>`.
    # Unique per kind, which makes every award, redemption, refund and reversal happen once.
    reference = models.CharField(max_length=100)
    reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Set on credits that open a lot: when the lot's unused points expire.
    expires_at = models.DateTimeField(null=True, blank=True)
    # A reversal that found fewer points than the award it undoes records what it could not take.
    shortfall = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text="The member of staff behind an adjustment.",
    )

    class Meta:
        verbose_name = "ledger entry"
        verbose_name_plural = "ledger entries"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "reference"], name="points_entry_once_per_reference"),
        ]
        indexes = [models.Index(fields=["account", "-created_at", "-id"], name="points_entry_history")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.delta:+d} ({self.reference})"

    def save(self, *args, **kwargs):
        # Append-only: a correction is a new entry (an adjustment), never an edit.
        if self.pk is not None and not self._state.adding:
            raise ValueError("Ledger entries are append-only; write an adjustment instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Ledger entries are append-only and are never deleted.")

    @property
    def order_number(self) -> str:
        """Return the order number an `order:SO…` reference names, or ''."""
        prefix, _, rest = self.reference.partition(":")
        return rest if prefix == "order" else ""


class Lot(models.Model):
    """Points credited together that expire together; `remaining` is what is left of them."""

    account = models.ForeignKey(PointsAccount, on_delete=models.CASCADE, related_name="lots")
    entry = models.OneToOneField(LedgerEntry, on_delete=models.CASCADE, related_name="lot")
    points = models.PositiveIntegerField()
    remaining = models.IntegerField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["expires_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(remaining__gte=0) & models.Q(remaining__lte=models.F("points")),
                name="points_lot_remaining_within_points",
            ),
        ]
        indexes = [models.Index(fields=["account", "expires_at"], name="points_lot_fifo")]

    def __str__(self):
        return f"{self.remaining}/{self.points} points, expires {self.expires_at:%Y-%m-%d}"


class LotUse(models.Model):
    """How many points a debit entry took from one lot (so a refund can put them back)."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="uses")
    entry = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="lot_uses")
    points = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lot", "entry"], name="points_lot_use_once"),
        ]

    def __str__(self):
        return f"{self.points} points of lot {self.lot_id} by entry {self.entry_id}"
