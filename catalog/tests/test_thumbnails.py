"""Thumbnails are made when an image is stored; pages read them from the image row."""

import pytest
from sorl.thumbnail import default

from catalog import services
from catalog.models import ProductImage
from catalog.tests.factories import CategoryFactory, ProductImageFactory, SkuFactory
from catalog.tests.test_images import good_png


@pytest.fixture
def product(db):
    return SkuFactory(product__category=CategoryFactory(slug="teaware")).product


@pytest.mark.django_db
def test_storing_an_image_keeps_the_url_and_size_of_each_page_thumbnail(product):
    image = services.product_image_add(product=product,
                                       image=good_png())
    image.refresh_from_db()
    assert set(image.thumbnails) == {"card", "large", "small"}
    assert image.thumbnails["card"]["width"] <= 400
    assert image.thumbnails["small"]["url"].startswith("/media/")


def refuse(*args, **kwargs):
    raise AssertionError("a page asked the thumbnail store")


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/c/teaware/", "/search/", "/", "product"])
def test_pages_show_stored_thumbnails_without_asking_the_thumbnail_store(
    client, product, page, monkeypatch
):
    # Thumbnails as the services stored them: what the page shows must come from the row.
    first, second = ProductImageFactory(product=product), ProductImageFactory(product=product)
    ProductImage.objects.filter(pk=first.pk).update(thumbnails={
        "card": {"url": "/media/cache/card.jpg", "width": 400, "height": 300},
        "large": {"url": "/media/cache/large.jpg", "width": 800, "height": 600},
        "small": {"url": "/media/cache/small.jpg", "width": 120, "height": 90},
    })
    ProductImage.objects.filter(pk=second.pk).update(thumbnails={
        "large": {"url": "/media/cache/large2.jpg", "width": 800, "height": 600},
        "small": {"url": "/media/cache/small2.jpg", "width": 120, "height": 90},
    })
    monkeypatch.setattr(default.kvstore, "get", refuse)
    monkeypatch.setattr(default.kvstore, "set", refuse)
    url = f"/p/{product.slug}/" if page == "product" else page
    html = client.get(url).content.decode()
    if page == "product":
        assert 'src="/media/cache/large.jpg" width="800" height="600"' in html
        assert 'src="/media/cache/small2.jpg" width="120" height="90"' in html
    else:
        assert 'src="/media/cache/card.jpg" width="400" height="300"' in html
