"""`POST /api/v1/orders/{number}/shipments/{id}/events/`: the TMS reports shipment progress."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.api.serializers import OrderSerializer
from orders.models import Order, ShipmentEvent
from orders.services.tracking import shipment_event_add
from shop.api import BAD_REQUEST, FORBIDDEN, NOT_FOUND, UNAUTHORIZED, error
from shop.errors import NotFound


class ShipmentEventCreateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ShipmentEvent.Status.choices)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                     default="")


class ShipmentEventCreateView(APIView):
    """Record `in_transit` (optional location) or `delivered` (fulfilment permission).

    The last shipment of an order delivered sets the order's `delivered_at`, starts its
    auto-complete window and sends `order.delivered`.
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Report a shipment's progress (fulfilment permission; TMS)",
        request=ShipmentEventCreateSerializer,
        responses={201: OrderSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED, 403: FORBIDDEN,
                   404: NOT_FOUND,
                   409: error("`tracking_invalid`: the shipment is not on its way (not shipped "
                              "yet, or already delivered).")},
    )
    def post(self, request, number: str, pk: int):
        user = request.user
        may_track = user.has_perm("orders.add_shipment")
        orders = (Order.objects.all() if may_track or user.has_perm("orders.view_order")
                  else Order.objects.filter(user=user))
        order = orders.filter(number=number).first()
        if order is None:
            raise NotFound()
        if not may_track:
            raise PermissionDenied()
        shipment = order.shipments.filter(pk=pk).first()
        if shipment is None:
            raise NotFound()
        body = ShipmentEventCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        shipment_event_add(shipment=shipment, **body.validated_data)
        order = (Order.objects.prefetch_related("lines", "adjustments", "shipments__events")
                 .get(pk=order.pk))
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("orders/<str:number>/shipments/<int:pk>/events/", ShipmentEventCreateView.as_view(),
         name="api-order-shipment-events"),
]
