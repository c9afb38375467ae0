"""Demo data for `manage.py seed_demo`: idempotent by slug, reports what it made."""

from decimal import Decimal
from itertools import product as combinations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import translation
from django.utils.text import slugify

from catalog import demo_zh, services
from catalog.demo_images import product_image
from catalog.models import Category, Product

# (slug, name, description, [(child slug, child name), ...])
CATEGORIES = [
    ("electronics", "Electronics", "Phones, laptops, audio and a smarter home.", [
        ("phones", "Phones"), ("laptops", "Laptops"), ("audio", "Audio"),
        ("smart-home", "Smart Home"),
    ]),
    ("home-kitchen", "Home & Kitchen", "Cookware, tea sets and bedding for every day.", [
        ("cookware", "Cookware"), ("teaware", "Tea & Coffee Ware"), ("bedding", "Bedding"),
    ]),
    ("fashion", "Fashion", "Clothes and shoes for the seasons.", [
        ("tops", "Tops"), ("outerwear", "Outerwear"), ("shoes", "Shoes"),
    ]),
    ("food-drink", "Food & Drink", "Teas, snacks and the pantry's essentials.", [
        ("tea", "Tea"), ("snacks", "Snacks"), ("pantry", "Pantry"),
    ]),
    ("beauty-health", "Beauty & Health", "Skincare and everyday care.", [
        ("skincare", "Skincare"),
    ]),
]

COLOURS = {"phone": ["Graphite", "Jade Green", "Silver"], "tone": ["Black", "White"],
           "textile": ["Navy", "Oat", "Rust"]}
SIZES = {"clothes": ["S", "M", "L", "XL"], "shoes": ["40", "41", "42", "43"]}

# (category, name, base price, shape, variants, specs, description)
# variants: {"colour": [...], "size": [...]} (at most 4 combinations), or {} for one SKU.
PRODUCTS = [
    ("phones", "Lumen X5 Smartphone", "3299.00", "phone", {"colour": COLOURS["phone"]},
     {"brand": "Lumen", "screen": "6.7 in OLED", "storage": "256 GB", "battery": "5000 mAh"},
     "A flagship phone with a bright OLED screen and a two-day battery."),
    ("phones", "Lumen A3 Lite", "1299.00", "phone", {"colour": ["Blue", "Black"]},
     {"brand": "Lumen", "screen": "6.5 in LCD", "storage": "128 GB", "battery": "5000 mAh"},
     "Everything you need from a phone, at a friendly price."),
    ("phones", "Orbit Fold 2", "7999.00", "phone", {"colour": ["Midnight", "Cream"]},
     {"brand": "Orbit", "screen": "7.8 in foldable OLED", "storage": "512 GB", "weight": "239 g"},
     "A phone that opens into a tablet. The hinge is rated for 400,000 folds."),
    ("phones", "Pocket Power Bank 10000", "129.00", "box", {"colour": COLOURS["tone"]},
     {"brand": "Voltra", "capacity": "10000 mAh", "output": "22.5 W", "weight": "180 g"},
     "Slim enough for a jacket pocket, strong enough for two full charges."),
    ("laptops", "Aero 14 Ultrabook", "6499.00", "laptop", {"colour": ["Silver", "Space Grey"]},
     {"brand": "Aero", "cpu": "8-core", "memory": "16 GB", "storage": "1 TB SSD", "weight": "1.2 kg"},
     "A 1.2 kg laptop with an all-day battery and a crisp 2.8K screen."),
    ("laptops", "Studio 16 Pro", "11999.00", "laptop", {},
     {"brand": "Aero", "cpu": "12-core", "memory": "32 GB", "gpu": "RTX class", "weight": "2.1 kg"},
     "For video editing and 3D work: a colour-accurate 16-inch panel."),
    ("laptops", "Campus 13 Chromebook", "1999.00", "laptop", {},
     {"brand": "Campus", "memory": "8 GB", "storage": "128 GB", "battery": "12 h"},
     "Light, fast to start and made for school work."),
    ("audio", "Quiet Pro Headphones", "1499.00", "headphones", {"colour": COLOURS["tone"]},
     {"brand": "Sonora", "type": "Over-ear, noise cancelling", "battery": "40 h", "bluetooth": "5.3"},
     "Adaptive noise cancelling that quiets the metro and the office."),
    ("audio", "Breeze Wireless Earbuds", "399.00", "headphones", {"colour": ["White", "Mint"]},
     {"brand": "Sonora", "type": "In-ear", "battery": "6 h + 24 h case", "water": "IPX5"},
     "Small, light earbuds with a pocket-sized charging case."),
    ("audio", "Pebble Bluetooth Speaker", "259.00", "speaker", {"colour": ["Coral", "Slate", "Sky"]},
     {"brand": "Sonora", "power": "10 W", "battery": "12 h", "water": "IP67"},
     "A waterproof speaker for the beach, the shower or the balcony."),
    ("audio", "Tower Home Speaker", "1899.00", "speaker", {},
     {"brand": "Sonora", "power": "60 W", "inputs": "Wi-Fi, Bluetooth, optical"},
     "Room-filling sound with deep bass, for music and films."),
    ("smart-home", "Halo Smart Bulb (4-pack)", "199.00", "box", {},
     {"brand": "Halo", "colours": "16 million", "power": "9 W", "works with": "Voice assistants"},
     "Dim, schedule and colour your lights from the phone."),
    ("smart-home", "Guard Doorbell Camera", "599.00", "box", {"colour": COLOURS["tone"]},
     {"brand": "Halo", "video": "2K HDR", "field of view": "160°", "power": "Battery or wired"},
     "See who is at the door from anywhere, day and night."),
    ("smart-home", "Robo Vacuum S8", "2299.00", "box", {},
     {"brand": "Tidy", "suction": "5000 Pa", "runtime": "180 min", "mapping": "LiDAR"},
     "Maps the flat, vacuums and mops, and empties itself."),
    ("cookware", "Cast Iron Wok 34 cm", "329.00", "pot", {},
     {"brand": "Hearth", "material": "Cast iron", "diameter": "34 cm", "weight": "2.6 kg"},
     "Pre-seasoned, heats evenly, and lasts a lifetime."),
    ("cookware", "Stainless Stock Pot 6 L", "259.00", "pot", {},
     {"brand": "Hearth", "material": "Tri-ply stainless steel", "capacity": "6 L"},
     "For soups, stocks and hot pot nights; works on induction."),
    ("cookware", "Ceramic Non-stick Pan Set", "459.00", "pot", {"colour": ["Sage", "Cream"]},
     {"brand": "Hearth", "pieces": "3", "coating": "PFAS-free ceramic"},
     "Three pans that release an egg with no oil."),
    ("cookware", "Rice Cooker Mini 1.2 L", "349.00", "pot", {"colour": COLOURS["tone"]},
     {"brand": "Hearth", "capacity": "1.2 L", "programs": "8"},
     "Perfect rice for two, plus porridge and steaming."),
    ("teaware", "Celadon Gaiwan Set", "268.00", "cup", {},
     {"material": "Porcelain", "pieces": "Gaiwan, pitcher, 4 cups", "origin": "Jingdezhen"},
     "A celadon-glazed gaiwan set for gongfu brewing."),
    ("teaware", "Double-wall Glass Mugs (2)", "89.00", "cup", {},
     {"material": "Borosilicate glass", "capacity": "350 ml"},
     "Keeps tea hot and hands cool; shows off the colour of the brew."),
    ("teaware", "Pour-over Coffee Kit", "199.00", "cup", {},
     {"material": "Glass and stainless steel", "capacity": "600 ml"},
     "A dripper, a server and a reusable filter."),
    ("bedding", "Mulberry Silk Pillowcase", "239.00", "box", {"colour": ["Champagne", "Grey", "Blush"]},
     {"material": "22 momme mulberry silk", "size": "51 × 76 cm"},
     "Kind to hair and skin; washable on a gentle cycle."),
    ("bedding", "Cotton Duvet Cover Set", "429.00", "box", {"size": ["Single", "Double", "King"]},
     {"material": "100% long-staple cotton", "thread count": "400"},
     "Cool, crisp cotton sateen with hidden buttons."),
    ("tops", "Everyday Cotton T-shirt", "79.00", "shirt", {"size": SIZES["clothes"]},
     {"material": "100% cotton", "fit": "Regular", "care": "Machine wash 30°C"},
     "Heavyweight cotton that keeps its shape wash after wash."),
    ("tops", "Linen Button Shirt", "269.00", "shirt", {"colour": ["White", "Sand"], "size": ["M", "L"]},
     {"material": "100% linen", "fit": "Relaxed"},
     "Breathable linen for the hottest days of summer."),
    ("tops", "Merino Crew Sweater", "459.00", "shirt", {"size": SIZES["clothes"]},
     {"material": "Extra-fine merino wool", "fit": "Regular"},
     "Soft, warm and never itchy."),
    ("outerwear", "Packable Down Jacket", "699.00", "shirt", {"colour": COLOURS["textile"]},
     {"fill": "90/10 duck down", "weight": "320 g", "water": "Water-repellent shell"},
     "Folds into its own pocket for travel."),
    ("outerwear", "Classic Trench Coat", "1199.00", "shirt", {"size": ["S", "M", "L"]},
     {"material": "Cotton gabardine", "lining": "Check"},
     "A double-breasted trench cut for spring and autumn."),
    ("outerwear", "Rain Shell", "399.00", "shirt", {"colour": ["Yellow", "Navy"]},
     {"material": "Recycled nylon", "water": "10,000 mm"},
     "Light and seam-sealed for plum-rain season."),
    ("shoes", "Cloud Runner Sneakers", "599.00", "shoe", {"size": SIZES["shoes"]},
     {"upper": "Engineered mesh", "sole": "Foam", "drop": "8 mm"},
     "Cushioned running shoes for daily miles."),
    ("shoes", "Canvas Low-tops", "199.00", "shoe", {"colour": ["White", "Black"], "size": ["41", "42"]},
     {"upper": "Cotton canvas", "sole": "Vulcanised rubber"},
     "The classic canvas shoe that goes with everything."),
    ("shoes", "Leather Loafers", "899.00", "shoe", {"size": ["40", "41", "42"]},
     {"upper": "Full-grain leather", "sole": "Leather"},
     "Hand-finished loafers that soften with wear."),
    ("tea", "West Lake Longjing Green Tea", "188.00", "box", {"weight": ["100 g", "250 g"]},
     {"origin": "Hangzhou, Zhejiang", "harvest": "Pre-Qingming", "type": "Green tea"},
     "Flat, jade-green leaves with a chestnut sweetness."),
    ("tea", "Tieguanyin Oolong", "158.00", "box", {"weight": ["100 g", "250 g"]},
     {"origin": "Anxi, Fujian", "roast": "Light", "type": "Oolong"},
     "Floral and creamy; brews many times over."),
    ("tea", "Aged Pu-erh Cake 357 g", "399.00", "box", {},
     {"origin": "Yunnan", "year": "2015", "type": "Ripe pu-erh"},
     "Earthy and smooth, pressed in the traditional 357 g cake."),
    ("tea", "Jasmine Silver Needle", "228.00", "box", {},
     {"origin": "Fuding, Fujian", "scenting": "7 times", "type": "White tea"},
     "Downy buds scented with fresh jasmine flowers."),
    ("snacks", "Sichuan Spicy Peanuts", "29.90", "bottle", {"size": ["200 g", "500 g"]},
     {"heat": "Hot", "origin": "Chengdu"},
     "Crunchy peanuts with chilli and Sichuan pepper."),
    ("snacks", "Mooncake Gift Box", "168.00", "box", {},
     {"pieces": "8", "flavours": "Lotus, red bean, egg yolk, five-nut"},
     "Eight mooncakes in a gift box for the Mid-Autumn Festival."),
    ("snacks", "Dried Mango Slices", "39.00", "bottle", {},
     {"weight": "250 g", "origin": "Hainan", "sugar": "No added sugar"},
     "Chewy, tangy mango with nothing added."),
    ("pantry", "Aged Black Vinegar", "36.00", "bottle", {},
     {"origin": "Zhenjiang", "aged": "6 years", "volume": "500 ml"},
     "Deep, malty vinegar for dumplings and cold dishes."),
    ("pantry", "Premium Light Soy Sauce", "32.00", "bottle", {},
     {"brewing": "Naturally brewed 180 days", "volume": "500 ml"},
     "A clean, savoury soy for stir-fries and dressings."),
    ("pantry", "Chilli Crisp Oil", "45.00", "bottle", {"heat": ["Medium", "Extra hot"]},
     {"volume": "210 g", "origin": "Guizhou"},
     "Crunchy chilli, garlic and fermented soybeans in oil."),
    ("skincare", "Hydrating Essence", "299.00", "bottle", {"size": ["30 ml", "100 ml"]},
     {"skin type": "All", "key ingredient": "Hyaluronic acid"},
     "A watery essence that plumps and soothes."),
    ("skincare", "Daily Sunscreen SPF 50", "159.00", "bottle", {},
     {"protection": "SPF 50 PA++++", "finish": "Matte", "volume": "50 ml"},
     "Light, invisible sun protection for every day."),
    ("skincare", "Rice Water Cleanser", "99.00", "bottle", {},
     {"skin type": "Normal to dry", "volume": "150 ml"},
     "A gentle foaming cleanser with fermented rice water."),
]

# Deterministic stock: most SKUs well stocked, a few low (≤ SHOP_LOW_STOCK) or sold out.
STOCK_CYCLE = [40, 25, 3, 60, 0, 18, 2, 35, 50, 12, 1, 80, 28]


def _variants(variants: dict) -> list[dict]:
    keys = list(variants)
    return [dict(zip(keys, values)) for values in combinations(*variants.values())][:4] or [{}]


def _price(base: str, index: int) -> Decimal:
    # Bigger sizes and later colours cost a little more, as in a real listing.
    return Decimal(base) + Decimal(index * 10 if Decimal(base) >= 100 else index * 5)


def _seed_categories(out) -> dict[str, Category]:
    nodes: dict[str, Category] = {}
    for slug, name, description, children in CATEGORIES:
        root = Category.objects.filter(slug=slug).first()
        if root is None:
            root = Category.objects.add_root({"slug": slug, "name": name, "description": description})
            out(f"category {name}")
        nodes[slug] = root
        for child_slug, child_name in children:
            child = Category.objects.filter(slug=child_slug).first()
            if child is None:
                root.refresh_from_db()  # treebeard reads numchild from the parent row
                child = Category.objects.add_child(root, {"slug": child_slug, "name": child_name})
                out(f"category {name} / {child_name}")
            nodes[child_slug] = child
    # node_order_by keeps siblings sorted by name, so adding a node can move the paths of
    # nodes read earlier: read them all again.
    return {node.slug: node for node in Category.objects.filter(slug__in=nodes)}


def _root_slug(nodes: dict[str, Category], category: Category) -> str:
    root_path = category.path[: category.steplen]
    return next(slug for slug, node in nodes.items() if node.path == root_path)


@transaction.atomic
def _seed_product(index: int, row: tuple, nodes: dict[str, Category]) -> Product | None:
    category_slug, name, base, shape, variants, specs, description = row
    slug = slugify(name)
    if Product.objects.filter(slug=slug).exists():
        return None
    skus = []
    for position, attributes in enumerate(_variants(variants)):
        skus.append({
            "code": f"DEMO-{index + 1:03d}-{position + 1}",
            "attributes": attributes,
            "price": _price(base, position),
            "stock": STOCK_CYCLE[(index * 3 + position) % len(STOCK_CYCLE)],
        })
    category = nodes[category_slug]
    product = services.product_create(
        category=category, name=name, slug=slug, description=description, specs=specs, skus=skus,
    )
    picture = product_image(name=name, shape=shape, palette_key=_root_slug(nodes, category),
                            label=category.name)
    services.product_image_add(product=product, image=ContentFile(picture, name=f"{slug}.jpg"),
                               alt=name)
    return product


def _seed_chinese(out) -> None:
    """Give the demo rows their Chinese name and description where they have none yet."""
    filled = 0
    for model, texts in ((Category, demo_zh.CATEGORIES), (Product, demo_zh.PRODUCTS)):
        for slug, (name, description) in texts.items():
            filled += model.objects.filter(slug=slug, name_zh_hans__isnull=True).update(
                name_zh_hans=name, description_zh_hans=description or None)
    if filled:
        out(f"{filled} Chinese names")


def seed(*, out) -> None:
    """Create this app's demo rows once; `out(message)` reports progress."""
    # The text in CATEGORIES and PRODUCTS is English whatever SHOP_LANGUAGE_CODE is.
    with translation.override("en"):
        _seed(out)
    _seed_chinese(out)


def _seed(out) -> None:
    nodes = _seed_categories(out)
    created = 0
    for index, row in enumerate(PRODUCTS):
        product = _seed_product(index, row, nodes)
        if product is not None:
            created += 1
            out(f"product {created}: {product.name} ({product.skus.count()} SKUs)")
    out(f"{created} new products, {len(PRODUCTS) - created} already there.")
