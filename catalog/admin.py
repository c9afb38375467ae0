"""The catalogue staff's screens: the category tree, products with SKU and image inlines.

Reviews, wishlists and stock alerts have their screens in catalog/shoppers/admin.py; they are
registered here with the rest.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.files.uploadedfile import UploadedFile
from django.db.models import OuterRef, Subquery
from modeltranslation.admin import TranslationAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from catalog import selectors, services
from catalog.models import Category, Product, ProductImage, Review, Sku, StockAlert, WishlistItem
from catalog.shoppers.admin import ReviewAdmin, StockAlertAdmin, WishlistItemAdmin
from catalog.uploads import image_rewrite
from catalog.validators import validate_image
from shop.admin import money_column, readable, thumbnail_tag
from shop.catalogue_version import catalogue_changed
from shop.money import format_money


def first_image(product_ref: str) -> Subquery:
    """The storage name of a product's first image (`product_ref` points at the product)."""
    images = ProductImage.objects.filter(product=OuterRef(product_ref)).order_by("position", "pk")
    return Subquery(images.values("image")[:1])


class CatalogueChangedMixin:
    """Edits made through these screens outside the services still reach cached pages."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        catalogue_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        catalogue_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        catalogue_changed()


@admin.register(Category)
class CategoryAdmin(CatalogueChangedMixin, TranslationAdmin, TreeAdmin):  # name and description in each language
    form = movenodeform_factory(Category)
    list_display = ["name", "slug", "is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class ProductImageForm(forms.ModelForm):
    # A plain FileField: validate_image is then the one judge, with its specific messages,
    # instead of Django's ImageField answering first with a generic one.
    image = forms.FileField(widget=forms.ClearableFileInput, validators=[validate_image],
                            help_text="JPEG, PNG, WebP or GIF.")

    class Meta:
        model = ProductImage
        fields = ["image", "alt", "position"]

    def clean_image(self):
        image = self.cleaned_data["image"]
        if isinstance(image, UploadedFile):
            # A new upload is stored as the shop writes it again, never as it came.
            return image_rewrite(image)
        return image


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    form = ProductImageForm
    extra = 1


class SkuInline(admin.TabularInline):
    model = Sku
    fields = ["code", "attributes", "price", "stock", "is_active"]
    extra = 1


class LowStockFilter(admin.SimpleListFilter):
    title = "stock"
    parameter_name = "stock"

    def lookups(self, request, model_admin):
        return [("low", f"Low (1–{settings.SHOP_LOW_STOCK})"), ("out", "Out of stock")]

    def queryset(self, request, queryset):
        if self.value() == "low":
            return queryset.filter(total_stock__gt=0, total_stock__lte=settings.SHOP_LOW_STOCK)
        if self.value() == "out":
            return queryset.filter(total_stock=0)
        return queryset


@admin.register(Product)
class ProductAdmin(CatalogueChangedMixin, TranslationAdmin):  # name and description in each language
    list_display = ["thumbnail", "name", "category", "from_price", "total_stock_display", "is_active"]
    list_display_links = ["thumbnail", "name"]
    readonly_fields = ["specs_text"]
    list_filter = ["category", "is_active", LowStockFilter]
    list_select_related = ["category"]
    search_fields = ["name", "slug", "skus__code"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SkuInline, ProductImageInline]
    actions = ["activate", "deactivate"]

    def get_queryset(self, request):
        return selectors.products_base(for_sale=False).annotate(first_image=first_image("pk"))

    @admin.display(description="")
    def thumbnail(self, product):
        return thumbnail_tag(product.first_image)

    @admin.display(description="specs as shoppers read them")
    def specs_text(self, product):
        return readable(product.specs)

    @admin.display(description="from", ordering="price_from")
    def from_price(self, product):
        return format_money(product.price_from) if product.price_from is not None else "—"

    @admin.display(description="stock", ordering="total_stock")
    def total_stock_display(self, product):
        return product.total_stock

    @admin.action(description="Show the selected products in the shop")
    def activate(self, request, queryset):
        count = services.products_set_active(product_ids=queryset.values_list("pk", flat=True),
                                             active=True)
        self.message_user(request, f"{count} product(s) activated.", messages.SUCCESS)

    @admin.action(description="Hide the selected products from the shop")
    def deactivate(self, request, queryset):
        count = services.products_set_active(product_ids=queryset.values_list("pk", flat=True),
                                             active=False)
        self.message_user(request, f"{count} product(s) deactivated.", messages.SUCCESS)

    def save_formset(self, request, form, formset, change):
        if formset.model is ProductImage:
            super().save_formset(request, form, formset, change)
            # Pages read the thumbnails kept on the row: make them for a new or replaced file.
            replaced = [image for image, fields in formset.changed_objects if "image" in fields]
            for image in [*formset.new_objects, *replaced]:
                services.product_image_thumbnails_make(image=image)
            return None
        if formset.model is not Sku:
            return super().save_formset(request, form, formset, change)
        # Price and stock are written by the services only (conditional UPDATEs elsewhere
        # must not be overwritten by a stale admin form).
        # The admin's change message reads what formset.save() would have recorded.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for deleted in formset.deleted_forms:
            if deleted.instance.pk:
                deleted.instance.delete()
                formset.deleted_objects.append(deleted.instance)
        for sku_form in formset.forms:
            if sku_form in formset.deleted_forms or not sku_form.has_changed():
                continue
            is_new = sku_form.instance.pk is None
            sku = _save_sku_form(sku_form, product=form.instance)
            if is_new:
                formset.new_objects.append(sku)
            else:
                formset.changed_objects.append((sku, sku_form.changed_data))
        return None


def _save_sku_form(sku_form, *, product) -> Sku:
    data = sku_form.cleaned_data
    sku = sku_form.instance
    if sku.pk is None:
        return services.sku_create(
            product=product, code=data["code"], attributes=data["attributes"],
            price=data["price"], stock=data["stock"], is_active=data["is_active"],
        )
    plain = [field for field in ("code", "attributes", "is_active") if field in sku_form.changed_data]
    if plain:
        sku.save(update_fields=plain)
        catalogue_changed()
    if "price" in sku_form.changed_data:
        services.sku_set_price(sku=sku, price=data["price"])
    if "stock" in sku_form.changed_data:
        services.sku_set_stock(sku=sku, stock=data["stock"])
    return sku


@admin.register(Sku)
class SkuAdmin(CatalogueChangedMixin, admin.ModelAdmin):
    price_money = money_column("price")
    list_display = ["thumbnail", "code", "product", "attributes_text", "price_money", "stock",
                    "is_active"]
    list_display_links = ["thumbnail", "code"]
    list_filter = ["is_active"]
    list_select_related = ["product"]
    search_fields = ["code", "product__name"]
    fields = ["product", "code", "attributes", "price", "stock", "is_active"]
    autocomplete_fields = ["product"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(first_image=first_image("product_id"))

    @admin.display(description="")
    def thumbnail(self, sku):
        return thumbnail_tag(sku.first_image)

    @admin.display(description="attributes")
    def attributes_text(self, sku):
        return readable(sku.attributes)

    def get_readonly_fields(self, request, obj=None):
        # A SKU stays with the product it was created for (order lines and carts point at
        # it); the change form shows the product rather than offering a move it won't save.
        return ["product"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        saved = _save_sku_form(form, product=obj.product)
        obj.pk = saved.pk


admin.site.register(Review, ReviewAdmin)
admin.site.register(WishlistItem, WishlistItemAdmin)
admin.site.register(StockAlert, StockAlertAdmin)
