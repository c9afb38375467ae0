"""The orders app's domain errors (shop/api.py and shop/pages.py turn them into responses)."""


from django.utils.translation import gettext_lazy as _
from shop.errors import ShopError


class CartEmpty(ShopError):
    code = "cart_empty"
    status = 400
    default_detail = _("Your cart is empty.")


class InvalidQuantity(ShopError):
    code = "invalid_quantity"
    status = 400
    default_detail = _("Choose a quantity between 1 and 99.")


class SkuUnavailable(ShopError):
    code = "sku_unavailable"
    status = 400
    default_detail = _("This item is not for sale.")


class InvalidAddress(ShopError):
    code = "invalid_address"
    status = 400
    default_detail = _("Choose a delivery address or enter a complete one.")


class IdempotencyConflict(ShopError):
    code = "idempotency_conflict"
    status = 409
    default_detail = _("This Idempotency-Key was already used with a different request body.")


class PaymentDeclined(ShopError):
    code = "payment_declined"
    status = 402
    default_detail = _("The payment was declined.")


class PaymentRejected(ShopError):
    """A gateway callback that cannot be trusted or does not fit the order."""

    code = "payment_rejected"
    status = 400
    default_detail = _("The payment callback was refused.")


class GatewayUnavailable(ShopError):
    code = "gateway_unavailable"
    status = 400
    default_detail = _("This payment method is not available.")


class ShipmentInvalid(ShopError):
    code = "shipment_invalid"
    status = 400
    default_detail = _("A carrier and a tracking number are required.")
