"""Product pictures for the demo shop, drawn with Pillow: gradient, silhouette, name."""

import io
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SIZE = 800
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

# Soft two-stop gradients, one per top-level category (top colour, bottom colour).
PALETTES = {
    "electronics": ((222, 235, 255), (150, 180, 235)),
    "home-kitchen": ((255, 240, 222), (240, 190, 150)),
    "fashion": ((255, 228, 238), (225, 160, 190)),
    "food-drink": ((232, 248, 225), (160, 205, 150)),
    "beauty-health": ((243, 232, 255), (190, 165, 230)),
}
DEFAULT_PALETTE = ((235, 235, 235), (190, 190, 190))
INK = (40, 44, 60)


def font(size: int, *, bold: bool = True):
    """DejaVu when installed, else Pillow's built-in scalable font (Pillow ≥ 10.1)."""
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    try:
        return ImageFont.truetype(str(path), size)
    except OSError:
        return ImageFont.load_default(size=size)


def _gradient(top, bottom) -> Image.Image:
    image = Image.new("RGB", (SIZE, SIZE), top)
    draw = ImageDraw.Draw(image)
    for y in range(SIZE):
        t = y / (SIZE - 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom))
        draw.line([(0, y), (SIZE, y)], fill=colour)
    return image


def _silhouette(draw: ImageDraw.ImageDraw, shape: str, colour, accent) -> bool:
    """Draw a simple outline of the product; return False for an unknown shape."""
    cx, cy = SIZE // 2, 330
    if shape == "phone":
        draw.rounded_rectangle([cx - 95, cy - 190, cx + 95, cy + 190], 30, fill=colour)
        draw.rounded_rectangle([cx - 80, cy - 165, cx + 80, cy + 160], 14, fill=accent)
        draw.ellipse([cx - 8, cy - 183, cx + 8, cy - 171], fill=accent)
    elif shape == "laptop":
        draw.rounded_rectangle([cx - 200, cy - 150, cx + 200, cy + 100], 16, fill=colour)
        draw.rectangle([cx - 180, cy - 132, cx + 180, cy + 82], fill=accent)
        draw.polygon([(cx - 250, cy + 110), (cx + 250, cy + 110), (cx + 280, cy + 150),
                      (cx - 280, cy + 150)], fill=colour)
    elif shape == "headphones":
        draw.arc([cx - 170, cy - 200, cx + 170, cy + 140], 180, 360, fill=colour, width=34)
        draw.rounded_rectangle([cx - 200, cy - 40, cx - 120, cy + 120], 30, fill=colour)
        draw.rounded_rectangle([cx + 120, cy - 40, cx + 200, cy + 120], 30, fill=colour)
    elif shape == "speaker":
        draw.rounded_rectangle([cx - 120, cy - 190, cx + 120, cy + 190], 40, fill=colour)
        draw.ellipse([cx - 80, cy - 10, cx + 80, cy + 150], fill=accent)
        draw.ellipse([cx - 40, cy - 150, cx + 40, cy - 70], fill=accent)
    elif shape == "pot":
        draw.rounded_rectangle([cx - 190, cy - 80, cx + 190, cy + 150], 40, fill=colour)
        draw.rectangle([cx - 210, cy - 110, cx + 210, cy - 70], fill=colour)
        draw.rounded_rectangle([cx - 40, cy - 150, cx + 40, cy - 110], 12, fill=colour)
        draw.rectangle([cx - 260, cy - 40, cx - 190, cy - 10], fill=colour)
        draw.rectangle([cx + 190, cy - 40, cx + 260, cy - 10], fill=colour)
    elif shape == "cup":
        draw.polygon([(cx - 150, cy - 130), (cx + 150, cy - 130), (cx + 115, cy + 150),
                      (cx - 115, cy + 150)], fill=colour)
        draw.arc([cx + 95, cy - 80, cx + 215, cy + 60], 270, 90, fill=colour, width=28)
        draw.ellipse([cx - 150, cy - 150, cx + 150, cy - 110], fill=accent)
    elif shape == "shirt":
        draw.polygon([(cx - 90, cy - 180), (cx - 230, cy - 110), (cx - 180, cy - 10),
                      (cx - 130, cy - 40), (cx - 130, cy + 180), (cx + 130, cy + 180),
                      (cx + 130, cy - 40), (cx + 180, cy - 10), (cx + 230, cy - 110),
                      (cx + 90, cy - 180), (cx + 45, cy - 140), (cx - 45, cy - 140)], fill=colour)
    elif shape == "shoe":
        draw.polygon([(cx - 230, cy + 110), (cx - 230, cy - 60), (cx - 120, cy - 80),
                      (cx - 20, cy), (cx + 150, cy + 30), (cx + 230, cy + 80),
                      (cx + 230, cy + 110)], fill=colour)
        draw.rectangle([cx - 230, cy + 110, cx + 230, cy + 140], fill=accent)
    elif shape == "bottle":
        draw.rounded_rectangle([cx - 90, cy - 90, cx + 90, cy + 190], 40, fill=colour)
        draw.rectangle([cx - 40, cy - 180, cx + 40, cy - 80], fill=colour)
        draw.rectangle([cx - 50, cy - 200, cx + 50, cy - 170], fill=accent)
        draw.rectangle([cx - 90, cy, cx + 90, cy + 90], fill=accent)
    elif shape == "box":
        draw.polygon([(cx, cy - 190), (cx + 200, cy - 90), (cx, cy + 10), (cx - 200, cy - 90)],
                     fill=accent)
        draw.polygon([(cx - 200, cy - 90), (cx, cy + 10), (cx, cy + 200), (cx - 200, cy + 100)],
                     fill=colour)
        draw.polygon([(cx + 200, cy - 90), (cx, cy + 10), (cx, cy + 200), (cx + 200, cy + 100)],
                     fill=tuple(max(0, c - 30) for c in colour))
    else:
        return False
    return True


def product_image(*, name: str, shape: str, palette_key: str, label: str) -> bytes:
    """Return a JPEG (800×800) for a product: gradient, silhouette or initial, name."""
    top, bottom = PALETTES.get(palette_key, DEFAULT_PALETTE)
    image = _gradient(top, bottom)
    draw = ImageDraw.Draw(image)
    colour = tuple(max(0, c - 95) for c in bottom)
    accent = tuple(min(255, c + 25) for c in top)
    if not _silhouette(draw, shape, colour, accent):
        draw.text((SIZE // 2, 330), name[:1].upper(), font=font(300), fill=colour, anchor="mm")
    draw.text((48, 40), label.upper(), font=font(28, bold=False), fill=INK)
    lines = textwrap.wrap(name, width=22)[:2]
    title = font(58)
    y = 600 if len(lines) > 1 else 640
    for line in lines:
        draw.text((SIZE // 2, y), line, font=title, fill=INK, anchor="mm")
        y += 72
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, optimize=True)
    return buffer.getvalue()
