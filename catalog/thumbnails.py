"""The thumbnails pages show, made once when an image is stored, never while a page renders.

Each size is made with sorl-thumbnail and its URL, width and height are kept on the image
row (`ProductImage.thumbnails`), so a listing of 24 cards reads 24 small JSON values instead
of asking the thumbnail store (a cache or database lookup per card) on every render.
"""

from sorl.thumbnail import get_thumbnail

# name → (geometry, options): the card in listings, the gallery's main image and its strip.
SIZES = {
    "card": ("400x400", {"crop": "center"}),
    "large": ("800x800", {"crop": "center"}),
    "small": ("120x120", {"crop": "center"}),
}


def thumbnails_make(image_file) -> dict:
    """Return `{size: {"url", "width", "height"}}` for every size in SIZES."""
    made = {}
    for name, (geometry, options) in SIZES.items():
        thumbnail = get_thumbnail(image_file, geometry, **options)
        made[name] = {"url": thumbnail.url, "width": thumbnail.width, "height": thumbnail.height}
    return made
