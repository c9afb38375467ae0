"""Staff screens: the tier ladder (validated), memberships with their history, spend records."""

from django.contrib import admin, messages

from membership.models import Membership, SpendRecord, Tier, TierChange
from membership.services import membership_evaluate, tier_delete, tier_save
from shop.admin import ReadOnlyAdminMixin, ReadOnlyInlineMixin, money_column


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    # Validation runs in Tier.clean() (validators.tier_validate): a broken ladder never saves.
    # Saves and deletes go through the services, which mark every member due for the daily
    # review: a moved threshold moves members either way.
    threshold_money = money_column("threshold", "spend threshold")
    list_display = ["name", "code", "rank", "threshold_money", "discount_percent", "points_multiplier",
                    "free_shipping"]
    ordering = ["rank"]

    def save_model(self, request, obj, form, change):
        tier_save(tier=obj)

    def delete_model(self, request, obj):
        tier_delete(tier=obj)

    def delete_queryset(self, request, queryset):
        for tier in queryset:
            tier_delete(tier=tier)

    def has_delete_permission(self, request, obj=None):
        # The tier at 0 is where every member starts; without it new members have no tier.
        if obj is not None and obj.threshold == 0 and Tier.objects.exclude(pk=obj.pk).exists():
            return False
        return super().has_delete_permission(request, obj)


class TierChangeInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = TierChange
    spend_money = money_column("spend")
    fields = ["created_at", "from_tier", "to_tier", "reason", "reference", "spend_money"]
    readonly_fields = fields
    ordering = ["-created_at", "-pk"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    spend_money = money_column("spend_365d", "spend, 365 days")
    list_display = ["user", "tier", "spend_money", "evaluated_at", "review_at"]
    list_filter = ["tier"]
    list_select_related = ["user", "tier"]
    search_fields = ["user__email"]
    # The tier follows the spend; staff move it with the "re-evaluate" action, not by hand.
    readonly_fields = ["user", "tier", "spend_money", "evaluated_at", "review_at", "created_at"]
    inlines = [TierChangeInline]
    actions = ["reevaluate"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Re-evaluate the tier of the selected members")
    def reevaluate(self, request, queryset):
        changed = 0
        for membership in queryset.select_related("user"):
            before = membership.tier_id
            after = membership_evaluate(user=membership.user, reason=TierChange.Reason.STAFF)
            changed += after.tier_id != before
        self.message_user(
            request, f"Re-evaluated {queryset.count()} member(s); {changed} changed tier.",
            messages.SUCCESS,
        )


@admin.register(SpendRecord)
class SpendRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: spend comes from settlement and refunds, never typed in."""

    amount_money = money_column("amount")
    list_display = ["reference", "user", "amount_money", "at", "reversed_at"]
    list_select_related = ["user"]
    search_fields = ["reference", "user__email"]
    date_hierarchy = "at"
