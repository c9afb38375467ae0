"""Admin pieces shared by the marketing screens (discounts, promotions, coupons, flash sales)."""

from django.contrib import admin
from django.utils import timezone


class WindowColumnsMixin:
    """The window and "running now?" columns every marketing list shows."""

    @admin.display(description="window", ordering="starts_at")
    def window(self, obj):
        fmt = "%Y-%m-%d %H:%M"
        return f"{timezone.localtime(obj.starts_at):{fmt}} → {timezone.localtime(obj.ends_at):{fmt}}"

    @admin.display(description="running now?", boolean=True)
    def running_now(self, obj):
        return obj.is_running()
