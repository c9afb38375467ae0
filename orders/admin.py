"""The staff's order screens: list, read-only order page, the ship / cancel / refund actions,
packing slips and CSV exports.

The actions call the same services as the API; a refused move is reported per order, the
others still go through. Nothing on an order, a payment or a settlement is typed in, so
their pages are for reading (no Save, no Delete).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from orders import exports, services
from orders.models import (
    Order,
    OrderAdjustment,
    OrderEmail,
    OrderEvent,
    OrderLine,
    Payment,
    Refund,
    Settlement,
    Shipment,
)
from shop.admin import (
    ReadOnlyAdminMixin,
    ReadOnlyInlineMixin,
    inline_text,
    money_column,
    readable,
)
from shop.errors import ShopError


class ReadOnlyInline(ReadOnlyInlineMixin, admin.TabularInline):
    """A part of an order, shown as a table: written by the services, never here."""


def address_lines(address: dict) -> list[str]:
    """Return a delivery address snapshot as the lines of a parcel label."""
    def get(name: str) -> str:
        return str(address.get(name) or "").strip()

    lines = [
        " ".join(part for part in (get("name"), get("phone")) if part),
        get("line1"), get("line2"),
        " ".join(part for part in (get("postcode"), get("city"), get("province")) if part),
        get("country"),
    ]
    return [line for line in lines if line]


class LineInline(ReadOnlyInline):
    model = OrderLine
    base_price_money = money_column("base_price", "base price")
    unit_price_money = money_column("unit_price", "unit price")
    line_total_money = money_column("line_total", "line total")
    fields = ["sku_code", "name", "attributes_text", "base_price_money", "unit_price_money",
              "price_label", "quantity", "line_total_money", "is_flash"]
    readonly_fields = fields

    @admin.display(description="attributes")
    def attributes_text(self, line):
        return readable(line.attributes)


class AdjustmentInline(ReadOnlyInline):
    model = OrderAdjustment
    amount_money = money_column("amount")
    fields = ["kind", "label", "amount_money", "source_id"]
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    amount_money = money_column("amount")
    fields = ["gateway", "reference", "amount_money", "currency", "status", "flagged_for_refund",
              "refund_reference", "created_at"]
    readonly_fields = fields


class RefundInline(ReadOnlyInline):
    model = Refund
    fk_name = "order"
    fields = ["payment", "amount", "currency", "status", "attempts", "last_error",
              "gateway_reference", "created_at", "done_at"]
    readonly_fields = fields


class EmailInline(ReadOnlyInline):
    model = OrderEmail
    fields = ["kind", "status", "attempts", "last_error", "created_at", "sent_at"]
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["created_at", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields


class ShipmentInline(ReadOnlyInline):
    model = Shipment
    fields = ["status", "carrier", "tracking_number", "created_at", "shipped_at"]
    readonly_fields = fields


class SettlementInline(ReadOnlyInline):
    model = Settlement
    gross_money = money_column("gross")
    price_discount_money = money_column("price_discount", "price discount")
    promotion_money = money_column("promotion")
    coupon_money = money_column("coupon")
    points_value_money = money_column("points_value", "points value")
    shipping_money = money_column("shipping")
    paid_money = money_column("paid")
    fields = ["gross_money", "price_discount_money", "promotion_money", "coupon_money",
              "points_value_money", "shipping_money", "paid_money", "points_awarded", "created_at"]
    readonly_fields = fields


class ShipForm(forms.Form):
    carrier = forms.CharField(max_length=100, required=False)
    tracking_number = forms.CharField(max_length=100)


class CarrierForm(forms.Form):
    """The carrier of every selected order, unless a row names its own."""

    carrier = forms.CharField(max_length=100, required=False, label="Carrier for all")


class RefundForm(forms.Form):
    restock = forms.BooleanField(required=False, label="Put the goods back in stock")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    total_money = money_column("total")
    subtotal_money = money_column("subtotal")
    shipping_money = money_column("shipping")
    list_display = ["number", "user", "status", "total_money", "created_at"]
    list_filter = ["status", "created_at", "payments__gateway", "shipments__carrier"]
    search_fields = ["number", "user__email", "coupon_code", "lines__sku_code",
                     "shipments__tracking_number"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    readonly_fields = ["number", "user", "status", "created_at", "pay_by", "delivery_address",
                       "subtotal_money", "shipping_money", "points_redeemed", "coupon_code",
                       "total_money", "currency"]
    inlines = [LineInline, AdjustmentInline, PaymentInline, RefundInline, SettlementInline,
               ShipmentInline, EmailInline, EventInline]
    actions = ["ship", "packing_slips", "cancel", "refund"]
    change_list_template = "admin/orders/order/change_list.html"

    def get_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None and obj.status != Order.Status.PENDING_PAYMENT:
            fields.remove("pay_by")  # "unpaid after…" means nothing once the order is paid
        return fields

    @admin.display(description="address")
    def delivery_address(self, order):
        lines = address_lines(order.address)
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))  # nosec B308 - a constant

    def has_add_permission(self, request):
        return False  # orders are placed by shoppers and partners, not typed in

    def has_change_permission(self, request, obj=None):
        # An order page is for reading: every move is an action with its own rules. The list
        # keeps the permission, which the ship action asks for.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    # --- Exports: the orders the list shows (its filters and date range), streamed -------

    def get_urls(self):
        return [
            path("export/orders.csv", self.admin_site.admin_view(self.export_orders_view),
                 name="orders_order_export"),
            path("export/lines.csv", self.admin_site.admin_view(self.export_lines_view),
                 name="orders_order_export_lines"),
            *super().get_urls(),
        ]

    def _listed(self, request):
        """Return the orders the change list shows for this request's filters."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return self.get_changelist_instance(request).get_queryset(request)

    def export_orders_view(self, request):
        try:
            orders = self._listed(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest("Unknown filter.")
        return exports.orders_csv_response(orders)

    def export_lines_view(self, request):
        try:
            orders = self._listed(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest("Unknown filter.")
        return exports.lines_csv_response(orders)

    def _each(self, request, queryset, verb: str, call):
        done = 0
        for order in queryset:
            try:
                with transaction.atomic():
                    call(order)
            except ShopError as exc:
                self.message_user(request, f"{order.number}: {exc.detail}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} order(s) {verb}.", messages.SUCCESS)

    @admin.action(description="Mark selected orders shipped (carrier and tracking)",
                  permissions=["change"])
    def ship(self, request, queryset):
        """Ship each order with one shipment: a carrier for all (or per row), a tracking number each."""
        orders = list(queryset.order_by("created_at", "pk"))
        if "apply" in request.POST:
            common = CarrierForm(request.POST)
            forms_ = [ShipForm(request.POST, prefix=str(o.pk)) for o in orders]
            if common.is_valid() and all(f.is_valid() for f in forms_):
                default = common.cleaned_data["carrier"]
                by_pk = {o.pk: {**f.cleaned_data, "carrier": f.cleaned_data["carrier"] or default}
                         for o, f in zip(orders, forms_)}
                self._each(request, orders, "shipped", lambda o: services.order_ship(
                    order=o, actor=request.user, **by_pk[o.pk]))
                return None
        else:
            common = CarrierForm()
            forms_ = [ShipForm(prefix=str(o.pk)) for o in orders]
        return TemplateResponse(request, "admin/orders/ship.html", {
            **self.admin_site.each_context(request), "title": "Ship orders",
            "rows": list(zip(orders, forms_)), "common": common, "opts": self.model._meta,
            "action": "ship",
        })

    @admin.action(description="Print packing slips of the selected orders", permissions=["view"])
    def packing_slips(self, request, queryset):
        """Return one printable page per order: the address label and what goes in the parcel."""
        orders = queryset.order_by("created_at", "pk").prefetch_related("lines")
        return TemplateResponse(request, "admin/orders/packing_slips.html", {
            "orders": [(order, address_lines(order.address),
                        [(line, inline_text(line.attributes)) for line in order.lines.all()])
                       for order in orders],
            "site_header": self.admin_site.site_header,
        })

    # Cancelling a paid order refunds it, so it takes the refund permission, as in the API.
    @admin.action(description="Cancel selected orders (paid ones are refunded)",
                  permissions=["refund"])
    def cancel(self, request, queryset):
        self._each(request, queryset, "cancelled", lambda o: services.order_cancel(
            order=o, actor=request.user, by_staff=True))

    @admin.action(description="Refund selected orders", permissions=["refund"])
    def refund(self, request, queryset):
        if "apply" in request.POST:
            form = RefundForm(request.POST)
            if form.is_valid():
                restock = form.cleaned_data["restock"]
                self._each(request, queryset, "refunded", lambda o: services.order_refund(
                    order=o, actor=request.user, restock=restock))
                return None
        else:
            form = RefundForm()
        return TemplateResponse(request, "admin/orders/refund.html", {
            **self.admin_site.each_context(request), "title": "Refund orders",
            "orders": list(queryset), "form": form, "opts": self.model._meta,
            "action": "refund",
        })

    def has_refund_permission(self, request):
        return request.user.has_perm("orders.refund_order")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: a payment is what a gateway said; flagged money goes back by the action."""

    amount_money = money_column("amount")
    list_display = ["reference", "order", "gateway", "amount_money", "status",
                    "flagged_for_refund", "created_at"]
    list_filter = ["gateway", "status", "flagged_for_refund", "created_at"]
    search_fields = ["reference", "refund_reference", "order__number", "order__user__email"]
    list_select_related = ["order"]
    date_hierarchy = "created_at"
    readonly_fields = ["order", "gateway", "reference", "amount_money", "currency", "status",
                       "flagged_for_refund", "refund_reference", "created_at", "gateway_data"]
    actions = ["refund_flagged"]

    @admin.display(description="what the gateway sent")
    def gateway_data(self, payment):
        return readable(payment.raw)

    @admin.action(description="Refund flagged payments", permissions=["refund"])
    def refund_flagged(self, request, queryset):
        done = 0
        for payment in queryset.select_related("order"):
            try:
                services.payment_refund(payment=payment, actor=request.user)
            except ShopError as exc:
                self.message_user(request, f"{payment.reference}: {exc.detail}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} refund(s) recorded; the gateway pays them shortly.",
                              messages.SUCCESS)

    def has_refund_permission(self, request):
        return request.user.has_perm("orders.refund_order")


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Refunds as the gateway sees them: written by orders.services.refunds only, read here."""

    list_display = ["pk", "order", "payment", "amount_money", "status", "attempts",
                    "next_attempt_at", "done_at"]
    amount_money = money_column("amount")
    list_filter = ["status", "created_at"]
    search_fields = ["order__number", "payment__reference", "gateway_reference",
                     "idempotency_key"]
    list_select_related = ["order", "payment"]
    readonly_fields = [f.name for f in Refund._meta.fields]
