"""Staff screens of reviews (hide and show), wishlists and stock alerts (read-only lists).

Registered in catalog/admin.py with the rest of the catalogue.
"""

from django.contrib import admin, messages

from catalog.shoppers.reviews import review_set_visible, reviews_set_visible
from shop.admin import ReadOnlyAdminMixin


class ReviewAdmin(admin.ModelAdmin):
    """Staff read every review and hide or show it; the words stay the shopper's."""

    list_display = ["product", "rating", "title", "user", "is_visible", "verified_purchase",
                    "created_at"]
    list_filter = ["is_visible", "verified_purchase", "rating"]
    list_select_related = ["product", "user"]
    search_fields = ["product__name", "user__email", "title", "body"]
    date_hierarchy = "created_at"
    fields = ["product", "user", "rating", "title", "body", "verified_purchase", "is_visible",
              "created_at"]
    readonly_fields = ["product", "user", "rating", "title", "body", "verified_purchase",
                       "created_at"]
    actions = ["hide", "show"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # hiding keeps the shopper's bonus record and the history honest

    def save_model(self, request, obj, form, change):
        # The rating of the product follows through the service, not a plain save.
        if "is_visible" in form.changed_data:
            review_set_visible(review=obj, is_visible=obj.is_visible)

    @admin.action(description="Hide the selected reviews", permissions=["change"])
    def hide(self, request, queryset):
        changed = reviews_set_visible(review_ids=queryset.values_list("pk", flat=True),
                                      is_visible=False)
        self.message_user(request, f"{changed} review(s) hidden.", messages.SUCCESS)

    @admin.action(description="Show the selected reviews", permissions=["change"])
    def show(self, request, queryset):
        changed = reviews_set_visible(review_ids=queryset.values_list("pk", flat=True),
                                      is_visible=True)
        self.message_user(request, f"{changed} review(s) shown.", messages.SUCCESS)


class WishlistItemAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["product", "user", "created_at"]
    list_select_related = ["product", "user"]
    search_fields = ["product__name", "user__email"]
    date_hierarchy = "created_at"


class NotifiedFilter(admin.SimpleListFilter):
    title = "notified"
    parameter_name = "notified"

    def lookups(self, request, model_admin):
        return [("yes", "Email sent"), ("no", "Waiting")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(notified_at__isnull=self.value() == "no")
        return queryset


class StockAlertAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["sku", "product", "user", "created_at", "notified_at"]
    list_filter = [NotifiedFilter]
    list_select_related = ["sku__product", "user"]
    search_fields = ["sku__code", "sku__product__name", "user__email"]
    date_hierarchy = "created_at"

    @admin.display(description="product", ordering="sku__product__name")
    def product(self, alert):
        return alert.sku.product
