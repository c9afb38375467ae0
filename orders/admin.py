"""The staff's order screens: list, read-only order page, and the ship / cancel / refund actions.

The actions call the same services as the API; a refused move is reported per order, the
others still go through.
"""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.template.response import TemplateResponse

from orders import services
from orders.models import (
    Order,
    OrderAdjustment,
    OrderEvent,
    OrderLine,
    Payment,
    Settlement,
    Shipment,
)
from shop.admin import ReadOnlyInlineMixin
from shop.errors import ShopError


class ReadOnlyInline(ReadOnlyInlineMixin, admin.TabularInline):
    pass


class LineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["sku_code", "name", "attributes", "base_price", "unit_price", "price_label",
              "quantity", "line_total", "is_flash"]
    readonly_fields = fields


class AdjustmentInline(ReadOnlyInline):
    model = OrderAdjustment
    fields = ["kind", "label", "amount", "source_id"]
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["gateway", "reference", "amount", "currency", "status", "flagged_for_refund",
              "refund_reference", "created_at"]
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
    fields = ["gross", "price_discount", "promotion", "coupon", "points_value", "shipping",
              "paid", "points_awarded", "created_at"]
    readonly_fields = fields


class ShipForm(forms.Form):
    carrier = forms.CharField(max_length=100)
    tracking_number = forms.CharField(max_length=100)


class RefundForm(forms.Form):
    restock = forms.BooleanField(required=False, label="Put the goods back in stock")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "user", "status", "total", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["number", "user__email"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    fields = ["number", "user", "status", "created_at", "pay_by", "address", "subtotal",
              "shipping", "points_redeemed", "coupon_code", "total", "currency"]
    readonly_fields = fields
    inlines = [LineInline, AdjustmentInline, PaymentInline, SettlementInline, ShipmentInline,
               EventInline]
    actions = ["ship", "cancel", "refund"]

    def has_add_permission(self, request):
        return False  # orders are placed by shoppers and partners, not typed in

    def has_delete_permission(self, request, obj=None):
        return False

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

    @admin.action(description="Ship selected orders (carrier and tracking)",
                  permissions=["change"])
    def ship(self, request, queryset):
        orders = list(queryset)
        if "apply" in request.POST:
            forms_ = [ShipForm(request.POST, prefix=str(o.pk)) for o in orders]
            if all(f.is_valid() for f in forms_):
                by_pk = {o.pk: f.cleaned_data for o, f in zip(orders, forms_)}
                self._each(request, orders, "shipped", lambda o: services.order_ship(
                    order=o, actor=request.user, **by_pk[o.pk]))
                return None
        else:
            forms_ = [ShipForm(prefix=str(o.pk)) for o in orders]
        return TemplateResponse(request, "admin/orders/ship.html", {
            **self.admin_site.each_context(request), "title": "Ship orders",
            "rows": list(zip(orders, forms_)), "opts": self.model._meta,
            "action": "ship",
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
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["reference", "order", "gateway", "amount", "status", "flagged_for_refund",
                    "created_at"]
    list_filter = ["gateway", "status", "flagged_for_refund"]
    search_fields = ["reference", "order__number"]
    list_select_related = ["order"]
    readonly_fields = [f.name for f in Payment._meta.fields]
    actions = ["refund_flagged"]

    def has_add_permission(self, request):
        return False

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
            self.message_user(request, f"{done} payment(s) refunded.", messages.SUCCESS)

    def has_refund_permission(self, request):
        return request.user.has_perm("orders.refund_order")
