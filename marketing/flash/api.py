"""Flash-sale API: `/api/v1/flash-sales/` and `/{id}/` for anyone, writes for the marketing perms.

marketing/api.py routes the viewset. Writes go through marketing.flash, so the API and the admin
refuse the same things with the same messages (a service's ValidationError becomes DRF's field
errors). Buying is `POST /api/v1/flash-sales/{id}/orders/`, served by orders (orders/api/flash.py).
"""

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from catalog.models import Sku
from marketing import flash
from marketing.models import FlashSale
from marketing.permissions import ReadRunningOrMarketingPerm
from shop.api import BAD_REQUEST, FORBIDDEN, NOT_FOUND, UNAUTHORIZED, WRITE_ERRORS


class FlashSaleSerializer(serializers.ModelSerializer):
    sku = serializers.SlugRelatedField(slug_field="code", queryset=Sku.objects.select_related("product"),
                                       help_text="The SKU's code.")
    product = serializers.CharField(source="sku.product.name", read_only=True)
    base_price = serializers.DecimalField(source="sku.price", max_digits=12, decimal_places=2,
                                          read_only=True)
    remaining = serializers.IntegerField(read_only=True, help_text="Units not yet sold.")
    status = serializers.ChoiceField(choices=FlashSale.Status.choices, read_only=True)

    class Meta:
        model = FlashSale
        fields = ["id", "sku", "product", "base_price", "price", "quantity", "per_customer_limit",
                  "starts_at", "ends_at", "sold", "remaining", "status"]
        read_only_fields = ["sold"]

    def create(self, validated_data):
        return flash.flash_sale_create(**validated_data)

    def update(self, instance, validated_data):
        return flash.flash_sale_update(sale=instance, **validated_data)


@extend_schema_view(
    list=extend_schema(summary="Flash sales not yet ended (all of them for marketing staff)",
                       responses={200: FlashSaleSerializer(many=True), 400: BAD_REQUEST,
                                  404: NOT_FOUND}),
    retrieve=extend_schema(summary="One flash sale: `remaining` and `status`",
                           responses={200: FlashSaleSerializer, 404: NOT_FOUND}),
    create=extend_schema(summary="Create a flash sale; its quantity is set aside from the SKU's stock",
                         responses={201: FlashSaleSerializer, **WRITE_ERRORS}),
    update=extend_schema(summary="Change price, limit or window (SKU and quantity are fixed)",
                         responses={200: FlashSaleSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(summary="Change price, limit or window (SKU and quantity are fixed)",
                                 responses={200: FlashSaleSerializer, **WRITE_ERRORS}),
    destroy=extend_schema(summary="Delete a sale nobody bought from; its units go back to stock",
                          responses={204: None, 400: WRITE_ERRORS[400], 401: UNAUTHORIZED,
                                     403: FORBIDDEN, 404: NOT_FOUND}),
)
class FlashSaleViewSet(viewsets.ModelViewSet):
    serializer_class = FlashSaleSerializer
    permission_classes = [ReadRunningOrMarketingPerm]
    queryset = FlashSale.objects.select_related("sku__product").order_by("starts_at", "pk")

    def get_queryset(self):
        if self.action == "list" and not self.request.user.has_perm("marketing.view_flashsale"):
            return flash.flash_sales_listed(at=timezone.now())
        return super().get_queryset()

    def perform_destroy(self, instance):
        flash.flash_sale_delete(sale=instance)
