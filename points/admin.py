"""Staff screens: accounts (balance read-only), the ledger (read-only), adjust points.

Balances change only through the ledger services, so nothing here edits a row: an
adjustment is a new `adjust` entry written by points_adjust, with its reason and author.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from points.forms import AdjustPointsForm
from points.models import LedgerEntry, PointsAccount
from points.services import points_adjust
from shop.admin import ReadOnlyAdminMixin, ReadOnlyInlineMixin
from shop.pages import flash_errors

ADJUST_PERMISSION = "points.adjust_points"


class LedgerEntryInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = LedgerEntry
    fields = ["created_at", "kind", "delta", "reference", "reason", "expires_at", "shortfall",
              "created_by"]
    readonly_fields = fields
    ordering = ["-created_at", "-pk"]
    show_change_link = True
    classes = ["collapse"]


@admin.register(PointsAccount)
class PointsAccountAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "balance", "created_at", "adjust_link"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    readonly_fields = ["user", "balance", "created_at"]
    inlines = [LedgerEntryInline]
    actions = ["adjust_selected"]

    @admin.display(description="")
    def adjust_link(self, account):
        url = reverse("admin:points_pointsaccount_adjust", args=[account.pk])
        return format_html('<a href="{}">Adjust points</a>', url)

    @admin.action(description="Adjust the points of the selected account",
                  permissions=["adjust"])
    def adjust_selected(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one account to adjust.", messages.WARNING)
            return None
        return redirect("admin:points_pointsaccount_adjust", queryset.get().pk)

    def has_adjust_permission(self, request):
        return request.user.has_perm(ADJUST_PERMISSION)

    def get_urls(self):
        view = self.admin_site.admin_view(self.adjust_view)
        return [
            path("adjust/", view, name="points_pointsaccount_adjust_any"),
            path("<int:account_id>/adjust/", view, name="points_pointsaccount_adjust"),
            *super().get_urls(),
        ]

    def adjust_view(self, request, account_id=None):
        """Write an adjust entry through points_adjust; the form requires a reason."""
        if not self.has_adjust_permission(request):
            raise PermissionDenied
        account = get_object_or_404(PointsAccount, pk=account_id) if account_id else None
        user = account.user if account else None
        form = AdjustPointsForm(request.POST or None, user=user)
        if request.method == "POST" and form.is_valid():
            with flash_errors(request):
                entry = points_adjust(user=form.user, delta=form.cleaned_data["delta"],
                                      reason=form.cleaned_data["reason"], by=request.user)
                self.message_user(request, f"{entry.delta:+d} points for {form.user}: "
                                           f"{entry.reason}", messages.SUCCESS)
                return redirect("admin:points_pointsaccount_change", entry.account_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Adjust points: {user}" if user else "Adjust points",
            "account": account,
            "form": form,
        }
        return TemplateResponse(request, "admin/points/adjust.html", context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "adjust_any_url": reverse("admin:points_pointsaccount_adjust_any")}
        return super().changelist_view(request, extra_context)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "account", "kind", "delta", "reference", "reason", "expires_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["reference", "account__user__email", "reason"]
    list_select_related = ["account__user"]
    date_hierarchy = "created_at"
    readonly_fields = ["account", "kind", "delta", "reference", "reason", "created_at",
                       "expires_at", "shortfall", "created_by"]
