"""Names of the specification and option keys the shop knows, marked for translation.

Keys are data (`{"battery": "5000 mAh"}`); a page shows a known key in the shopper's
language (`spec_name`) and any other key as it is stored, capitalised."""

from django.utils.translation import gettext, gettext_noop

SPEC_NAMES = {
    "aged": gettext_noop("Aged"),
    "battery": gettext_noop("Battery"),
    "bluetooth": gettext_noop("Bluetooth"),
    "brand": gettext_noop("Brand"),
    "brewing": gettext_noop("Brewing"),
    "capacity": gettext_noop("Capacity"),
    "care": gettext_noop("Care"),
    "coating": gettext_noop("Coating"),
    "colour": gettext_noop("Colour"),
    "colours": gettext_noop("Colours"),
    "cpu": gettext_noop("Cpu"),
    "diameter": gettext_noop("Diameter"),
    "drop": gettext_noop("Drop"),
    "field of view": gettext_noop("Field of view"),
    "fill": gettext_noop("Fill"),
    "finish": gettext_noop("Finish"),
    "fit": gettext_noop("Fit"),
    "flavour": gettext_noop("Flavour"),
    "flavours": gettext_noop("Flavours"),
    "gpu": gettext_noop("Gpu"),
    "harvest": gettext_noop("Harvest"),
    "heat": gettext_noop("Heat"),
    "inputs": gettext_noop("Inputs"),
    "key ingredient": gettext_noop("Key ingredient"),
    "length": gettext_noop("Length"),
    "lining": gettext_noop("Lining"),
    "mapping": gettext_noop("Mapping"),
    "material": gettext_noop("Material"),
    "memory": gettext_noop("Memory"),
    "origin": gettext_noop("Origin"),
    "output": gettext_noop("Output"),
    "pack": gettext_noop("Pack"),
    "pieces": gettext_noop("Pieces"),
    "power": gettext_noop("Power"),
    "programs": gettext_noop("Programs"),
    "protection": gettext_noop("Protection"),
    "roast": gettext_noop("Roast"),
    "runtime": gettext_noop("Runtime"),
    "scenting": gettext_noop("Scenting"),
    "screen": gettext_noop("Screen"),
    "size": gettext_noop("Size"),
    "skin type": gettext_noop("Skin type"),
    "sole": gettext_noop("Sole"),
    "storage": gettext_noop("Storage"),
    "suction": gettext_noop("Suction"),
    "sugar": gettext_noop("Sugar"),
    "thread count": gettext_noop("Thread count"),
    "type": gettext_noop("Type"),
    "upper": gettext_noop("Upper"),
    "variant": gettext_noop("Variant"),
    "video": gettext_noop("Video"),
    "volume": gettext_noop("Volume"),
    "water": gettext_noop("Water"),
    "weight": gettext_noop("Weight"),
    "works with": gettext_noop("Works with"),
    "year": gettext_noop("Year"),
}


def spec_name(key: str) -> str:
    """Return a specification or option key for people, in the request's language."""
    english = SPEC_NAMES.get(key.lower())
    return gettext(english) if english else key.capitalize()
