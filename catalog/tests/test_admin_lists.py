"""Product and SKU lists for people: thumbnails, money with the currency, readable JSON."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import StaffFactory
from catalog.tests.factories import ProductImageFactory, SkuFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(StaffFactory(is_superuser=True))
    return client


def test_the_product_and_sku_lists_show_a_thumbnail_of_the_first_image(admin_client):
    sku = SkuFactory(product__name="Teal Mug")
    ProductImageFactory(product=sku.product)

    for url in (reverse("admin:catalog_product_changelist"), reverse("admin:catalog_sku_changelist")):
        page = admin_client.get(url).content.decode()
        assert 'class="admin-thumb"' in page, url


def test_a_product_without_images_lists_a_dash_not_a_broken_image(admin_client):
    SkuFactory(product__name="Bare Mug")

    page = admin_client.get(reverse("admin:catalog_product_changelist")).content.decode()

    assert "Bare Mug" in page and 'class="admin-thumb"' not in page


def test_the_sku_list_shows_price_with_currency_and_attributes_as_text(admin_client):
    SkuFactory(price=Decimal("1299.00"), attributes={"colour": "red", "size": "M"})

    page = admin_client.get(reverse("admin:catalog_sku_changelist")).content.decode()

    assert "¥1,299.00" in page
    assert "colour: red<br>size: M" in page
    assert '{"colour"' not in page


def test_the_product_page_shows_the_specs_as_text(admin_client):
    sku = SkuFactory(product__specs={"brand": "Acme", "weight": "1.2 kg"})

    url = reverse("admin:catalog_product_change", args=[sku.product.pk])
    page = admin_client.get(url).content.decode()

    assert "brand: Acme<br>weight: 1.2 kg" in page
