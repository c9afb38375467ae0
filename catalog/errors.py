"""The catalogue's domain errors."""


from django.utils.translation import gettext_lazy as _

from shop.errors import ShopError


class OutOfStock(ShopError):
    code = "out_of_stock"
    status = 409
    default_detail = _("Not enough stock.")

    def __init__(self, sku_code: str, detail: str | None = None):
        super().__init__(detail or _("Not enough stock for %(sku)s.") % {"sku": sku_code}, sku=sku_code)
        self.sku_code = sku_code


class UnknownSku(ShopError):
    code = "unknown_sku"
    status = 400
    default_detail = _("Unknown SKU.")


class InvalidPrice(ShopError):
    code = "invalid_price"
    status = 400
    default_detail = _("A price must be a positive amount with at most two decimal places.")


class InvalidStock(ShopError):
    code = "invalid_stock"
    status = 400
    default_detail = _("Stock must be a whole number of units, zero or more.")


class DuplicateSku(ShopError):
    """A SKU code is taken, belongs to another product, or is listed twice.

    The answer also carries the message under `skus`, the field of a product write that
    names the codes, so an API client reads it as that field's error.
    """

    code = "duplicate_sku"
    status = 400
    default_detail = _("That SKU code is already in use.")

    def as_dict(self) -> dict:
        return {**super().as_dict(), "skus": [self.detail]}


class AlreadyReviewed(ShopError):
    code = "already_reviewed"
    status = 409
    default_detail = _("You have already reviewed this product.")


class InStock(ShopError):
    code = "in_stock"
    status = 400
    default_detail = _("This item is in stock: order it now, no alert is needed.")
