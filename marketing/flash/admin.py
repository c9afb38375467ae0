"""Staff screens for flash sales: sold/quantity, status, window; writes through marketing.flash.

Creating sets the units aside from the SKU's stock, so the SKU and the quantity are fixed
afterwards (read-only on the change page). The form checks the stock for a clear message; the
service re-checks it atomically. marketing/admin.py registers these classes.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone

from marketing import flash
from marketing.admin_mixins import WindowColumnsMixin
from marketing.models import FlashPurchase, FlashSale
from shop.admin import ReadOnlyAdminMixin, ReadOnlyInlineMixin
from shop.money import format_money


class FlashSaleForm(forms.ModelForm):
    class Meta:
        model = FlashSale
        fields = ["sku", "price", "quantity", "per_customer_limit", "starts_at", "ends_at"]

    def clean(self):
        data = super().clean()
        if self.instance.pk is not None:
            return data
        sku, quantity = data.get("sku"), data.get("quantity")
        if sku is not None and quantity is not None and quantity > sku.stock:
            self.add_error("quantity", f"Only {sku.stock} units of {sku.code} are in stock: "
                                       f"a flash sale cannot set aside {quantity}.")
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at > starts_at and ends_at <= timezone.now():
            self.add_error("ends_at", "The end must be in the future.")
        return data


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("upcoming", "Upcoming"), ("running", "Running"), ("ended", "Ended")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "upcoming":
            return queryset.filter(starts_at__gt=now)
        if self.value() == "running":
            return queryset.filter(starts_at__lte=now, ends_at__gt=now)
        if self.value() == "ended":
            return queryset.filter(ends_at__lte=now)
        return queryset


class PurchaseInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = FlashPurchase
    fields = ["user", "quantity", "reference", "state", "created_at", "released_at"]
    readonly_fields = fields


class FlashSaleAdmin(WindowColumnsMixin, admin.ModelAdmin):
    form = FlashSaleForm
    list_display = ["__str__", "product", "flash_price", "sold_of_quantity", "status_label", "window"]
    list_filter = [StatusFilter, "starts_at"]
    search_fields = ["sku__code", "sku__product__name"]
    list_select_related = ["sku__product"]
    raw_id_fields = ["sku"]
    readonly_fields = ["sold", "stock_returned_at"]
    inlines = [PurchaseInline]

    @admin.display(description="product", ordering="sku__product__name")
    def product(self, obj):
        return obj.sku.product.name

    @admin.display(description="price")
    def flash_price(self, obj):
        return f"{format_money(obj.price)} (was {format_money(obj.sku.price)})"

    @admin.display(description="sold / quantity", ordering="sold")
    def sold_of_quantity(self, obj):
        return f"{obj.sold} / {obj.quantity}"

    @admin.display(description="status")
    def status_label(self, obj):
        return FlashSale.Status(obj.status).label

    def get_readonly_fields(self, request, obj=None):
        fixed = ["sku", "quantity"] if obj is not None else []
        return [*fixed, *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data if name in flash.EDITABLE}
            saved = flash.flash_sale_update(sale=obj, **fields)
        else:
            saved = flash.flash_sale_create(
                **{name: form.cleaned_data[name] for name in FlashSaleForm.Meta.fields}
            )
        obj.pk, obj.sold = saved.pk, saved.sold

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.sold or obj.purchases.exists()):
            return False  # bought from: end it instead
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        flash.flash_sale_delete(sale=obj)

    def delete_queryset(self, request, queryset):
        for sale in queryset:
            try:
                flash.flash_sale_delete(sale=sale)
            except ValidationError as exc:
                self.message_user(request, f"{sale}: {' '.join(exc.messages)}", messages.ERROR)


class FlashPurchaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["reference", "sale", "user", "quantity", "state", "created_at", "released_at"]
    list_filter = ["state", "created_at"]
    search_fields = ["reference", "user__email", "sale__sku__code"]
    list_select_related = ["sale__sku", "user"]
