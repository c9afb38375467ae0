"""Uploaded images: non-images, truncated files, decompression bombs and huge files are refused
with a message, in the admin's image form and in the API upload, never with a 500; what is
accepted is stored as the shop writes it again, under a name it chooses."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from accounts.tests.factories import StaffFactory, UserFactory
from catalog.admin import ProductImageForm
from catalog.models import ProductImage
from catalog.tests.factories import SkuFactory, image_bytes
from catalog.uploads import image_rewrite
from catalog.validators import (
    check_file_size,
    check_image_data,
    check_image_format,
    validate_image,
)


def text_file_named_jpg():
    return SimpleUploadedFile("photo.jpg", b"This is a shopping list, not a photo.\n" * 20,
                              content_type="image/jpeg")


def truncated_png():
    buffer = io.BytesIO()
    Image.effect_noise((300, 300), 60).convert("RGB").save(buffer, format="PNG")
    data = buffer.getvalue()
    return SimpleUploadedFile("cut.png", data[: len(data) // 2], content_type="image/png")


def decompression_bomb():
    # 8000 × 8000 = 64 million pixels (the limit is 40 million) in a file of a few kB.
    buffer = io.BytesIO()
    Image.new("1", (8000, 8000)).save(buffer, format="PNG")
    assert len(buffer.getvalue()) < 100_000
    return SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")


def good_png():
    return SimpleUploadedFile("good.png", image_bytes(), content_type="image/png")


BAD_FILES = {
    "text_file_named_jpg": (text_file_named_jpg, "not a valid image"),
    "truncated_png": (truncated_png, "not a valid image"),
    "decompression_bomb": (decompression_bomb, "too many pixels"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_the_validator_refuses_bad_files_with_a_message(name):
    make, message = BAD_FILES[name]
    with pytest.raises(ValidationError) as caught:
        validate_image(make())
    assert message in caught.value.messages[0]


def test_a_file_over_the_size_setting_is_refused(settings):
    settings.SHOP_MAX_IMAGE_BYTES = 50
    with pytest.raises(ValidationError, match="the limit is 50"):
        validate_image(good_png())


def test_a_sound_image_passes_and_is_rewound():
    upload = good_png()
    validate_image(upload)
    assert upload.tell() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_the_admin_image_form_shows_the_message(name):
    make, message = BAD_FILES[name]
    sku = SkuFactory()
    form = ProductImageForm(data={"alt": "x", "position": 0}, files={"image": make()},
                            instance=ProductImage(product=sku.product))
    assert not form.is_valid()
    assert message in form.errors["image"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_the_admin_product_page_refuses_a_bad_image_without_a_500(client, name):
    make, message = BAD_FILES[name]
    sku = SkuFactory()
    product = sku.product
    client.force_login(StaffFactory(is_superuser=True))
    response = admin_product_post(client, sku, image=make())
    assert response.status_code == 200  # the form again, with the error
    assert message in response.content.decode()
    assert not product.images.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_the_api_upload_answers_400_with_the_message(name):
    make, message = BAD_FILES[name]
    sku = SkuFactory()
    client = APIClient()
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Partners"))
    client.force_authenticate(user)
    response = client.post(f"/api/v1/products/{sku.product.slug}/images/", {"image": make()},
                           format="multipart")
    assert response.status_code == 400
    assert message in response.json()["image"][0]
    assert not sku.product.images.exists()


@pytest.mark.django_db
def test_the_api_upload_stores_a_sound_image_after_the_last():
    sku = SkuFactory()
    client = APIClient()
    client.force_authenticate(StaffFactory(is_superuser=True))
    first = client.post(f"/api/v1/products/{sku.product.slug}/images/", {"image": good_png()},
                        format="multipart").json()
    second = client.post(f"/api/v1/products/{sku.product.slug}/images/",
                         {"image": good_png(), "alt": "Side"}, format="multipart").json()
    assert (first["position"], second["position"]) == (0, 1)
    assert second["alt"] == "Side" and second["url"].startswith("http://testserver/media/")


def test_each_image_check_can_be_used_on_its_own(settings):
    settings.SHOP_MAX_IMAGE_BYTES = 10
    with pytest.raises(ValidationError) as caught:
        check_file_size(SimpleUploadedFile("big.png", b"x" * 11))
    assert caught.value.code == "image_too_large"
    assert check_image_data(SimpleUploadedFile("ok.gif", image_bytes(image_format="GIF"))) == "GIF"
    with pytest.raises(ValidationError) as caught:
        check_image_format("BMP")
    assert caught.value.code == "image_format"


# --- The upload is written again under a name the shop chooses --------------------------

SCRIPT = b"<script>alert(document.cookie)</script>"


def polyglot_gif_named_html():
    """A GIF that decodes, with a script in its comment and an HTML page appended."""
    buffer = io.BytesIO()
    Image.new("P", (20, 20), 3).save(buffer, format="GIF", comment=SCRIPT)
    data = buffer.getvalue() + b"<html><body>" + SCRIPT + b"</body></html>"
    return SimpleUploadedFile("poly.html", data, content_type="text/html")


def assert_rewritten_as_gif(stored: ProductImage):
    name = stored.image.name
    assert name.startswith("products/") and name.endswith(".gif"), name
    assert "poly" not in name
    stored.image.open("rb")
    try:
        data = stored.image.read()
    finally:
        stored.image.close()
    assert SCRIPT not in data and b"<html>" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.size) == ("GIF", (20, 20))


@pytest.mark.django_db
def test_a_polyglot_uploaded_through_the_api_is_stored_as_a_rewritten_gif():
    sku = SkuFactory()
    client = APIClient()
    partner = UserFactory()
    partner.groups.add(Group.objects.get(name="Partners"))
    client.force_authenticate(partner)

    response = client.post(f"/api/v1/products/{sku.product.slug}/images/",
                           {"image": polyglot_gif_named_html()}, format="multipart")

    assert response.status_code == 201, response.content
    assert response.json()["url"].endswith(".gif")
    assert_rewritten_as_gif(sku.product.images.get())


@pytest.mark.django_db
def test_a_polyglot_uploaded_through_the_admin_is_stored_as_a_rewritten_gif(client):
    sku = SkuFactory()
    product = sku.product
    client.force_login(StaffFactory(is_superuser=True))

    response = admin_product_post(client, sku, image=polyglot_gif_named_html())

    assert response.status_code == 302, response.content.decode()[:2000]
    assert_rewritten_as_gif(product.images.get())


@pytest.mark.parametrize(
    ("image_format", "mode", "extension"),
    [("JPEG", "RGB", "jpg"), ("PNG", "RGBA", "png"), ("WEBP", "RGB", "webp"), ("GIF", "P", "gif")],
)
def test_each_accepted_format_is_written_again_under_a_random_name_with_its_extension(
    image_format, mode, extension
):
    buffer = io.BytesIO()
    Image.new(mode, (30, 20)).save(buffer, format=image_format)
    upload = SimpleUploadedFile("holiday photo.exe", buffer.getvalue())

    first, second = image_rewrite(upload), image_rewrite(upload)

    assert first.name.endswith(f".{extension}") and "holiday" not in first.name
    assert first.name != second.name
    with Image.open(first) as image:
        assert (image.format, image.size) == (image_format, (30, 20))


def test_the_rewrite_drops_the_photo_metadata_and_keeps_its_orientation():
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° to display
    exif[0x010E] = "taken at home"  # image description
    Image.new("RGB", (40, 10), "red").save(buffer, format="JPEG", exif=exif)

    rewritten = image_rewrite(SimpleUploadedFile("p.jpg", buffer.getvalue()))

    with Image.open(rewritten) as image:
        assert image.size == (10, 40)
        assert not image.getexif()


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_the_rewrite_refuses_what_the_validator_refuses(name):
    make, message = BAD_FILES[name]
    with pytest.raises(ValidationError) as caught:
        image_rewrite(make())
    assert message in caught.value.messages[0]


def admin_product_post(client, sku, *, image):
    """Post the admin's change form of `sku`'s product, unchanged but for one new image."""
    product = sku.product
    return client.post(f"/admin/catalog/product/{product.pk}/change/", {
        "category": product.category_id, "name_en": product.name, "slug": product.slug,
        "description_en": "", "specs": "{}", "is_active": "on",
        "skus-TOTAL_FORMS": 1, "skus-INITIAL_FORMS": 1, "skus-MIN_NUM_FORMS": 0,
        "skus-MAX_NUM_FORMS": 1000, "skus-0-id": sku.pk, "skus-0-product": product.pk,
        "skus-0-code": sku.code, "skus-0-attributes": '{"colour": "black"}',
        "skus-0-price": "100.00", "skus-0-stock": 10, "skus-0-is_active": "on",
        "images-TOTAL_FORMS": 1, "images-INITIAL_FORMS": 0, "images-MIN_NUM_FORMS": 0,
        "images-MAX_NUM_FORMS": 1000, "images-0-image": image, "images-0-alt": "front",
        "images-0-position": 0,
    })
