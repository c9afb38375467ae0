"""Shoppers' catalogue API v1: the wishlist, back-in-stock alerts, staff review moderation.

Reviews of a product are listed and written at `/products/{slug}/reviews/`, served by orders
(orders/api/reviews.py): writing one needs the purchase check only orders can make.
"""

from django.db.models import OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import selectors
from catalog.api.views import CatalogPermission
from catalog.models import Product, Review, Sku
from catalog.pricing import price_products
from catalog.shoppers.reviews import author_name, review_set_visible
from catalog.shoppers.stock_alerts import stock_alert_subscribe
from catalog.shoppers.wishlist import wishlist_add, wishlist_products, wishlist_remove
from shop.api import BAD_REQUEST, FORBIDDEN, NOT_FOUND, UNAUTHORIZED, WRITE_ERRORS, error


class ReviewSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField(
        help_text="The author's first name, else a masked email address.")

    class Meta:
        model = Review
        fields = ["id", "rating", "title", "body", "author", "created_at", "verified_purchase"]

    def get_author(self, review) -> str:
        return author_name(review.user)


class ReviewStaffSerializer(ReviewSerializer):
    product = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta(ReviewSerializer.Meta):
        fields = [*ReviewSerializer.Meta.fields, "product", "is_visible"]


class ReviewWriteSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    title = serializers.CharField(max_length=Review._meta.get_field("title").max_length,
                                  required=False, allow_blank=True, default="")
    body = serializers.CharField(max_length=Review._meta.get_field("body").max_length)


class ReviewVisibilitySerializer(serializers.Serializer):
    is_visible = serializers.BooleanField()


class ReviewModerationView(APIView):
    """Hide or show a review (staff: catalog.change_review); the product's rating follows."""

    permission_classes = [CatalogPermission]
    write_permissions = {"PATCH": ["catalog.change_review"]}
    http_method_names = ["patch", "options"]

    @extend_schema(request=ReviewVisibilitySerializer,
                   responses={200: ReviewStaffSerializer, **WRITE_ERRORS})
    def patch(self, request, pk):
        review = get_object_or_404(Review.objects.select_related("user", "product"), pk=pk)
        body = ReviewVisibilitySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review = review_set_visible(review=review, is_visible=body.validated_data["is_visible"])
        return Response(ReviewStaffSerializer(review).data)


# --- Wishlist --------------------------------------------------------------------------


class WishlistItemSerializer(serializers.Serializer):
    product = serializers.SlugField(source="slug")
    name = serializers.CharField()
    price_from = serializers.DecimalField(max_digits=12, decimal_places=2,
                                          help_text="Lowest active SKU price, before discounts.")
    effective_price_from = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True,
        help_text="What the shopper pays today for the cheapest SKU.")
    in_stock = serializers.SerializerMethodField()
    saved_at = serializers.DateTimeField()

    def get_in_stock(self, product) -> bool:
        return product.total_stock > 0


class WishlistAddSerializer(serializers.Serializer):
    product = serializers.SlugField(help_text="The product's slug.")

    def validate_product(self, slug) -> Product:
        product = selectors.product_detail(slug)
        if product is None:
            raise serializers.ValidationError("No product for sale has this slug.")
        return product


def _wishlist_response(request, *, status_code=status.HTTP_200_OK) -> Response:
    products = wishlist_products(request.user)
    price_products(products, user=request.user)
    return Response(WishlistItemSerializer(products, many=True).data, status=status_code)


class WishlistView(APIView):
    """The signed-in shopper's saved products for sale (latest first, at most 200).

    POST `{product: slug}` saves one (201; 200 when it was saved already) and answers with
    the whole list.
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: WishlistItemSerializer(many=True), 401: UNAUTHORIZED})
    def get(self, request):
        return _wishlist_response(request)

    @extend_schema(request=WishlistAddSerializer,
                   responses={200: WishlistItemSerializer(many=True),
                              201: WishlistItemSerializer(many=True),
                              400: BAD_REQUEST, 401: UNAUTHORIZED})
    def post(self, request):
        body = WishlistAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _, created = wishlist_add(user=request.user, product=body.validated_data["product"])
        return _wishlist_response(
            request, status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class WishlistItemView(APIView):
    """DELETE removes a product from the shopper's wishlist (404 when it is not there)."""

    permission_classes = [IsAuthenticated]
    http_method_names = ["delete", "options"]

    @extend_schema(responses={204: None, 401: UNAUTHORIZED, 404: NOT_FOUND})
    def delete(self, request, slug):
        product = Product.objects.filter(slug=slug).first()
        if product is None or not wishlist_remove(user=request.user, product=product):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Back-in-stock alerts --------------------------------------------------------------


class StockAlertSerializer(serializers.Serializer):
    sku = serializers.CharField(source="sku.code")
    created_at = serializers.DateTimeField()


class SkuNotifyView(APIView):
    """Ask for one email when this sold-out SKU is back in stock.

    201 when asked; asking again answers 200 with the same alert (once per shopper and SKU;
    an alert already sent is armed again). 400 `in_stock` while the SKU has stock.
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={
        200: StockAlertSerializer, 201: StockAlertSerializer,
        400: error("`in_stock`: the SKU has stock."), 401: UNAUTHORIZED, 403: FORBIDDEN,
        404: NOT_FOUND})
    def post(self, request, code):
        skus = Sku.objects.select_related("product").filter(
            is_active=True, product__is_active=True,
        ).exclude(selectors.in_inactive_branch(OuterRef("product__category__path")))
        sku = get_object_or_404(skus, code=code)
        alert, created = stock_alert_subscribe(user=request.user, sku=sku)
        return Response(StockAlertSerializer(alert).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
