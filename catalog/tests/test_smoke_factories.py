import pytest

from catalog.tests.factories import CategoryFactory, SkuFactory


@pytest.mark.django_db
def test_a_sku_hangs_off_a_product_in_a_child_category():
    parent = CategoryFactory()
    child = CategoryFactory(parent=parent)
    sku = SkuFactory(product__category=child)
    assert sku.product.category.get_parent() == parent
