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


class RefundDeclined(ShopError):
    """The gateway refused a refund for good (retrying will not help): staff must step in."""

    code = "refund_declined"
    status = 409
    default_detail = _("The payment provider declined the refund.")


class TooManyUnpaidOrders(ShopError):
    """The shopper holds SHOP_MAX_UNPAID_ORDERS unpaid orders already (they reserve stock)."""

    code = "too_many_unpaid_orders"
    status = 409
    default_detail = _(
        "You have too many orders waiting for payment. Pay or cancel one before placing another."
    )


class TrackingInvalid(ShopError):
    """A shipment event that does not fit the shipment (not shipped yet, already delivered)."""

    code = "tracking_invalid"
    status = 409
    default_detail = _("This shipment cannot take that tracking event now.")


class NotABuyer(ShopError):
    code = "not_a_buyer"
    status = 403
    default_detail = _("Only shoppers who received this product can review it.")
