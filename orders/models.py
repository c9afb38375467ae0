"""Carts, orders and what happens to them: lines, adjustments, events, payments, settlement, shipments.

Rows here are written by orders.services only. An order copies everything it shows (names,
prices, the address) at the moment it is placed, so it reads the same forever, whatever
later happens to the catalogue or the rules.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Cart(models.Model):
    """A shopper's cart, or an anonymous visitor's (found by a token kept in the session).

    The token, not the session key, identifies an anonymous cart: Django cycles the session
    key at login, and the login merge still has to find the cart.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
        related_name="cart",
    )
    token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(token__isnull=False),
                name="orders_cart_has_owner",
            ),
        ]

    def __str__(self):
        return f"Cart of {self.user or 'a visitor'}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "sku"], name="orders_cartline_one_per_sku"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_cartline_quantity_gt_0"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.sku_id}"


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("Pending payment")
        PAID = "paid", _("Paid")
        PROCESSING = "processing", _("Processing")
        SHIPPED = "shipped", _("Shipped")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    # Null only inside the placing transaction: the number is made from the row id, which
    # the database hands out without any lock shared between checkouts.
    number = models.CharField(max_length=32, unique=True, null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT, db_index=True
    )
    address = models.JSONField(help_text="The delivery address as it was at checkout.")
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    shipping = models.DecimalField(max_digits=12, decimal_places=2)
    points_redeemed = models.PositiveIntegerField(default=0)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    coupon_code = models.CharField(max_length=64, blank=True)
    pay_by = models.DateTimeField(help_text="Unpaid after this, the order is cancelled.")
    idempotency_key = models.CharField(max_length=255, blank=True)
    request_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Indexed for `?updated_since=` (partners' incremental sync); every move bumps it.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # When the last of its shipments was reported delivered (the auto-complete window's start).
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("refund_order", "Can refund orders")]
        constraints = [
            # The same Idempotency-Key from one user can create one order, even when two
            # requests carrying it arrive at once (the loser's INSERT fails here).
            models.UniqueConstraint(
                fields=["user", "idempotency_key"], condition=~Q(idempotency_key=""),
                name="orders_order_idempotency_key_unique",
            ),
            models.CheckConstraint(condition=Q(subtotal__gte=0), name="orders_order_subtotal_gte_0"),
            models.CheckConstraint(condition=Q(shipping__gte=0), name="orders_order_shipping_gte_0"),
            models.CheckConstraint(condition=Q(total__gte=0), name="orders_order_total_gte_0"),
        ]
        indexes = [models.Index(fields=["status", "pay_by"])]

    def __str__(self):
        return self.number or f"Order #{self.pk}"

    def get_absolute_url(self):
        return reverse("orders:detail", kwargs={"number": self.number})

    @property
    def reference(self) -> str:
        """Return the string other apps file this order's ledger rows under."""
        return f"order:{self.number}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    # The snapshot below is what the order shows; the link survives only while the SKU does.
    sku = models.ForeignKey(
        "catalog.Sku", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sku_code = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    attributes = models.JSONField(default=dict, blank=True)
    base_price = models.DecimalField(max_digits=12, decimal_places=2)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    price_label = models.CharField(max_length=200, blank=True)
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(max_digits=12, decimal_places=2)
    is_flash = models.BooleanField(default=False)
    flash_sale_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_line_quantity_gt_0"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="orders_line_unit_price_gte_0"),
            models.CheckConstraint(
                condition=Q(line_total=F("unit_price") * F("quantity")),
                name="orders_line_total_is_unit_times_quantity",
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.sku_code}"


class OrderAdjustment(models.Model):
    """One step of the pricing pipeline that changed the amount (stored negative)."""

    class Kind(models.TextChoices):
        PROMOTION = "promotion", _("Promotion")
        COUPON = "coupon", _("Coupon")
        POINTS = "points", _("Points")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="adjustments")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    label = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__lte=0), name="orders_adjustment_amount_lte_0"),
        ]

    def __str__(self):
        return f"{self.label}: {self.amount}"


class OrderEvent(models.Model):
    """One status change: from, to, who (None for the system), when, why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, choices=Order.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        # Sales by day read the payments and refunds of a date range (orders.selectors).
        indexes = [models.Index(fields=["to_status", "created_at"], name="orders_event_status_at")]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status}"


class Payment(models.Model):
    """What a gateway told the shop, once per (gateway, reference): replays find this row."""

    class Status(models.TextChoices):
        CAPTURED = "captured", _("Captured")
        DECLINED = "declined", _("Declined")
        REFUNDED = "refunded", _("Refunded")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    gateway = models.CharField(max_length=32)
    reference = models.CharField(max_length=128)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=Status.choices)
    raw = models.JSONField(default=dict, blank=True)
    # Money that arrived for an order that could not take it (cancelled, already paid):
    # kept, not applied, and left for staff to refund.
    flagged_for_refund = models.BooleanField(default=False)
    refund_reference = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["gateway", "reference"], name="orders_payment_gateway_reference_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="orders_payment_amount_gte_0"),
        ]

    def __str__(self):
        return f"{self.gateway}:{self.reference} {self.status}"


class Refund(models.Model):
    """Money owed back on one payment: recorded with the move that owes it, paid after commit.

    The cancel or refund that owes the money writes this row in its own transaction; the
    gateway is called only after that commit (orders.services.refunds), so a rolled-back
    move never leaves money refunded. `idempotency_key` goes to the gateway with every
    attempt: a retry after a crash asks for the same refund again instead of a second one.
    The row leaves `pending` once, by a conditional UPDATE.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="refund")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    idempotency_key = models.CharField(max_length=128, unique=True)
    gateway_reference = models.CharField(max_length=128, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # Who may try next and when: a claimed attempt pushes this forward (a lease), a failed
    # one sets the back-off; the sweep picks up rows whose moment has come.
    next_attempt_at = models.DateTimeField(db_index=True)
    last_error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="orders_refund_amount_gte_0"),
        ]

    def __str__(self):
        return f"Refund of {self.payment_id}: {self.amount} {self.currency} {self.status}"


class Settlement(models.Model):
    """How the money of a paid order splits, written once when it is settled.

    gross − price_discount − promotion − coupon − points + shipping = paid, where gross is
    Σ base price × quantity and price_discount what discounts and member prices took off.
    """

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="settlement")
    gross = models.DecimalField(max_digits=12, decimal_places=2)
    price_discount = models.DecimalField(max_digits=12, decimal_places=2)
    promotion = models.DecimalField(max_digits=12, decimal_places=2)
    coupon = models.DecimalField(max_digits=12, decimal_places=2)
    points_value = models.DecimalField(max_digits=12, decimal_places=2)
    shipping = models.DecimalField(max_digits=12, decimal_places=2)
    paid = models.DecimalField(max_digits=12, decimal_places=2)
    points_awarded = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(gross__gte=0, price_discount__gte=0, promotion__gte=0, coupon__gte=0,
                            points_value__gte=0, shipping__gte=0, paid__gte=0),
                name="orders_settlement_amounts_gte_0",
            ),
        ]

    def __str__(self):
        return f"Settlement of {self.order}"


class Shipment(models.Model):
    class Status(models.TextChoices):
        PACKING = "packing", _("Packing")
        SHIPPED = "shipped", _("Shipped")
        IN_TRANSIT = "in_transit", _("In transit")
        DELIVERED = "delivered", _("Delivered")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PACKING)
    carrier = models.CharField(max_length=100, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.carrier} {self.tracking_number}".strip() or f"Shipment #{self.pk}"


class ShipmentEvent(models.Model):
    """A step of a shipment's journey as the carrier's system (TMS) reported it."""

    class Status(models.TextChoices):
        IN_TRANSIT = "in_transit", "In transit"
        DELIVERED = "delivered", "Delivered"

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=20, choices=Status.choices)
    location = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_status_display()} {self.location}".strip()


class OrderEmail(models.Model):
    """An order email owed to the shopper: written with the move that owes it, sent by a worker.

    The row commits with the move, so a message lost after the commit (broker down, worker
    killed, Redis restarted empty) loses no email: the outbox sweep finds the row still
    pending. One row per (order, kind): a kind is sent at most once per order. Sending
    claims the row first (pending → sending with a lease in `next_attempt_at`), so two
    runners never both send; a runner that died holding it frees it when the lease ends.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # Pending: not before this (the back-off after a failure). Sending: the claim's lease end.
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "kind"], name="orders_email_one_per_kind"),
        ]
        # The sweep reads unsent rows by due time.
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="orders_email_due")]

    def __str__(self):
        return f"{self.kind} email of {self.order_id}: {self.status}"
