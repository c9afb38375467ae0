"""Uploaded images are decoded and written again by the shop, under a name it chooses.

Checking the content is not enough: a valid GIF with HTML appended, stored under the name
it was uploaded with (`poly.html`), is served as a web page. So the shop keeps none of the
upload's bytes and none of its name: it decodes the first frame, drops every piece of
metadata (EXIF with its GPS position, comments, colour profiles, trailing data) and writes
the pixels again in the format it decoded, under a random name with that format's
extension.
"""

import io
import uuid

from django.core.files.base import ContentFile
from PIL import Image, ImageOps

from catalog.validators import validate_image

# The extension each accepted format is stored under (validators.ALLOWED_FORMATS).
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
# Modes each format writes as they are; anything else is converted first.
WRITABLE_MODES = {
    "JPEG": {"RGB", "L", "CMYK"},
    "PNG": {"RGB", "RGBA", "L", "LA", "P", "1"},
    "WEBP": {"RGB", "RGBA"},
    "GIF": {"P", "L", "1"},
}


def image_rewrite(file) -> ContentFile:
    """Return `file` decoded and written again under a random name; raise ValidationError.

    The checks of validators.validate_image come first (size, bombs, damage, format).
    """
    image_format = validate_image(file)
    file.seek(0)
    with Image.open(file) as image:
        image.seek(0)
        # The orientation lives in the EXIF data that is dropped: apply it to the pixels.
        frame = ImageOps.exif_transpose(image)
    data = _encode(frame, image_format)
    return ContentFile(data, name=f"{uuid.uuid4().hex}.{EXTENSIONS[image_format]}")


def _encode(frame: Image.Image, image_format: str) -> bytes:
    """Write the pixels of `frame` (and its transparency, nothing else) as `image_format`."""
    transparency = frame.info.get("transparency")
    if frame.mode not in WRITABLE_MODES[image_format]:
        target = {"JPEG": "RGB", "GIF": "P"}.get(image_format, "RGBA")
        frame = frame.convert(target)
        transparency = None
    # Pillow writes back what `info` holds (a GIF comment, a PNG text chunk): clear it.
    frame.info = {}
    options: dict = {}
    if image_format == "JPEG":
        options["quality"] = 90
    elif image_format == "WEBP":
        options["quality"] = 90
    elif transparency is not None:
        options["transparency"] = transparency
    buffer = io.BytesIO()
    frame.save(buffer, format=image_format, **options)
    return buffer.getvalue()
