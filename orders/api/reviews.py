"""`/api/v1/products/{slug}/reviews/`: a product's visible reviews; POST writes the shopper's.

Served by orders because writing a review checks the purchase (orders/services/reviews.py).
"""

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from catalog import selectors as catalog_selectors
from catalog.api.shoppers import ReviewSerializer, ReviewWriteSerializer
from catalog.shoppers.reviews import reviews_visible
from orders.services.reviews import review_create
from shop.api import BAD_REQUEST, NOT_FOUND, UNAUTHORIZED, error


class ProductReviewsView(generics.ListCreateAPIView):
    """The product's visible reviews, newest first; POST `{rating, title?, body}` adds yours.

    403 `not_a_buyer` unless an order of yours with the product is completed; 409
    `already_reviewed` on a second review.
    """

    serializer_class = ReviewSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends = []

    def _product(self):
        product = catalog_selectors.product_detail(self.kwargs["slug"])
        if product is None:
            raise Http404
        return product

    def get_queryset(self):
        return reviews_visible(self._product().pk)

    @extend_schema(responses={200: ReviewSerializer(many=True), 400: BAD_REQUEST,
                              404: NOT_FOUND})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ReviewWriteSerializer, responses={
        201: ReviewSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED,
        403: error("`not_a_buyer`: no completed order of yours holds this product."),
        404: NOT_FOUND, 409: error("`already_reviewed`: you reviewed this product before.")})
    def post(self, request, *args, **kwargs):
        product = self._product()
        body = ReviewWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review = review_create(user=request.user, product=product, **body.validated_data)
        return Response(ReviewSerializer(review).data, status=201)


urlpatterns = [
    path("products/<slug:slug>/reviews/", ProductReviewsView.as_view(),
         name="api-product-reviews"),
]
