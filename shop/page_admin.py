"""The admin screen of the shop's text pages (registered from ShopConfig.ready).

Not in shop/admin.py: that module defines the admin site itself, and registering a model
while the site is being built could register it on a throw-away instance.
"""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from shop.models import Page


@admin.register(Page)
class PageAdmin(TranslationAdmin):
    """Staff edit the text pages in both languages; the slug (the footer's link) stays put."""

    list_display = ("title", "slug", "updated_at")
    search_fields = ("title_en", "title_zh_hans", "body_en", "body_zh_hans")
    readonly_fields = ("updated_at",)

    def get_readonly_fields(self, request, obj=None):
        # The footer links the pages by slug: renaming one would break the link.
        return (*self.readonly_fields, "slug") if obj else self.readonly_fields
