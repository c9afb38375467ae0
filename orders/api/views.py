"""The cart and order API (docs/api.md): thin views over services and selectors."""

import hashlib
import json

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from orders import selectors, services
from orders.api.serializers import (
    CartLineCreateSerializer,
    CartLineSerializer,
    CartLineUpdateSerializer,
    CartSerializer,
    OrderCreateSerializer,
    OrderSerializer,
    PaySerializer,
    RefundSerializer,
    ShipmentCreateSerializer,
    cart_data,
)
from orders.gateways import REGISTRY, enabled_gateways
from orders.gateways.dummy import payment_simulate
from orders.models import CartLine, Order
from orders.pricing import Item, quote_build
from points.pricing import points_help
from shop.api import (
    BAD_REQUEST,
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    UNAUTHORIZED,
    ScopedRateThrottle,
    error,
)
from shop.errors import NotFound
from shop.filters import UtcIsoDateTimeFilter

AUTH_ERRORS = {401: UNAUTHORIZED, 404: NOT_FOUND}
ORDER_ACTION_ERRORS = {400: BAD_REQUEST, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND,
                       409: CONFLICT}


def _request_hash(data) -> str:
    """Return a hash of the request body, key order ignored: same body ↔ same hash."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _order_json(order: Order, *, fresh: bool = False) -> dict:
    """Return the order's JSON; `fresh` when the object already holds its parts (just placed)."""
    if not fresh:
        order = Order.objects.prefetch_related(
            "lines", "adjustments", "shipments__events").get(pk=order.pk)
    return OrderSerializer(order).data


# --- Cart -----------------------------------------------------------------------------------


class CartPreviewSerializer(serializers.Serializer):
    points = serializers.IntegerField(required=False, min_value=0, max_value=10**9)



class CartView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The shopper's cart: lines and the pricing breakdown",
        parameters=[OpenApiParameter("coupon", str, description="Preview a coupon code."),
                    OpenApiParameter("points", int, description="Preview paying with this many points.")],
        responses={200: CartSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED},
    )
    def get(self, request):
        points = CartPreviewSerializer(data=request.query_params)
        points.is_valid(raise_exception=True)
        cart = selectors.cart_for_request(request)
        lines = selectors.cart_lines(cart)
        quote = quote_build(user=request.user, items=selectors.items_of(lines),
                            coupon_code=request.query_params.get("coupon", "")[:64],
                            points=points.validated_data.get("points") or 0, strict=False,
                            suggest=True)
        return Response(cart_data(lines, quote, points_help=points_help(
            user=request.user, amount=quote.points_base)))


def _line_json(request, line: CartLine) -> dict:
    quote = quote_build(user=request.user, items=[Item(sku=line.sku, quantity=line.quantity)])
    return cart_data([line], quote)["lines"][0]


class CartLinesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Add a SKU to the cart (quantities of the same SKU add up)",
        request=CartLineCreateSerializer,
        responses={201: CartLineSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED,
                   409: error("Not enough stock (`out_of_stock`).")},
    )
    def post(self, request):
        body = CartLineCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        line = services.cart_add(cart=selectors.cart_for_request(request, create=True),
                                 sku=body.validated_data["sku"],
                                 quantity=body.validated_data["quantity"])
        return Response(_line_json(request, line), status=status.HTTP_201_CREATED)


class CartLineView(APIView):
    permission_classes = [IsAuthenticated]

    def _line(self, request, pk: int) -> CartLine:
        return get_object_or_404(CartLine.objects.select_related("sku__product"),
                                 pk=pk, cart__user=request.user)

    @extend_schema(
        summary="Change a cart line's quantity", request=CartLineUpdateSerializer,
        responses={200: CartLineSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED,
                   404: NOT_FOUND, 409: error("Not enough stock (`out_of_stock`).")},
    )
    def patch(self, request, pk: int):
        line = self._line(request, pk)
        body = CartLineUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        line = services.cart_set_quantity(line=line, quantity=body.validated_data["quantity"])
        return Response(_line_json(request, line))

    @extend_schema(summary="Remove a cart line",
                   responses={204: None, 401: UNAUTHORIZED, 404: NOT_FOUND})
    def delete(self, request, pk: int):
        services.cart_remove(line=self._line(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


CouponCheckSerializer = inline_serializer(
    name="CouponCheck",
    fields={
        "code": serializers.CharField(),
        "applies": serializers.BooleanField(),
        "amount": serializers.DecimalField(max_digits=12, decimal_places=2,
                                           help_text="What the coupon takes off the cart now."),
        "reason": serializers.CharField(help_text="Why not, for people; empty when it applies."),
        "reason_code": serializers.CharField(
            help_text="Why not: unknown, not_started, expired, not_claimed, min_spend, used_up, "
                      "already_used, wrong_tier, nothing_in_scope, not_combinable; empty when it "
                      "applies."),
    },
)


class CouponCheckView(APIView):
    """Whether a coupon applies to the shopper's cart now, and why not.

    Answered from the cart's quote, the same pipeline checkout charges by, so the check and
    the order can never disagree.
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Check a coupon code against the shopper's cart",
                   responses={200: CouponCheckSerializer, 401: UNAUTHORIZED})
    def get(self, request, code: str):
        lines = selectors.cart_lines(selectors.cart_for_request(request))
        quote = quote_build(user=request.user, items=selectors.items_of(lines),
                            coupon_code=code[:64], strict=False)
        applies = quote.coupon is not None
        return Response({
            "code": quote.coupon.code if applies else code,
            "applies": applies,
            "amount": f"{quote.adjustment_total('coupon'):.2f}",
            "reason": quote.coupon_error,
            "reason_code": quote.coupon_reason,
        })


# --- Orders ---------------------------------------------------------------------------------


class OrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Order.Status.choices)
    created_after = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    # Partners' incremental sync: every move, shipment and tracking event bumps updated_at.
    updated_since = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Order
        fields = ["status", "created_after", "created_before", "updated_since"]


class OrderListCreateView(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = OrderSerializer
    filterset_class = OrderFilter

    def get_queryset(self):
        return selectors.orders_visible_to(self.request.user).prefetch_related(
            "lines", "adjustments", "shipments__events")

    @extend_schema(summary="Orders: your own, or all with the order view permission",
                   responses={200: OrderSerializer(many=True), 400: BAD_REQUEST,
                              401: UNAUTHORIZED, 404: NOT_FOUND})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Place an order from `lines`, or else from the cart",
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                                     description="The same key and body return the same order.")],
        request=OrderCreateSerializer,
        responses={
            201: OrderSerializer,
            200: OpenApiResponse(OrderSerializer, description="Replay of an Idempotency-Key."),
            400: BAD_REQUEST, 401: UNAUTHORIZED,
            409: error("`out_of_stock`, or `idempotency_conflict` (same key, other body)."),
        },
    )
    def post(self, request):
        body = OrderCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        lines = data.get("lines")
        order, created = services.order_place(
            user=request.user, address=data["address"],
            items=services.items_for_skus(pairs=lines) if lines is not None else None,
            coupon_code=data["coupon"], points=data["points"],
            idempotency_key=request.headers.get("Idempotency-Key", "")[:255],
            request_hash=_request_hash(request.data),
        )
        return Response(_order_json(order, fresh=created),
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class OrderActionView(APIView):
    """Base of the per-order endpoints: find the order the caller may see, else 404.

    A shopper sees their own orders; the order view permission (or the endpoint's own
    permission) shows all. Then `required_perm`, if any, decides: 403 without it.
    Paying and confirming receipt are the buyer's acts: `own_only` finds only their orders.
    """

    permission_classes = [IsAuthenticated]
    any_order_perm: str | None = None
    required_perm: str | None = None
    own_only = False

    def order(self, request, number: str) -> Order:
        user = request.user
        sees_all = not self.own_only and (
            user.has_perm("orders.view_order")
            or (self.any_order_perm is not None and user.has_perm(self.any_order_perm))
        )
        queryset = Order.objects.all() if sees_all else Order.objects.filter(user=user)
        order = queryset.filter(number=number).first()
        if order is None:
            raise NotFound()
        if self.required_perm and not user.has_perm(self.required_perm):
            raise PermissionDenied()
        return order


class OrderDetailView(OrderActionView):

    @extend_schema(summary="One order", responses={200: OrderSerializer, **AUTH_ERRORS})
    def get(self, request, number: str):
        return Response(_order_json(self.order(request, number)))


class OrderPayView(OrderActionView):
    own_only = True
    @extend_schema(
        summary="Pay an order (dummy gateway: approve or decline in the sandbox)",
        request=PaySerializer,
        responses={200: OrderSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED, 404: NOT_FOUND,
                   402: error("`payment_declined`: the order stays pending payment."),
                   409: error("`invalid_transition`: the order is not waiting for payment.")},
    )
    def post(self, request, number: str):
        order = self.order(request, number)
        body = PaySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if body.validated_data["gateway"] != "dummy" or "dummy" not in enabled_gateways():
            raise serializers.ValidationError({"gateway": ["This payment method is not available."]})
        payment_simulate(order=order, outcome=body.validated_data["outcome"])
        return Response(_order_json(order))


class OrderCancelView(OrderActionView):
    # A staff cancel of a paid order gives the money back, so it needs the refund permission:
    # a partner that may update and ship orders may not undo a sale.
    any_order_perm = "orders.refund_order"

    @extend_schema(summary="Cancel: the shopper while pending payment; staff (refund permission) "
                           "also paid/processing",
                   request=None, responses={200: OrderSerializer, **ORDER_ACTION_ERRORS})
    def post(self, request, number: str):
        order = self.order(request, number)
        staff = request.user.has_perm("orders.refund_order")
        if order.user_id != request.user.pk and not staff:
            raise PermissionDenied()  # seeing every order is not cancelling them
        services.order_cancel(order=order, actor=request.user, by_staff=staff)
        return Response(_order_json(order))


class OrderConfirmView(OrderActionView):
    own_only = True

    @extend_schema(summary="The shopper confirms receipt: shipped → completed",
                   request=None, responses={200: OrderSerializer, **ORDER_ACTION_ERRORS})
    def post(self, request, number: str):
        order = self.order(request, number)
        services.order_confirm(order=order, actor=request.user)
        return Response(_order_json(order))


class OrderShipmentsView(OrderActionView):
    any_order_perm = "orders.add_shipment"
    required_perm = "orders.add_shipment"

    @extend_schema(summary="Mark a processing order shipped (fulfilment permission)",
                   request=ShipmentCreateSerializer,
                   responses={200: OrderSerializer, **ORDER_ACTION_ERRORS})
    def post(self, request, number: str):
        order = self.order(request, number)
        body = ShipmentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.order_ship(order=order, actor=request.user, **body.validated_data)
        return Response(_order_json(order))


class OrderRefundView(OrderActionView):
    any_order_perm = "orders.refund_order"
    required_perm = "orders.refund_order"

    @extend_schema(summary="Refund a processing, shipped or completed order (refund permission)",
                   request=RefundSerializer,
                   responses={200: OrderSerializer, **ORDER_ACTION_ERRORS})
    def post(self, request, number: str):
        order = self.order(request, number)
        body = RefundSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.order_refund(order=order, actor=request.user,
                              restock=body.validated_data["restock"])
        return Response(_order_json(order))


class PaymentCallbackView(APIView):
    """Server-to-server: trusted by its signature, not by a session or token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "payment_callback"  # per client address: there is no user here

    @extend_schema(
        summary="A payment gateway's signed callback",
        description="dummy: header `X-Shop-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 "
                    "of \"t.body\">`; the body names the order, reference, amount, currency "
                    "and outcome. A replay changes nothing.",
        request=OpenApiTypes.OBJECT,
        responses={
            200: inline_serializer("CallbackAck", {
                "status": serializers.CharField(),
                "flagged_for_refund": serializers.BooleanField(),
            }),
            400: error("`payment_rejected`: bad signature, stale timestamp, wrong amount."),
            404: NOT_FOUND,
            429: error("Too many callbacks from this address."),
        },
    )
    def post(self, request, gateway: str):
        if gateway not in REGISTRY or gateway not in enabled_gateways():
            raise NotFound()
        payment = services.payment_callback(gateway=gateway, body=request.body,
                                            headers=request.headers)
        return Response({"status": payment.status,
                         "flagged_for_refund": payment.flagged_for_refund})
