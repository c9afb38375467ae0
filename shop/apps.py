"""The admin app configured with the shop's own site (shop.admin.ShopAdminSite)."""

# The module, not the class: Django picks the one AppConfig subclass found in `shop.apps`
# as the `shop` app's own config, and an imported AdminConfig would be taken for it.
from django.contrib.admin import apps as admin_apps


class ShopAdminConfig(admin_apps.AdminConfig):
    """`django.contrib.admin` whose default site is the shop's."""

    default = False  # not the config of the `shop` app itself
    default_site = "shop.admin.ShopAdminSite"
