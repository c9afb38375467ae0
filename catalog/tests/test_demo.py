"""seed_demo makes the shop on an empty database; a second run adds nothing."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count
from PIL import Image, ImageStat

import catalog.demo
from catalog.models import Category, Product, ProductImage, Sku


def row_counts():
    return {model.__name__: model.objects.count()
            for model in (Category, Product, ProductImage, Sku)}


@pytest.mark.django_db
def test_seed_demo_makes_the_catalogue_and_a_second_run_adds_nothing():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "[catalog] product 1:" in out.getvalue()  # progress as it goes

    roots = Category.objects.filter(depth=1)
    assert roots.count() >= 3
    assert all(root.numchild > 0 for root in roots)
    assert Category.objects.find_problems() == ([], [], [], [], [])

    products = Product.objects.annotate(sku_count=Count("skus"))
    assert products.count() >= 40
    assert all(1 <= product.sku_count <= 4 for product in products)
    assert all(product.specs and product.description for product in products)
    stocks = list(Sku.objects.values_list("stock", flat=True))
    assert 0 in stocks
    assert any(0 < stock <= settings.SHOP_LOW_STOCK for stock in stocks)
    assert Sku.objects.filter(attributes={}).count() < Sku.objects.count() / 2

    image = ProductImage.objects.select_related("product").first()
    with Image.open(image.image.path) as picture:
        assert picture.size == (800, 800)
        # Not blank: the channels vary (gradient, silhouette, text).
        assert max(ImageStat.Stat(picture).stddev) > 20
    assert ProductImage.objects.values("product").distinct().count() == products.count()

    before = row_counts()
    messages = []
    catalog.demo.seed(out=messages.append)
    assert row_counts() == before
    assert messages[-1].startswith("0 new products")
