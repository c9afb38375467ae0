"""The product database: category tree, products, images and SKUs with their stock, and what
shoppers keep about them: reviews, wishlists and back-in-stock alerts."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from treebeard.mp_tree import MP_Node


class Category(MP_Node):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    node_order_by = ["name"]

    class Meta:
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalog:category", kwargs={"slug": self.slug})


class Product(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    specs = models.JSONField(
        default=dict, blank=True, help_text='Key → value, e.g. {"brand": "Acme", "weight": "1.2 kg"}.'
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A product also counts as changed when one of its SKUs does (Sku.updated_at): see
    # selectors.products_updated_since.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # Of the visible reviews, written only by catalog.services (one aggregate UPDATE per
    # review write): null and 0 while no visible review exists.
    rating_average = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True,
                                         editable=False)
    rating_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["is_active", "-created_at"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalog:product", kwargs={"slug": self.slug})


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="products/%Y/%m/")
    alt = models.CharField("alt text", max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    # `{size: {"url", "width", "height"}}` (catalog/thumbnails.py), written by the catalogue
    # services when the image is stored: pages read it instead of the thumbnail store.
    thumbnails = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.alt or f"Image {self.position} of {self.product}"


class Sku(models.Model):
    """A variant that is bought: its own code, attributes (colour, size), price and stock."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="skus")
    code = models.CharField(max_length=64, unique=True)
    attributes = models.JSONField(default=dict, blank=True, help_text='e.g. {"colour": "red"}.')
    price = models.DecimalField(max_digits=12, decimal_places=2)
    # Written only by catalog.services (conditional UPDATEs); the CHECK is the last line of
    # defence against overselling, even for a raw UPDATE.
    stock = models.IntegerField(default=0)
    is_active = models.BooleanField(default=True)
    # Set by every write of the SKU, stock and price included (in the same UPDATE).
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = "SKU"
        ordering = ["product_id", "price", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(stock__gte=0), name="catalog_sku_stock_gte_0"),
            models.CheckConstraint(condition=models.Q(price__gt=0), name="catalog_sku_price_gt_0"),
        ]

    def __str__(self):
        return self.code

    @property
    def label(self) -> str:
        """Return the attributes for people: `red / M`."""
        return " / ".join(str(v) for v in self.attributes.values()) or self.code


class Review(models.Model):
    """A shopper's rating (1-5) and words on a product they received; one per shopper."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reviews")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="reviews")
    rating = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=120, blank=True)
    body = models.TextField(max_length=5000)
    verified_purchase = models.BooleanField(default=False)
    # Hidden by staff: a hidden review shows nowhere and counts in no rating.
    is_visible = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5),
                                   name="catalog_review_rating_1_to_5"),
            models.UniqueConstraint(fields=["product", "user"], name="catalog_review_once_per_user"),
        ]
        indexes = [models.Index(fields=["product", "is_visible", "-created_at"],
                                name="catalog_review_listing")]

    def __str__(self):
        return f"{self.rating}★ {self.product} by {self.user}"


class WishlistItem(models.Model):
    """A product a shopper saved for later."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="wishlist_items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "product"], name="catalog_wishlist_once"),
        ]

    def __str__(self):
        return f"{self.product} in {self.user}'s wishlist"


class StockAlert(models.Model):
    """A shopper waiting for a sold-out SKU: told once by email when its stock returns.

    `notified_at` is set by a conditional UPDATE (only while null) before the email goes,
    so two workers handling the same restock cannot both send.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="stock_alerts")
    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "sku"], name="catalog_stock_alert_once"),
        ]
        indexes = [models.Index(fields=["sku"], condition=models.Q(notified_at__isnull=True),
                                name="catalog_stock_alert_waiting")]

    def __str__(self):
        return f"{self.user} waits for {self.sku}"
