"""Catalogue API v1 serializers: they shape input and output; the services judge it.

Uniqueness and ownership of slugs and SKU codes are rules of catalog.services, not checked here.
"""

from decimal import Decimal

from django.core.files.storage import default_storage
from rest_framework import serializers

from catalog.models import Category, Sku
from catalog.validators import validate_image

MAX_STOCK = 2**31 - 1


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent_slug", allow_null=True, read_only=True,
                                   help_text="Slug of the parent category; null for a top one.")

    class Meta:
        model = Category
        fields = ["slug", "name", "parent", "depth", "description"]


class ImageSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    alt = serializers.CharField(read_only=True)
    position = serializers.IntegerField(read_only=True)

    def get_url(self, image) -> str:
        request = self.context.get("request")
        url = image.image.url
        return request.build_absolute_uri(url) if request else url


class SkuSerializer(serializers.ModelSerializer):
    product = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    effective_price = serializers.DecimalField(
        source="offer.price", max_digits=12, decimal_places=2, read_only=True,
        help_text="What a shopper pays today (discounts, member price) before cart promotions.",
    )

    class Meta:
        model = Sku
        fields = ["code", "product", "attributes", "price", "effective_price", "stock", "is_active"]


class ProductSkuSerializer(SkuSerializer):
    class Meta(SkuSerializer.Meta):
        fields = ["code", "attributes", "price", "effective_price", "stock"]


class ProductListSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    category = serializers.CharField(source="category.slug")
    price_from = serializers.DecimalField(max_digits=12, decimal_places=2,
                                          help_text="Lowest active SKU price, before discounts.")
    effective_price_from = serializers.DecimalField(max_digits=12, decimal_places=2,
                                                    allow_null=True)
    total_stock = serializers.IntegerField()
    image = serializers.SerializerMethodField(help_text="URL of the first image, or null.")
    rating_average = serializers.DecimalField(
        max_digits=3, decimal_places=2, allow_null=True,
        help_text="Average of the visible reviews' ratings (1-5); null without one.")
    rating_count = serializers.IntegerField(help_text="How many visible reviews.")

    def get_image(self, product) -> str | None:
        # Listings annotate the first image's storage name; a detail has all its images.
        name = getattr(product, "first_image", None)
        if name is None and getattr(product, "all_images", None):
            name = product.all_images[0].image.name
        if not name:
            return None
        url = default_storage.url(name)
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ProductSerializer(ProductListSerializer):
    description = serializers.CharField()
    attributes = serializers.DictField(source="specs", help_text="Specs: key → value.")
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    skus = ProductSkuSerializer(source="active_skus", many=True)
    images = ImageSerializer(source="all_images", many=True)


class ProductLinkSerializer(serializers.Serializer):
    """A product another one points to (bought together)."""

    slug = serializers.SlugField()
    name = serializers.CharField()
    price_from = serializers.DecimalField(max_digits=12, decimal_places=2,
                                          help_text="Lowest active SKU price, before discounts.")


class ProductDetailSerializer(ProductSerializer):
    """A product as `GET /products/{slug}/` answers: with what is bought together with it."""

    bought_together = ProductLinkSerializer(
        many=True, help_text="Products for sale most often in the same paid orders, most "
                             "frequent first, at most 8.")


def _clean_attributes(value: dict) -> dict:
    for key, item in value.items():
        if not isinstance(item, (str, int, float)) or isinstance(item, bool):
            raise serializers.ValidationError(f"“{key}” must be a text or a number.")
    return value


class SkuWriteSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64)
    attributes = serializers.DictField(required=False, default=dict)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    stock = serializers.IntegerField(min_value=0, max_value=MAX_STOCK, required=False, default=0)
    is_active = serializers.BooleanField(required=False, default=True)

    def validate_attributes(self, value):
        return _clean_attributes(value)


class SkuPatchItemSerializer(SkuWriteSerializer):
    """An SKU in a product PATCH: only the code is required; an unknown code is created."""

    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"),
                                     required=False)
    attributes = serializers.DictField(required=False)
    stock = serializers.IntegerField(min_value=0, max_value=MAX_STOCK, required=False)
    is_active = serializers.BooleanField(required=False)


class ProductWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=220)
    category = serializers.SlugRelatedField(slug_field="slug", queryset=Category.objects.all())
    description = serializers.CharField(required=False, allow_blank=True, default="")
    attributes = serializers.DictField(required=False, default=dict)
    is_active = serializers.BooleanField(required=False, default=True)
    skus = SkuWriteSerializer(many=True, required=False, default=list)

    def validate_attributes(self, value):
        return _clean_attributes(value)


class ProductPatchSerializer(ProductWriteSerializer):
    slug = None
    name = serializers.CharField(max_length=200, required=False)
    category = serializers.SlugRelatedField(slug_field="slug", queryset=Category.objects.all(),
                                            required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    attributes = serializers.DictField(required=False)
    is_active = serializers.BooleanField(required=False)
    skus = SkuPatchItemSerializer(many=True, required=False)


class SkuPatchSerializer(serializers.Serializer):
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"),
                                     required=False)
    stock = serializers.IntegerField(min_value=0, max_value=MAX_STOCK, required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Give a price, a stock, or both.")
        return attrs


class StockItemSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64)
    stock = serializers.IntegerField(min_value=0, max_value=MAX_STOCK)


class StockSyncResultSerializer(serializers.Serializer):
    updated = serializers.IntegerField()


class ImageUploadSerializer(serializers.Serializer):
    image = serializers.FileField(validators=[validate_image],
                                  help_text="JPEG, PNG, WebP or GIF.")
    alt = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False)
