"""Uploaded product images: refuse non-images, corrupt files, decompression bombs, huge files."""

import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def validate_image(file) -> None:
    """Raise ValidationError with a message for people unless `file` is a sound, sane image.

    Checks, cheapest first: the byte size (settings.SHOP_MAX_IMAGE_BYTES), that Pillow knows
    the format, the pixel count from the header (settings.SHOP_MAX_IMAGE_PIXELS; a small file
    can declare a gigapixel image that would exhaust memory when decoded), then a full
    `verify()` and `load()`, which catch truncated and corrupt data.
    """
    limit = settings.SHOP_MAX_IMAGE_BYTES
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            f"The image is {filesizeformat(size)}; the limit is {filesizeformat(limit)}.",
            code="image_too_large",
        )
    max_pixels = settings.SHOP_MAX_IMAGE_PIXELS
    # Pillow warns above MAX_IMAGE_PIXELS and refuses above twice that; the warning is
    # turned into an error below so the setting is the one limit.
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
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
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            f"{image_format} images are not accepted. Upload a JPEG, PNG, WebP or GIF.",
            code="image_format",
        )
