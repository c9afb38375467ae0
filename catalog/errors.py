"""The catalogue's domain errors."""

from shop.errors import ShopError


class OutOfStock(ShopError):
    code = "out_of_stock"
    status = 409
    default_detail = "Not enough stock."

    def __init__(self, sku_code: str, detail: str | None = None):
        super().__init__(detail or f"Not enough stock for {sku_code}.", sku=sku_code)
        self.sku_code = sku_code


class UnknownSku(ShopError):
    code = "unknown_sku"
    status = 400
    default_detail = "Unknown SKU."
