"""Uploaded product images: refuse non-images, corrupt files, decompression bombs, huge files."""

import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def validate_image(file) -> str:
    """Return the format of `file`; raise ValidationError unless it is a sound, sane image.

    Checks, cheapest first: the byte size (settings.SHOP_MAX_IMAGE_BYTES), then what Pillow
    reads: the format is known, the pixel count from the header is within
    settings.SHOP_MAX_IMAGE_PIXELS, the data decodes whole; last, the format is one the shop
    accepts.
    """
    check_file_size(file)
    image_format = check_image_data(file)
    check_image_format(image_format)
    return image_format


def check_file_size(file) -> None:
    """Refuse a file larger than settings.SHOP_MAX_IMAGE_BYTES before reading it."""
    limit = settings.SHOP_MAX_IMAGE_BYTES
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            f"The image is {filesizeformat(size)}; the limit is {filesizeformat(limit)}.",
            code="image_too_large",
        )


def check_image_data(file) -> str:
    """Read `file` with Pillow and return its format; refuse bombs and damaged data."""
    max_pixels = settings.SHOP_MAX_IMAGE_PIXELS
    try:
        return _decode(file, max_pixels)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            f"The image has too many pixels (the limit is {max_pixels:,}).",
            code="image_too_many_pixels",
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ValidationError(
            "The file is not a valid image, or it is damaged. Upload a JPEG, PNG, WebP or GIF.",
            code="invalid_image",
        ) from None
    finally:
        file.seek(0)


def _decode(file, max_pixels: int) -> str:
    """Check the header's pixel count, then `verify()` and `load()` the data; return the format.

    A small file can declare a gigapixel image that would exhaust memory when decoded, so
    the size from the header is judged before any decoding. verify() and load() catch
    truncated and corrupt data.
    """
    # Pillow warns above MAX_IMAGE_PIXELS and refuses above twice that; the warning is
    # turned into an error so the setting is the one limit.
    Image.MAX_IMAGE_PIXELS = max_pixels
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        file.seek(0)
        with Image.open(file) as image:
            image_format = image.format
            width, height = image.size
            if width * height > max_pixels:
                raise Image.DecompressionBombError(f"{width}×{height}")
            image.verify()
        # verify() leaves the image unusable; decode it fully from a fresh handle.
        file.seek(0)
        with Image.open(file) as image:
            image.load()
    return image_format


def check_image_format(image_format: str) -> None:
    """Refuse a format Pillow reads but the shop does not serve (e.g. BMP, TIFF)."""
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            f"{image_format} images are not accepted. Upload a JPEG, PNG, WebP or GIF.",
            code="image_format",
        )
