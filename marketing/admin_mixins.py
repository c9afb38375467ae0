"""Admin pieces shared by the marketing screens (discounts, promotions, coupons, flash sales)."""

from django.contrib import admin
from django.utils import timezone


class WindowColumnsMixin:
    """The window and "running now?" columns every marketing list shows."""

    WINDOW_FIELDS = ("starts_at", "ends_at", "is_active")
    window_after: str | None = None  # the form field the window follows; else before the read-only ones

    def get_fields(self, request, obj=None):
        # The window's fields come from the shared TimeWindow base, hence first in the
        # model; the form shows what the offer is before when it runs.
        every = list(super().get_fields(request, obj))
        window = [name for name in every if name in self.WINDOW_FIELDS]
        fields = [name for name in every if name not in self.WINDOW_FIELDS]
        if self.window_after in fields:
            at = fields.index(self.window_after) + 1
        else:
            readonly = self.get_readonly_fields(request, obj)
            at = next((i for i, name in enumerate(fields) if name in readonly), len(fields))
        return fields[:at] + window + fields[at:]

    @admin.display(description="window", ordering="starts_at")
    def window(self, obj):
        fmt = "%Y-%m-%d %H:%M"
        return f"{timezone.localtime(obj.starts_at):{fmt}} → {timezone.localtime(obj.ends_at):{fmt}}"

    @admin.display(description="running now?", boolean=True)
    def running_now(self, obj):
        return obj.is_running()
