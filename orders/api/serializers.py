"""API shapes of carts and orders (docs/api.md, "Orders"); validation only."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from accounts.addresses import CHECKED_FIELDS, address_normalise
from accounts.models import ADDRESS_FIELDS, phone_validator
from catalog.models import Sku
from orders.errors import InvalidAddress
from orders.gateways import REGISTRY
from orders.services import MAX_QUANTITY
from orders.services.placement import address_resolve

# --- Out ------------------------------------------------------------------------------------


class AdjustmentSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class PromotionHintSerializer(serializers.Serializer):
    missing = serializers.DecimalField(max_digits=12, decimal_places=2)
    amount_off = serializers.DecimalField(max_digits=12, decimal_places=2)
    label = serializers.CharField()


class SuggestedCouponSerializer(serializers.Serializer):
    code = serializers.CharField()
    saving = serializers.DecimalField(max_digits=12, decimal_places=2, source="amount",
                                      help_text="What the coupon would take off this cart.")
    label = serializers.CharField()


class CartLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField(help_text="The SKU's code.")
    name = serializers.CharField()
    attributes = serializers.DictField()
    quantity = serializers.IntegerField()
    base_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    price_label = serializers.CharField()
    line_total = serializers.DecimalField(max_digits=12, decimal_places=2)


class CartSerializer(serializers.Serializer):
    lines = CartLineSerializer(many=True)
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    adjustments = AdjustmentSerializer(many=True)
    shipping = serializers.DecimalField(max_digits=12, decimal_places=2)
    points_redeemed = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    promotion_hint = PromotionHintSerializer(allow_null=True)
    coupon_error = serializers.CharField(allow_blank=True)
    points_error = serializers.CharField(allow_blank=True, help_text="Why the points asked for were refused.")
    points_help = serializers.CharField(
        allow_blank=True, help_text="For the checkout: the balance, what this cart allows and its worth.")
    suggested_coupon = SuggestedCouponSerializer(
        allow_null=True, help_text="The coupon in the shopper's wallet that takes most off this "
                                   "cart (null: none applies).")


def cart_data(cart_lines, quote, *, points_help: str = "") -> dict:
    """Return the cart API body: each cart line with its priced figures, and the breakdown."""
    lines = [
        {"id": line.pk, "sku": priced.sku_code, "name": priced.name,
         "attributes": priced.attributes, "quantity": priced.quantity,
         "base_price": priced.base_price, "unit_price": priced.unit_price,
         "price_label": priced.price_label, "line_total": priced.line_total}
        for line, priced in zip(cart_lines, quote.lines)
    ]
    return CartSerializer({
        "lines": lines, "subtotal": quote.subtotal, "adjustments": quote.adjustments,
        "shipping": quote.shipping, "points_redeemed": quote.points_redeemed,
        "total": quote.total, "currency": quote.currency,
        "promotion_hint": quote.promotion_hint, "coupon_error": quote.coupon_error,
        "points_error": quote.points_error, "points_help": points_help,
        "suggested_coupon": quote.suggested_coupon,
    }).data


class OrderLineSerializer(serializers.Serializer):
    sku = serializers.CharField(source="sku_code")
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    line_total = serializers.DecimalField(max_digits=12, decimal_places=2)


class ShipmentEventSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="in_transit or delivered.")
    location = serializers.CharField(allow_blank=True)
    at = serializers.DateTimeField()


class ShipmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    carrier = serializers.CharField()
    tracking_number = serializers.CharField()
    status = serializers.CharField(help_text="packing, shipped, in_transit or delivered.")
    shipped_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    events = ShipmentEventSerializer(many=True, help_text="The tracking timeline, oldest first.")


class AddressSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=30)
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=100)
    province = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="",
        help_text="Optional. In China a province in English or Chinese (\"Shanghai\", \"上海\"); "
                  "stored as its English name.")
    postcode = serializers.CharField(max_length=20, help_text="Checked for the country: six "
                                     "digits in China.")
    country = serializers.CharField(min_length=2, max_length=2,
                                    help_text="ISO 3166-1 alpha-2 code, e.g. CN.")

    def validate_phone(self, value):
        phone_validator(value)
        return value

    def validate(self, attrs):
        """Check the address as the address book does (accounts/addresses.py): field errors."""
        try:
            attrs.update(address_normalise({name: attrs.get(name, "") for name in CHECKED_FIELDS}))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return attrs


class OrderSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    lines = OrderLineSerializer(many=True)
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    adjustments = AdjustmentSerializer(many=True)
    shipping = serializers.DecimalField(max_digits=12, decimal_places=2)
    points_redeemed = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    address = AddressSerializer()
    shipments = ShipmentSerializer(many=True)
    delivered_at = serializers.DateTimeField(
        allow_null=True, help_text="When every shipment had been delivered; null until then.")


# --- In -------------------------------------------------------------------------------------


class CartLineCreateSerializer(serializers.Serializer):
    sku = serializers.SlugRelatedField(
        slug_field="code", queryset=Sku.objects.select_related("product"),
        help_text="The SKU's code.",
    )
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class CartLineUpdateSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class OrderLineInSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64, help_text="The SKU's code.")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


def address_choice(attrs: dict) -> tuple[int | None, dict | None]:
    """Return (address_id, inline fields) from a body, checked without the database.

    The address rule of every order body: `address_id`, `address: {"address_id": n}` or an
    inline `address`, exactly one; the id a positive whole number (`true`, `1.5`, `"1"` are
    refused). Pops `address_id` from `attrs`; raise a ValidationError.
    """
    inline = attrs.get("address")
    address_id = attrs.pop("address_id", None)
    if isinstance(inline, dict) and set(inline) == {"address_id"}:
        address_id, inline = inline["address_id"], None
        if isinstance(address_id, bool) or not isinstance(address_id, int) or address_id < 1:
            raise serializers.ValidationError(
                {"address": ["address_id must be a positive whole number."]})
    if (address_id is None) == (inline is None):
        raise serializers.ValidationError(
            {"address": ["Give either address_id (a saved address) or an inline address."]}
        )
    if inline is not None:
        nested = AddressSerializer(data=inline)
        if not nested.is_valid():
            raise serializers.ValidationError({"address": nested.errors})
        inline = {name: nested.validated_data.get(name, "") for name in ADDRESS_FIELDS}
    return address_id, inline


class OrderAddressMixin(serializers.Serializer):
    """`address_id` (a saved address of the caller) or an inline `address`, exactly one.

    `address: {"address_id": 12}` is accepted too. `validated_data["address"]` is the
    snapshot dict an order keeps.
    """

    address_id = serializers.IntegerField(required=False, min_value=1)
    address = serializers.JSONField(required=False)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        address_id, inline = address_choice(attrs)
        try:
            attrs["address"] = address_resolve(
                user=self.context["request"].user, address_id=address_id, inline=inline)
        except InvalidAddress as exc:
            field = "address_id" if address_id is not None else "address"
            raise serializers.ValidationError({field: [exc.detail]}) from None
        return attrs


class OrderCreateSerializer(OrderAddressMixin):
    coupon = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    points = serializers.IntegerField(min_value=0, max_value=10**9, required=False, default=0)
    lines = OrderLineInSerializer(many=True, required=False, allow_empty=False,
                                  help_text="Omit to order the cart.")

    def validate_lines(self, lines):
        """Resolve every SKU code in one query; an unknown code is a field error."""
        codes = {line["sku"] for line in lines}
        skus = {sku.code: sku for sku in Sku.objects.select_related("product").filter(code__in=codes)}
        unknown = sorted(codes - set(skus))
        if unknown:
            raise serializers.ValidationError(f"Unknown SKU: {', '.join(unknown)}.")
        return [(skus[line["sku"]], line["quantity"]) for line in lines]


class PaySerializer(serializers.Serializer):
    gateway = serializers.ChoiceField(choices=sorted(REGISTRY))
    outcome = serializers.ChoiceField(choices=["approve", "decline"],
                                      help_text="dummy gateway: the sandbox outcome.")


class ShipmentCreateSerializer(serializers.Serializer):
    carrier = serializers.CharField(max_length=100)
    tracking_number = serializers.CharField(max_length=100)


class RefundSerializer(serializers.Serializer):
    restock = serializers.BooleanField(required=False, default=False,
                                       help_text="Put the goods back in stock.")
