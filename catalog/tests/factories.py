"""Factories for the catalogue: categories (tree nodes), products, SKUs."""

import io
from decimal import Decimal

import factory
from PIL import Image

from catalog import services
from catalog.models import Category, Product, ProductImage, Sku


class CategoryFactory(factory.django.DjangoModelFactory):
    """A root category, or a child with `parent=<Category>` (treebeard's manager API)."""

    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        if parent is None:
            return model_class.objects.add_root(kwargs)
        return model_class.objects.add_child(parent, kwargs)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    description = "A fine thing."
    specs = factory.LazyFunction(lambda: {"brand": "Acme"})


class SkuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sku

    product = factory.SubFactory(ProductFactory)
    code = factory.Sequence(lambda n: f"SKU-{n:05d}")
    attributes = factory.LazyFunction(lambda: {"colour": "black"})
    price = Decimal("100.00")
    stock = 10


def image_bytes(size=(40, 30), colour=(200, 80, 40), image_format="PNG") -> bytes:
    """Return a small valid image file's bytes."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=image_format)
    return buffer.getvalue()


class ProductImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductImage
        skip_postgeneration_save = True

    product = factory.SubFactory(ProductFactory)
    image = factory.django.ImageField(width=40, height=30, color="teal")
    alt = factory.Sequence(lambda n: f"Picture {n}")
    position = factory.Sequence(lambda n: n)

    @factory.post_generation
    def thumbnails(image, create, extracted, **kwargs):
        # As the services store an image: with its page thumbnails made.
        if create:
            services.product_image_thumbnails_make(image=image)
