"""Marketing's tables: time-limited discounts, threshold promotions (满减), coupons and their uses.

Tier scopes are lists of tier codes (strings): marketing may not import membership, and
orders passes the shopper's `tier_code` in. An empty list means every shopper.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import Category, Product
from shop.money import format_money


class Kind(models.TextChoices):
    PERCENT = "percent", _("Percent off")
    FIXED = "fixed", _("Fixed amount off")


def _value_errors(kind, value) -> dict:
    if value is None:
        return {}
    if kind == Kind.PERCENT and not 0 < value <= 100:
        return {"value": "A percentage must be more than 0 and at most 100."}
    if kind == Kind.FIXED and value <= 0:
        return {"value": "A fixed amount off must be more than 0.00."}
    return {}


def _tier_errors(tiers) -> dict:
    if not isinstance(tiers, list) or not all(isinstance(code, str) and code for code in tiers):
        return {"tiers": "Tiers must be a list of tier codes, e.g. [\"gold\", \"platinum\"]."}
    return {}


def _value_constraints(prefix: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(kind=Kind.PERCENT, value__gt=0, value__lte=100)
            | Q(kind=Kind.FIXED, value__gt=0),
            name=f"{prefix}_value_fits_kind",
        ),
    ]


class CutLabelMixin:
    """`value_label` for a model with a `kind` (percent or fixed) and a `value`."""

    @property
    def value_label(self) -> str:
        """Return the cut for people: `−10 %` or `−¥5.00`."""
        if self.kind == Kind.PERCENT:
            return f"−{self.value.normalize():f} %"
        return f"−{format_money(self.value)}"


# --- The time window every offer runs in ------------------------------------------------


class WindowQuerySet(models.QuerySet):
    def running(self, at):
        """Return the rows whose window contains `at` (start inclusive, end exclusive)."""
        return self.filter(starts_at__lte=at, ends_at__gt=at)


class SwitchedWindowQuerySet(WindowQuerySet):
    def running(self, at):
        """Return the rows switched on whose window contains `at`."""
        return super().running(at).filter(is_active=True)


class TimeWindow(models.Model):
    """A start and an end: discounts, promotions, coupons and flash sales run inside one.

    The start is inclusive, the end exclusive, everywhere: `is_running`, the `running(at)`
    filter and the CHECK that the end comes after the start.
    """

    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    objects = WindowQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                   name="%(app_label)s_%(class)s_ends_after_start"),
        ]

    def is_running(self, at=None) -> bool:
        """Return whether `at` (now by default) is inside the window."""
        at = at or timezone.now()
        return self.starts_at <= at < self.ends_at

    def window_errors(self) -> dict:
        """Return the field errors of the window, for clean()."""
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            return {"ends_at": "The end must be after the start."}
        return {}


class SwitchedTimeWindow(TimeWindow):
    """A window staff may also switch off (`is_active`) without moving its dates."""

    is_active = models.BooleanField(default=True)

    objects = SwitchedWindowQuerySet.as_manager()

    class Meta(TimeWindow.Meta):
        abstract = True

    def is_running(self, at=None) -> bool:
        """Return whether the row is switched on and `at` (now by default) is inside the window."""
        return self.is_active and super().is_running(at)


# --- Offers -------------------------------------------------------------------------------


class Discount(CutLabelMixin, SwitchedTimeWindow):
    """A time-limited price cut on products and/or categories (a category covers its subtree)."""

    name = models.CharField(max_length=100, help_text="Shown to shoppers, e.g. “Spring sale”.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERCENT)
    value = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="Percent (10.00 = 10 %) or amount off per unit."
    )
    products = models.ManyToManyField(Product, blank=True, related_name="discounts")
    categories = models.ManyToManyField(
        Category, blank=True, related_name="discounts",
        help_text="Every product in these categories or below them.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "pk"]
        constraints = [*TimeWindow.Meta.constraints, *_value_constraints("marketing_discount")]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {**self.window_errors(), **_value_errors(self.kind, self.value)}
        if errors:
            raise ValidationError(errors)


class Promotion(SwitchedTimeWindow):
    """满减: spend at least `threshold` on eligible lines, get `amount_off` off."""

    name = models.CharField(max_length=100, help_text="Shown to shoppers, e.g. “Spend 200, save 30”.")
    threshold = models.DecimalField(max_digits=12, decimal_places=2)
    amount_off = models.DecimalField(max_digits=12, decimal_places=2)
    categories = models.ManyToManyField(
        Category, blank=True, related_name="promotions",
        help_text="Only lines in these categories (or below) count. Empty: every line.",
    )
    tiers = models.JSONField(
        default=list, blank=True, help_text='Tier codes, e.g. ["gold"]. Empty: every shopper.'
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["threshold", "pk"]
        constraints = [
            *TimeWindow.Meta.constraints,
            models.CheckConstraint(condition=Q(amount_off__gt=0), name="marketing_promotion_amount_off_gt_0"),
            # Spend 20 get 30 off would hand out money: the cut never exceeds the threshold.
            models.CheckConstraint(condition=Q(threshold__gte=models.F("amount_off")),
                                   name="marketing_promotion_threshold_gte_amount_off"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {**self.window_errors(), **_tier_errors(self.tiers)}
        if self.amount_off is not None and self.amount_off <= 0:
            errors["amount_off"] = "The amount off must be more than 0.00."
        elif self.amount_off is not None and self.threshold is not None and self.threshold < self.amount_off:
            errors["threshold"] = "The threshold must be at least the amount off."
        if errors:
            raise ValidationError(errors)


coupon_code_validator = RegexValidator(
    r"^[A-Za-z0-9_-]+$", "Use letters, digits, “-” and “_” only."
)


class Coupon(CutLabelMixin, TimeWindow):
    """A code a shopper types at checkout. `used` is written only by services (conditional UPDATEs)."""

    code = models.CharField(max_length=40, validators=[coupon_code_validator],
                            help_text="Case-insensitive: welcome10 and WELCOME10 are one code.")
    name = models.CharField(max_length=100, blank=True,
                            help_text="Shown in the coupon centre and wallet, e.g. “New season ¥20 off”.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERCENT)
    value = models.DecimalField(max_digits=12, decimal_places=2)
    max_discount = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True,
        help_text="Cap on what a percentage coupon takes off. Empty: no cap.",
    )
    min_spend = models.DecimalField(
        max_digits=12, decimal_places=2, default=0,
        help_text="Checked on the amount after promotions.",
    )
    usage_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Total uses. Empty: unlimited.")
    per_customer_limit = models.PositiveIntegerField(
        null=True, blank=True, default=1, help_text="Uses per shopper. Empty: unlimited."
    )
    categories = models.ManyToManyField(
        Category, blank=True, related_name="coupons",
        help_text="Applies only to lines in these categories (or below). Empty: the whole order.",
    )
    tiers = models.JSONField(default=list, blank=True, help_text='Tier codes. Empty: every shopper.')
    combinable_with_promotions = models.BooleanField(
        default=True, help_text="Off: refused when a threshold promotion applies to the order."
    )
    used = models.PositiveIntegerField(default=0, editable=False)
    # The coupon wallet (领券): a claimable coupon works only for shoppers who claimed it.
    claimable = models.BooleanField(
        default=False, help_text="Shoppers claim it in the coupon centre; only claimers can use it.")
    claims_total = models.PositiveIntegerField(
        null=True, blank=True, help_text="Claims handed out in all (required when claimable).")
    claims_per_customer = models.PositiveIntegerField(default=1, help_text="Claims one shopper may hold.")
    claims_used = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(Lower("code"), name="marketing_coupon_code_ci_unique"),
            # NULL passes a CHECK, hence the explicit "is not null".
            models.CheckConstraint(
                condition=Q(claimable=False) | Q(claims_total__isnull=False, claims_total__gte=1),
                name="marketing_coupon_claimable_has_total",
            ),
            models.CheckConstraint(condition=Q(claims_per_customer__gte=1),
                                   name="marketing_coupon_claims_per_customer_gte_1"),
            # As for `used`: no UPDATE, however written, hands out more claims than the quota.
            models.CheckConstraint(
                condition=Q(claims_used__gte=0)
                & (Q(claims_total__isnull=True) | Q(claims_used__lte=models.F("claims_total"))),
                name="marketing_coupon_claims_within_total",
            ),
            *TimeWindow.Meta.constraints,
            *_value_constraints("marketing_coupon"),
            models.CheckConstraint(condition=Q(usage_limit__isnull=True) | Q(usage_limit__gte=1),
                                   name="marketing_coupon_usage_limit_gte_1"),
            models.CheckConstraint(
                condition=Q(per_customer_limit__isnull=True) | Q(per_customer_limit__gte=1),
                name="marketing_coupon_per_customer_limit_gte_1",
            ),
            models.CheckConstraint(condition=Q(min_spend__gte=0), name="marketing_coupon_min_spend_gte_0"),
            models.CheckConstraint(condition=Q(max_discount__isnull=True) | Q(max_discount__gt=0),
                                   name="marketing_coupon_max_discount_gt_0"),
            # The last line of defence against overuse, even for a raw UPDATE.
            models.CheckConstraint(
                condition=Q(used__gte=0) & (Q(usage_limit__isnull=True) | Q(used__lte=models.F("usage_limit"))),
                name="marketing_coupon_used_within_limit",
            ),
        ]

    def __str__(self):
        return self.code

    def clean(self):
        errors = {
            **self.window_errors(),
            **_value_errors(self.kind, self.value),
            **_tier_errors(self.tiers),
        }
        for field in ("usage_limit", "per_customer_limit"):
            if getattr(self, field) is not None and getattr(self, field) < 1:
                errors[field] = "A limit must be at least 1 (leave it empty for no limit)."
        if self.max_discount is not None and self.max_discount <= 0:
            errors["max_discount"] = "The cap must be more than 0.00 (leave it empty for no cap)."
        if self.min_spend is not None and self.min_spend < 0:
            errors["min_spend"] = "The minimum spend cannot be negative."
        errors.update(self.claim_errors())
        if self.code:
            clash = Coupon.objects.filter(code__iexact=self.code).exclude(pk=self.pk)
            if clash.exists():
                errors["code"] = f"A coupon with the code “{self.code}” already exists (codes ignore case)."
        if errors:
            raise ValidationError(errors)


    def claim_errors(self) -> dict:
        """Return the field errors of the wallet settings, for clean()."""
        errors = {}
        if self.claimable and not self.claims_total:
            errors["claims_total"] = "A claimable coupon needs a number of claims (at least 1)."
        elif self.claims_total is not None and self.claims_total < self.claims_used:
            errors["claims_total"] = f"{self.claims_used} claims were already handed out."
        if self.claims_per_customer is not None and self.claims_per_customer < 1:
            errors["claims_per_customer"] = "A shopper must be able to claim at least 1."
        elif (self.claimable and self.per_customer_limit is not None and self.claims_per_customer
              and self.per_customer_limit < self.claims_per_customer):
            errors["per_customer_limit"] = ("A shopper could not use every claim: make the uses per "
                                            "shopper at least the claims per shopper, or leave it empty.")
        return errors

    @property
    def claims_left(self) -> int:
        """Return how many claims are still to be had (0 for a coupon that is not claimable)."""
        if not self.claimable or self.claims_total is None:
            return 0
        return max(self.claims_total - self.claims_used, 0)


class CouponRedemption(models.Model):
    """One use of a coupon by an order. Released when the order is cancelled (kept for history)."""

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="redemptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="coupon_redemptions")
    reference = models.CharField(max_length=64, help_text="The order's reference, e.g. order:SO….")
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["coupon", "reference"], name="marketing_redemption_once_per_order"),
        ]
        indexes = [models.Index(fields=["reference"]), models.Index(fields=["coupon", "user"])]

    def __str__(self):
        return f"{self.coupon} × {self.reference}"


class CouponClaim(models.Model):
    """One claim of a claimable coupon by a shopper (领券): one use of it at checkout.

    `seq` numbers a shopper's claims of one coupon (1, 2, …): with the unique constraint it
    is the database's own guard on the per-shopper limit. `redemption` is the coupon use of
    the order that spent the claim; cancelling that order releases the use and clears the
    link, so the claim is available again. Written only by marketing.services.
    """

    class Status(models.TextChoices):
        AVAILABLE = "available", pgettext_lazy("coupon status", "Available")
        USED = "used", pgettext_lazy("coupon status", "Used")
        EXPIRED = "expired", pgettext_lazy("coupon status", "Expired")

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="claims")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="coupon_claims")
    seq = models.PositiveIntegerField(default=1, editable=False)
    redemption = models.OneToOneField(CouponRedemption, on_delete=models.SET_NULL, null=True,
                                      blank=True, editable=False, related_name="claim")
    claimed_at = models.DateTimeField(default=timezone.now, editable=False)
    used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-claimed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["coupon", "user", "seq"], name="marketing_claim_seq_unique"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="marketing_claim_seq_gte_1"),
        ]
        indexes = [models.Index(fields=["user", "coupon"])]

    def __str__(self):
        return f"{self.coupon} for {self.user}"

    def status_at(self, at=None) -> str:
        """Return used (spent by an order), expired (the coupon ended) or available."""
        if self.redemption_id is not None:
            return self.Status.USED
        if (at or timezone.now()) >= self.coupon.ends_at:
            return self.Status.EXPIRED
        return self.Status.AVAILABLE

    @property
    def status(self) -> str:
        return self.status_at()


# --- Flash sales (秒杀): services and selectors in marketing/flash/, docs/flash-sales.md ------


class FlashSale(TimeWindow):
    """`quantity` units of one SKU at a flash `price` inside a window, each shopper within a limit.

    The units are set aside from the SKU's stock when the sale is created (ordinary orders
    cannot eat them) and what was not sold goes back once when it ends (`stock_returned_at`).
    `sold` counts units taken by orders, paid or awaiting payment; it is written only by
    conditional UPDATEs in marketing.flash, and the CHECK below is the last line of defence
    against overselling even for a raw UPDATE.
    """

    class Status(models.TextChoices):
        UPCOMING = "upcoming", _("Upcoming")
        ACTIVE = "active", _("Active")
        SOLD_OUT = "sold_out", _("Sold out")
        ENDED = "ended", _("Ended")

    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="flash_sales")
    price = models.DecimalField(max_digits=12, decimal_places=2, help_text="Below the SKU's base price.")
    quantity = models.PositiveIntegerField(help_text="Units on sale, set aside from the SKU's stock.")
    sold = models.PositiveIntegerField(default=0, editable=False)
    per_customer_limit = models.PositiveIntegerField(default=1, help_text="Units one shopper may buy.")
    stock_returned_at = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="When the unsold units went back to the SKU's stock (the sale ended).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            *TimeWindow.Meta.constraints,
            models.CheckConstraint(condition=Q(sold__gte=0, sold__lte=models.F("quantity")),
                                   name="marketing_flashsale_sold_within_quantity"),
            models.CheckConstraint(condition=Q(price__gt=0), name="marketing_flashsale_price_gt_0"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="marketing_flashsale_quantity_gte_1"),
            models.CheckConstraint(condition=Q(per_customer_limit__gte=1),
                                   name="marketing_flashsale_limit_gte_1"),
        ]
        indexes = [models.Index(fields=["ends_at", "starts_at"])]

    def __str__(self):
        return f"Flash sale #{self.pk}: {self.sku_id and self.sku}"

    def clean(self):
        errors = self.window_errors()
        if self.price is not None and self.price <= 0:
            errors["price"] = "The flash price must be more than 0.00."
        elif self.price is not None and self.sku_id and self.price >= self.sku.price:
            errors["price"] = (f"The flash price must be below the SKU's base price "
                               f"({format_money(self.sku.price)}).")
        if self.quantity is not None and self.quantity < 1:
            errors["quantity"] = "A flash sale needs at least 1 unit."
        if self.per_customer_limit is not None and self.per_customer_limit < 1:
            errors["per_customer_limit"] = "The limit per customer must be at least 1."
        if errors:
            raise ValidationError(errors)

    def status_at(self, at=None) -> str:
        """Return upcoming, active, sold_out or ended at `at` (now by default)."""
        at = at or timezone.now()
        if at < self.starts_at:
            return self.Status.UPCOMING
        if at >= self.ends_at:
            return self.Status.ENDED
        return self.Status.SOLD_OUT if self.sold >= self.quantity else self.Status.ACTIVE

    @property
    def status(self) -> str:
        return self.status_at()

    @property
    def remaining(self) -> int:
        return max(self.quantity - self.sold, 0)


class FlashPurchase(models.Model):
    """Units of a flash sale taken by one order (`reference` is the order's); released once."""

    class State(models.TextChoices):
        RESERVED = "reserved", _("Reserved (awaiting payment)")
        PAID = "paid", _("Paid")
        RELEASED = "released", _("Released (order cancelled)")

    ACTIVE = (State.RESERVED, State.PAID)

    sale = models.ForeignKey(FlashSale, on_delete=models.PROTECT, related_name="purchases")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="flash_purchases")
    quantity = models.PositiveIntegerField()
    reference = models.CharField(max_length=64, unique=True, help_text="The order's reference.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.RESERVED)
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="marketing_flashpurchase_quantity_gte_1"),
        ]
        indexes = [models.Index(fields=["sale", "user", "state"])]

    def __str__(self):
        return f"{self.quantity} × sale #{self.sale_id} for {self.reference}"
