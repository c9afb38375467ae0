"""Factories for the catalogue: categories (tree nodes), products, SKUs."""

from decimal import Decimal

import factory

from catalog.models import Category, Product, Sku


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
