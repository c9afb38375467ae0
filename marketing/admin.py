"""Staff screens for discounts, promotions and coupons; coupon uses and claims are read-only history.

Flash sales have their screens in marketing/flash/admin.py; they are registered here with the rest.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from catalog.models import Category
from marketing.admin_mixins import WindowColumnsMixin
from marketing.flash.admin import FlashPurchaseAdmin, FlashSaleAdmin
from marketing.models import (
    Coupon,
    CouponClaim,
    CouponRedemption,
    Discount,
    FlashPurchase,
    FlashSale,
    Kind,
    Promotion,
)
from marketing.services import (
    coupon_batch_generate,
    coupon_save,
    discount_save,
    offer_delete,
    promotion_save,
)
from shop.admin import ReadOnlyAdminMixin, ReadOnlyInlineMixin, money_column
from shop.money import format_money


class RunningNowFilter(admin.SimpleListFilter):
    title = "running now"
    parameter_name = "running"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        ids = queryset.running(timezone.now()).values("pk")
        return queryset.filter(pk__in=ids) if self.value() == "yes" else queryset.exclude(pk__in=ids)


@admin.display(description="reduction", ordering="value")
def reduction(model_admin, obj):
    """A percent or a fixed amount off, as staff say it: `10 %` or `¥30.00`."""
    return f"{obj.value.normalize():f} %" if obj.kind == Kind.PERCENT else format_money(obj.value)


class SavedByServiceMixin:
    """Save through the marketing service (`save_service`), as the API does, M2M scopes included.

    The form has already put the plain fields on the instance; the service validates, saves
    and sets the many-to-many fields named in `m2m_fields` in one transaction, so
    save_related only saves the inlines.
    """

    save_service = None  # staticmethod(discount_save): called as save_service(<model name>=obj, **m2m)
    m2m_fields: tuple[str, ...] = ()

    def save_model(self, request, obj, form, change):
        m2m = {name: form.cleaned_data[name] for name in self.m2m_fields if name in form.cleaned_data}
        self.save_service(**{obj._meta.model_name: obj}, **m2m)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(Discount)
class DiscountAdmin(SavedByServiceMixin, WindowColumnsMixin, admin.ModelAdmin):
    save_service = staticmethod(discount_save)
    m2m_fields = ("products", "categories")
    reduction = reduction
    list_display = ["name", "reduction", "window", "running_now", "is_active"]
    list_filter = [RunningNowFilter, "is_active", "kind", "starts_at"]
    search_fields = ["name", "products__name", "categories__name"]
    raw_id_fields = ["products"]
    filter_horizontal = ["categories"]
    date_hierarchy = "starts_at"

    def delete_model(self, request, obj):
        offer_delete(offer=obj)

    def delete_queryset(self, request, queryset):
        for offer in queryset:
            offer_delete(offer=offer)


@admin.register(Promotion)
class PromotionAdmin(SavedByServiceMixin, WindowColumnsMixin, admin.ModelAdmin):
    save_service = staticmethod(promotion_save)
    m2m_fields = ("categories",)
    threshold_money = money_column("threshold")
    amount_off_money = money_column("amount_off", "amount off")
    list_display = ["name", "threshold_money", "amount_off_money", "tier_scope", "window",
                    "running_now", "is_active"]
    list_filter = [RunningNowFilter, "is_active", "starts_at"]
    search_fields = ["name", "categories__name"]
    filter_horizontal = ["categories"]

    @admin.display(description="tiers")
    def tier_scope(self, obj):
        return ", ".join(obj.tiers) or "all"

    def delete_model(self, request, obj):
        offer_delete(offer=obj)

    def delete_queryset(self, request, queryset):
        for offer in queryset:
            offer_delete(offer=offer)


class RedemptionInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = CouponRedemption
    fields = ["user", "reference", "created_at", "released_at"]
    readonly_fields = fields
    show_change_link = True


class CouponBatchForm(forms.Form):
    prefix = forms.RegexField(regex=r"^[A-Za-z0-9_]{0,20}$", required=False,
                              help_text="Codes look like PREFIX-7KQ2M9XD.")
    count = forms.IntegerField(min_value=1, max_value=10_000, initial=100)
    kind = forms.ChoiceField(choices=Kind.choices)
    value = forms.DecimalField(max_digits=12, decimal_places=2)
    max_discount = forms.DecimalField(max_digits=12, decimal_places=2, required=False)
    min_spend = forms.DecimalField(max_digits=12, decimal_places=2, initial=0)
    starts_at = forms.SplitDateTimeField(widget=admin.widgets.AdminSplitDateTime)
    ends_at = forms.SplitDateTimeField(widget=admin.widgets.AdminSplitDateTime)
    categories = forms.ModelMultipleChoiceField(Category.objects.all(), required=False)
    combinable_with_promotions = forms.BooleanField(required=False, initial=True)


@admin.register(Coupon)
class CouponAdmin(SavedByServiceMixin, WindowColumnsMixin, admin.ModelAdmin):
    save_service = staticmethod(coupon_save)
    window_after = "min_spend"
    m2m_fields = ("categories",)
    reduction = reduction
    min_spend_money = money_column("min_spend", "min spend")
    list_display = ["code", "name", "reduction", "min_spend_money", "window", "running_now", "uses",
                    "claims"]
    list_filter = [RunningNowFilter, "kind", "claimable", "combinable_with_promotions", "starts_at"]
    search_fields = ["code", "name"]
    readonly_fields = ["used", "claims_used"]
    filter_horizontal = ["categories"]
    inlines = [RedemptionInline]
    change_list_template = "admin/marketing/coupon/change_list.html"

    @admin.display(description="uses / limit", ordering="used")
    def uses(self, obj):
        return f"{obj.used} / {obj.usage_limit if obj.usage_limit is not None else '∞'}"

    @admin.display(description="claims left / total", ordering="claims_used")
    def claims(self, obj):
        if not obj.claimable:
            return "—"
        return f"{obj.claims_left} / {obj.claims_total}"

    def get_urls(self):
        generate = path("generate/", self.admin_site.admin_view(self.generate_view),
                        name="marketing_coupon_generate")
        return [generate, *super().get_urls()]

    def generate_view(self, request):
        """Bulk-generate N single-use coupon codes sharing one set of terms."""
        if not self.has_add_permission(request):
            raise admin.sites.PermissionDenied
        form = CouponBatchForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            prefix = data.pop("prefix").upper()
            try:
                coupons = coupon_batch_generate(
                    prefix=prefix, count=data.pop("count"),
                    categories=data.pop("categories"), **data,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                value = f"{data['value']} %" if data["kind"] == Kind.PERCENT else format_money(data["value"])
                self.message_user(request, f"Generated {len(coupons)} single-use coupons ({value} off).",
                                  messages.SUCCESS)
                changelist = reverse("admin:marketing_coupon_changelist")
                return redirect(f"{changelist}?q={prefix}-" if prefix else changelist)
        context = {
            **self.admin_site.each_context(request), "title": "Generate single-use coupons",
            "form": form, "opts": self.model._meta, "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/marketing/coupon/generate.html", context)


@admin.register(CouponRedemption)
class CouponRedemptionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["coupon", "user", "reference", "created_at", "released_at"]
    list_filter = ["created_at", "released_at"]
    search_fields = ["coupon__code", "reference", "user__email"]
    list_select_related = ["coupon", "user"]


class ClaimStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return CouponClaim.Status.choices

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == CouponClaim.Status.USED:
            return queryset.filter(redemption__isnull=False)
        if self.value() == CouponClaim.Status.EXPIRED:
            return queryset.filter(redemption__isnull=True, coupon__ends_at__lte=now)
        if self.value() == CouponClaim.Status.AVAILABLE:
            return queryset.filter(redemption__isnull=True, coupon__ends_at__gt=now)
        return queryset


@admin.register(CouponClaim)
class CouponClaimAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Claims are the shoppers' (the coupon centre); staff read them."""

    list_display = ["coupon", "user", "claim_status", "claimed_at", "used_at", "order_reference"]
    list_filter = [ClaimStatusFilter, "claimed_at"]
    search_fields = ["coupon__code", "user__email", "redemption__reference"]
    list_select_related = ["coupon", "user", "redemption"]
    date_hierarchy = "claimed_at"

    @admin.display(description="status")
    def claim_status(self, obj):
        return CouponClaim.Status(obj.status).label

    @admin.display(description="order")
    def order_reference(self, obj):
        return obj.redemption.reference if obj.redemption_id else "—"


admin.site.register(FlashSale, FlashSaleAdmin)
admin.site.register(FlashPurchase, FlashPurchaseAdmin)
