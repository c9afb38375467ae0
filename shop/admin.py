"""The admin site of the shop and the pieces every app's admin shares.

- `ShopAdminSite`: named after SHOP_NAME; its front page is the dashboard
  (SHOP_ADMIN_DASHBOARD names the function that computes it, so this bottom layer imports
  no app above it); the framework's tables (tokens, lockout records, beat schedules, email
  addresses) are for superusers only; sections of the same name are shown as one.
- Mixins: read-only records and inlines, superuser-only framework screens.
- Display helpers: money with the currency symbol, JSON values as readable text.
"""

import logging

from django.conf import settings
from django.contrib import admin
from django.db.models.base import ModelBase
from django.utils.html import format_html, format_html_join
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe
from sorl.thumbnail import get_thumbnail

from shop.money import format_money

log = logging.getLogger(__name__)

# App labels of the libraries' tables: DRF tokens, django-axes, django-celery-beat, allauth.
FRAMEWORK_APP_LABELS = frozenset({"authtoken", "axes", "django_celery_beat", "account"})


class ReadOnlyAdminMixin:
    """A record staff read but never add, edit or delete (history, money, ledgers).

    The change page then opens in Django's view mode: no Save and no Delete buttons.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInlineMixin(ReadOnlyAdminMixin):
    """A read-only inline: no empty extra rows, nothing to tick for deletion."""

    extra = 0
    can_delete = False


class SuperuserOnlyMixin:
    """Framework tables: superusers see and manage them; no duty group does."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, *args):
        return request.user.is_active and request.user.is_superuser and super().has_add_permission(
            request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser and super().has_change_permission(
            request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser and super().has_delete_permission(
            request, obj)


def money_column(field: str, description: str | None = None):
    """Return an admin display method showing `field` as money (`¥1,299.00`), `—` when empty.

    Use it as a class attribute and name it in `list_display` / `readonly_fields`.
    """

    @admin.display(description=description or field.replace("_", " "), ordering=field)
    def show(model_admin, obj):
        value = getattr(obj, field)
        return "—" if value is None else format_money(value)

    show.__name__ = f"{field}_money"
    return show


def readable(value) -> str:
    """Return a JSON value (dict, list, scalar) as escaped HTML text: `key: value` lines.

    Nested values read on one line (`size: M, colour: red`); an empty value reads `—`.
    """
    if value in (None, "", {}, []):
        return "—"
    if isinstance(value, dict):
        # Sorted: PostgreSQL's jsonb keeps no key order, so sorting is the one stable order.
        rows = ((str(key).replace("_", " "), inline_text(item)) for key, item in sorted(value.items()))
        return format_html_join(mark_safe("<br>"), "{}: {}", rows)  # nosec B308 - a constant
    if isinstance(value, list):
        return format_html_join(mark_safe("<br>"), "{}",  # nosec B308 - a constant
                                ((inline_text(item),) for item in value))
    return format_html("{}", value)


def inline_text(value) -> str:
    """Return a nested JSON value on one line (`colour: red, size: M`)."""
    if isinstance(value, dict):
        return ", ".join(f"{key}: {inline_text(item)}" for key, item in sorted(value.items())) or "—"
    if isinstance(value, list):
        return ", ".join(inline_text(item) for item in value) or "—"
    return "—" if value in (None, "") else str(value)


def thumbnail_tag(name: str | None, *, size: str = "48x48") -> str:
    """Return an <img> of a stored image's thumbnail (made once by sorl-thumbnail), or `—`."""
    if not name:
        return "—"
    try:
        thumb = get_thumbnail(name, size, crop="center")
    except Exception:  # a missing or broken file must not take the whole list down
        log.warning("no thumbnail for %s", name, exc_info=True)
        return "—"
    return format_html('<img src="{}" width="{}" height="{}" alt="" class="admin-thumb">',
                       thumb.url, thumb.width, thumb.height)


class ShopAdminSite(admin.AdminSite):
    """The shop's admin: its name, the dashboard on the front page, framework tables hidden."""

    index_template = "admin/index.html"
    index_title = "Dashboard"

    @property
    def site_header(self):
        return f"{settings.SHOP_NAME} staff"

    @property
    def site_title(self):
        return f"{settings.SHOP_NAME} admin"

    def register(self, model_or_iterable, admin_class=None, **options):
        """Register as usual; a framework table's screen becomes superuser-only."""
        models = [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        for model in models:
            cls = admin_class or admin.ModelAdmin
            framework = model._meta.app_label in FRAMEWORK_APP_LABELS
            if framework and not issubclass(cls, SuperuserOnlyMixin):
                cls = type(cls.__name__, (SuperuserOnlyMixin, cls), {"__module__": cls.__module__})
            super().register(model, cls, **options)

    def get_app_list(self, request, app_label=None):
        """Show sections of the same name as one (the shop's accounts and allauth's)."""
        merged: dict[str, dict] = {}
        for app in super().get_app_list(request, app_label):
            key = str(app["name"]).casefold()
            if key in merged:
                merged[key]["models"] = sorted(merged[key]["models"] + app["models"],
                                               key=lambda m: str(m["name"]))
            else:
                merged[key] = app
        return list(merged.values())

    def index(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "dashboard": self.dashboard(request)}
        return super().index(request, extra_context)

    def dashboard(self, request):
        """Return the front page's figures for this user (SHOP_ADMIN_DASHBOARD), or None."""
        path = getattr(settings, "SHOP_ADMIN_DASHBOARD", "")
        return import_string(path)(user=request.user) if path else None

