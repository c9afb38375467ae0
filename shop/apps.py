"""The project's own app (shared helpers, the listeners /metrics needs) and the shop's admin."""

from django.apps import AppConfig

# The module, not the class: an AdminConfig imported by name would be one more AppConfig
# subclass in this module for Django to consider as the `shop` app's config.
from django.contrib.admin import apps as admin_apps


class ShopConfig(AppConfig):
    name = "shop"

    def ready(self):
        from shop import metrics, page_admin  # noqa: F401 - page_admin registers the pages' screen

        metrics.connect_receivers()


class ShopAdminConfig(admin_apps.AdminConfig):
    """`django.contrib.admin` whose default site is the shop's."""

    default = False  # not the config of the `shop` app itself
    default_site = "shop.admin.ShopAdminSite"
