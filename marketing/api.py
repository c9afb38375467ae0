"""Marketing API: discounts and promotions (running ones public), coupons (marketing staff only).

Shoppers ask whether a coupon fits their cart at `GET /api/v1/coupons/{code}/check/`, which
orders serves from the cart's quote (the cart is orders'). The coupon wallet (领券): shoppers
list the claimable coupons, claim one, and list their own. Flash sales:
marketing/flash/api.py, routed here with the rest.
"""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from catalog.models import Category, Product
from marketing import selectors, services
from marketing.flash.api import FlashSaleViewSet
from marketing.models import Coupon, CouponClaim, Discount, Promotion
from marketing.permissions import ReadRunningOrMarketingPerm
from shop.api import BAD_REQUEST, CONFLICT, FORBIDDEN, NOT_FOUND, UNAUTHORIZED, WRITE_ERRORS, error

# --- Permissions ----------------------------------------------------------------------------


class MarketingPermOnly(permissions.DjangoModelPermissions):
    """Every method, reads included, needs the model permission (view for reads)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


def sees_everything(request, model) -> bool:
    """Return whether the user may see rows that aren't running (marketing staff)."""
    return request.user.has_perm(f"marketing.view_{model._meta.model_name}")


# --- Serializers ------------------------------------------------------------------------------


def _slugs(model, **kwargs):
    return serializers.SlugRelatedField(
        many=True, slug_field="slug", queryset=model.objects.all(), required=False, **kwargs
    )


class TierCodes(serializers.ListField):
    child = serializers.CharField(max_length=32)


class ServiceSaveMixin:
    """Write through marketing.services so the API and the admin refuse the same things."""

    save_service = None
    instance_kwarg = ""

    def create(self, validated_data):
        return type(self).save_service(**validated_data)

    def update(self, instance, validated_data):
        return type(self).save_service(**{self.instance_kwarg: instance}, **validated_data)


class DiscountSerializer(ServiceSaveMixin, serializers.ModelSerializer):
    products = _slugs(Product, help_text="Product slugs.")
    categories = _slugs(Category, help_text="Category slugs (each covers its subcategories).")
    is_running = serializers.BooleanField(read_only=True)  # the model's is_running()

    save_service = services.discount_save
    instance_kwarg = "discount"

    class Meta:
        model = Discount
        fields = ["id", "name", "kind", "value", "products", "categories", "starts_at", "ends_at",
                  "is_active", "is_running"]


class PromotionSerializer(ServiceSaveMixin, serializers.ModelSerializer):
    categories = _slugs(Category, help_text="Category slugs; empty: every line counts.")
    tiers = TierCodes(required=False, help_text="Tier codes; empty: every shopper.")
    is_running = serializers.BooleanField(read_only=True)  # the model's is_running()

    save_service = services.promotion_save
    instance_kwarg = "promotion"

    class Meta:
        model = Promotion
        fields = ["id", "name", "threshold", "amount_off", "categories", "tiers", "starts_at", "ends_at",
                  "is_active", "is_running"]


class CouponSerializer(ServiceSaveMixin, serializers.ModelSerializer):
    categories = _slugs(Category, help_text="Category slugs; empty: the whole order.")
    tiers = TierCodes(required=False, help_text="Tier codes; empty: every shopper.")

    save_service = services.coupon_save
    instance_kwarg = "coupon"

    class Meta:
        model = Coupon
        fields = ["id", "code", "name", "kind", "value", "max_discount", "min_spend", "starts_at", "ends_at",
                  "usage_limit", "per_customer_limit", "categories", "tiers", "combinable_with_promotions",
                  "used", "claimable", "claims_total", "claims_per_customer", "claims_used"]
        read_only_fields = ["used", "claims_used"]


# --- The coupon wallet (领券) --------------------------------------------------------------

_WALLET_FIELDS = ["code", "name", "kind", "value", "max_discount", "min_spend", "starts_at", "ends_at"]


class ClaimableCouponSerializer(serializers.ModelSerializer):
    claims_left = serializers.IntegerField(read_only=True, help_text="0 once every claim is handed out.")
    claimed = serializers.SerializerMethodField(help_text="Whether the caller holds a claim of it.")

    class Meta:
        model = Coupon
        fields = [*_WALLET_FIELDS, "claims_per_customer", "claims_left", "claimed"]

    def get_claimed(self, coupon) -> bool:
        return bool(getattr(coupon, "claimed", 0))


class WalletCouponSerializer(serializers.ModelSerializer):
    """A claim in the caller's wallet: the coupon's terms and the claim's status."""

    code = serializers.CharField(source="coupon.code")
    name = serializers.CharField(source="coupon.name")
    kind = serializers.CharField(source="coupon.kind")
    value = serializers.DecimalField(source="coupon.value", max_digits=12, decimal_places=2)
    max_discount = serializers.DecimalField(source="coupon.max_discount", max_digits=12,
                                            decimal_places=2, allow_null=True)
    min_spend = serializers.DecimalField(source="coupon.min_spend", max_digits=12, decimal_places=2)
    starts_at = serializers.DateTimeField(source="coupon.starts_at")
    ends_at = serializers.DateTimeField(source="coupon.ends_at")
    status = serializers.ChoiceField(choices=CouponClaim.Status.choices, read_only=True,
                                     help_text="available, used (by an order) or expired.")

    class Meta:
        model = CouponClaim
        fields = [*_WALLET_FIELDS, "status", "claimed_at", "used_at"]


# --- Views ----------------------------------------------------------------------------------

def _schema(serializer_class, *, staff_only_reads=False):
    """Declare every action's responses, 4xx included, with the serializer as the 2xx body."""
    read_errors = {401: UNAUTHORIZED, 403: FORBIDDEN} if staff_only_reads else {}
    delete_errors = {409: CONFLICT} if staff_only_reads else {}
    return extend_schema_view(
        # A malformed `page` is a 400, a page past the end a 404 (shop.api.PageNumberPagination).
        list=extend_schema(responses={200: serializer_class(many=True), 400: BAD_REQUEST,
                                      404: NOT_FOUND, **read_errors}),
        retrieve=extend_schema(responses={200: serializer_class, 404: NOT_FOUND, **read_errors}),
        create=extend_schema(responses={201: serializer_class, **WRITE_ERRORS}),
        update=extend_schema(responses={200: serializer_class, **WRITE_ERRORS}),
        partial_update=extend_schema(responses={200: serializer_class, **WRITE_ERRORS}),
        destroy=extend_schema(responses={204: None, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND,
                                         **delete_errors}),
    )


_category_slugs = Prefetch("categories", queryset=Category.objects.only("pk", "slug"))


@_schema(DiscountSerializer)
class DiscountViewSet(viewsets.ModelViewSet):
    """Running discounts for everyone; all of them, and writes, for marketing staff."""

    serializer_class = DiscountSerializer
    permission_classes = [ReadRunningOrMarketingPerm]

    def get_queryset(self):
        queryset = Discount.objects.prefetch_related(
            Prefetch("products", queryset=Product.objects.only("pk", "slug")), _category_slugs
        ).order_by("-starts_at", "pk")
        if sees_everything(self.request, Discount):
            return queryset
        return queryset.running(timezone.now())


@_schema(PromotionSerializer)
class PromotionViewSet(viewsets.ModelViewSet):
    """Running promotions for everyone; all of them, and writes, for marketing staff."""

    serializer_class = PromotionSerializer
    permission_classes = [ReadRunningOrMarketingPerm]

    def get_queryset(self):
        queryset = Promotion.objects.prefetch_related(_category_slugs).order_by("threshold", "pk")
        if sees_everything(self.request, Promotion):
            return queryset
        return queryset.running(timezone.now())


@_schema(CouponSerializer, staff_only_reads=True)
class CouponViewSet(viewsets.ModelViewSet):
    """Coupons, addressed by code (case-insensitive): marketing staff only, never listed to shoppers."""

    serializer_class = CouponSerializer
    permission_classes = [permissions.IsAuthenticated, MarketingPermOnly]
    queryset = Coupon.objects.prefetch_related(_category_slugs).order_by("-created_at", "pk")
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9_-]+"

    def perform_destroy(self, instance):
        services.coupon_delete(coupon=instance)

    def get_object(self):
        coupon = get_object_or_404(self.get_queryset(), code__iexact=self.kwargs["code"])
        self.check_object_permissions(self.request, coupon)
        return coupon


class ClaimableCouponListView(generics.ListAPIView):
    """The running claimable coupons, ending soonest first; an exhausted one shows 0 left."""

    serializer_class = ClaimableCouponSerializer
    permission_classes = [permissions.AllowAny]
    filter_backends = []

    def get_queryset(self):
        return selectors.coupons_claimable(at=timezone.now(), user=self.request.user)

    @extend_schema(summary="Coupons shoppers may claim (the coupon centre)",
                   responses={200: ClaimableCouponSerializer(many=True), 400: BAD_REQUEST,
                              404: NOT_FOUND})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CouponClaimView(APIView):
    """Claim one of a running claimable coupon into the caller's wallet."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Claim a coupon into your wallet", request=None,
        responses={
            201: WalletCouponSerializer, 401: UNAUTHORIZED,
            404: error("No running claimable coupon has this code."),
            409: error("`already_claimed`: you hold as many as one shopper may claim; "
                       "`claims_exhausted`: every claim has been handed out."),
        },
    )
    def post(self, request, code: str):
        claim = services.coupon_claim(code=code[:64], user=request.user)
        return Response(WalletCouponSerializer(claim).data, status=status.HTTP_201_CREATED)


class MyCouponListView(generics.ListAPIView):
    """The caller's claimed coupons, newest claim first, each available, used or expired."""

    serializer_class = WalletCouponSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = []

    def get_queryset(self):
        return selectors.coupon_claims_of(user=self.request.user)

    @extend_schema(summary="Your coupons (the wallet)",
                   responses={200: WalletCouponSerializer(many=True), 400: BAD_REQUEST,
                              401: UNAUTHORIZED, 404: NOT_FOUND})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


router = SimpleRouter()
router.register("discounts", DiscountViewSet, basename="discount")
router.register("promotions", PromotionViewSet, basename="promotion")
router.register("coupons", CouponViewSet, basename="coupon")
router.register("flash-sales", FlashSaleViewSet, basename="flash-sale")  # marketing/flash/api.py

urlpatterns = [
    # Ahead of the router: its coupon detail route would take "claimable" for a code.
    path("coupons/claimable/", ClaimableCouponListView.as_view(), name="api-coupons-claimable"),
    path("coupons/<str:code>/claim/", CouponClaimView.as_view(), name="api-coupon-claim"),
    path("me/coupons/", MyCouponListView.as_view(), name="api-my-coupons"),
    *router.urls,
]
