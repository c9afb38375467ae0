"""Catalogue API v1 views: categories, products, SKUs, bulk stock, image upload.

Reads are public. Writes need the Django model permission each view names (staff and
partner accounts get them through their groups). Views are thin: selectors read, services
write, catalog.pricing prices.
"""

from django.db import transaction
from django.db.models import OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.partner_scopes import require_scope
from catalog import selectors, services
from catalog.api.serializers import (
    CategorySerializer,
    ImageSerializer,
    ImageUploadSerializer,
    ProductDetailSerializer,
    ProductLinkSerializer,
    ProductListSerializer,
    ProductPatchSerializer,
    ProductSerializer,
    ProductWriteSerializer,
    SkuPatchSerializer,
    SkuSerializer,
    StockItemSerializer,
    StockSyncResultSerializer,
)
from catalog.filters import ProductFilter
from catalog.models import Sku
from catalog.pagecache import cached_part, etag_and_last_modified
from catalog.pricing import effective_prices, price_products
from catalog.recommendations import bought_together_ids
from shop.api import BAD_REQUEST, READ_ERRORS, WRITE_ERRORS

MAX_SYNC_ITEMS = 1000


class CatalogPermission(BasePermission):
    """Reads are public; a write needs every permission in the view's `write_permissions`.

    A method a view does not list is refused. Anonymous writers get 401 (token auth answers
    with a challenge), signed-in users without the permission 403.
    """

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        if not (request.user and request.user.is_authenticated):
            return False
        required = getattr(view, "write_permissions", {}).get(request.method)
        return required is not None and request.user.has_perms(required)


def _require_sku_permissions(request, items, *, creating: bool) -> None:
    """Refuse SKU writes nested in a product body unless the user may make them directly.

    A product write carrying `skus` changes SKUs as PATCH /skus/ and a SKU add would: an
    existing code needs catalog.change_sku, a new one catalog.add_sku (a product POST only
    adds SKUs).
    """
    codes = {item["code"] for item in items}
    if not codes:
        return
    existing = set() if creating else selectors.sku_codes_existing(codes)
    needed = set()
    if existing:
        needed.add("catalog.change_sku")
    if codes - existing:
        needed.add("catalog.add_sku")
    if not request.user.has_perms(needed):
        raise PermissionDenied(
            "Changing SKUs needs catalog.change_sku and adding them catalog.add_sku.")


def _conditional(request, view: str, extra: tuple = ()):
    """Return (a 304 response or None, the validators to set on a full answer).

    The validators come from the catalogue's versions, the shopper's price audience, the
    request's path and query (catalog/pagecache.py) and `extra` (what else the answer
    holds): a revalidation costs no product query.
    """
    etag, last_modified = etag_and_last_modified(request, view, (request.get_full_path(), *extra))
    timestamp = int(last_modified.timestamp()) if last_modified else None
    not_modified = None
    if etag is not None:
        not_modified = get_conditional_response(request._request, etag=etag,
                                                last_modified=timestamp)
        if not_modified is not None:
            not_modified = Response(status=status.HTTP_304_NOT_MODIFIED)
    return not_modified, (etag, last_modified)


def _validated(response, validators):
    etag, last_modified = validators
    if etag is not None:
        response["ETag"] = etag
        if last_modified is not None:
            response["Last-Modified"] = http_date(last_modified.timestamp())
        # Prices depend on who asks: a shared cache must keep answers apart per credential.
        patch_vary_headers(response, ["Cookie", "Authorization"])
    return response


def _priced_detail(slug: str, request, *, for_sale: bool = True):
    product = selectors.product_detail(slug, for_sale=for_sale)
    if product is None:
        raise Http404
    price_products([product], user=request.user)
    return product


class CategoryListView(generics.ListAPIView):
    """The category tree as a flat list in tree order, each with its parent's slug."""

    serializer_class = CategorySerializer
    permission_classes = [CatalogPermission]
    filter_backends = []

    def get_queryset(self):
        return selectors.categories_flat(visible=True)

    @extend_schema(responses={200: CategorySerializer(many=True), 400: BAD_REQUEST, **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ProductListView(generics.ListCreateAPIView):
    """Products for sale, filtered and ordered; POST creates one (catalog.add_product).

    A POST with `skus` also needs catalog.add_sku.
    """

    permission_classes = [CatalogPermission]
    write_permissions = {"POST": ["catalog.add_product"]}
    filterset_class = ProductFilter

    def get_queryset(self):
        # ProductFilter builds the listing with selectors.product_list.
        return selectors.products_base()

    def get_serializer_class(self):
        return ProductWriteSerializer if self.request.method == "POST" else ProductListSerializer

    @extend_schema(responses={200: ProductListSerializer(many=True), 304: None,
                              400: BAD_REQUEST, **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        not_modified, validators = _conditional(request, "api-products")
        if not_modified is not None:
            return _validated(not_modified, validators)

        def make():
            page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
            price_products(page, user=request.user)
            data = ProductListSerializer(page, many=True,
                                         context=self.get_serializer_context()).data
            return self.get_paginated_response(data).data

        # The whole answer is cached like a page part: its links carry the host and query.
        data = cached_part(request, "api-products", (request.build_absolute_uri(),), make,
                           exact_stock=True)
        return _validated(Response(data), validators)

    @extend_schema(request=ProductWriteSerializer, responses={201: ProductSerializer, **WRITE_ERRORS})
    def post(self, request, *args, **kwargs):
        serializer = ProductWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _require_sku_permissions(request, data["skus"], creating=True)
        product = services.product_create(
            category=data["category"], name=data["name"], slug=data["slug"],
            description=data["description"], specs=data["attributes"],
            is_active=data["is_active"], skus=data["skus"],
        )
        product = _priced_detail(product.slug, request, for_sale=False)
        return Response(ProductSerializer(product, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class ProductDetailView(APIView):
    """One product with its SKUs and images; PATCH changes it (catalog.change_product).

    A PATCH with `skus` also needs catalog.change_sku for codes in use, catalog.add_sku for
    new ones.
    """

    permission_classes = [CatalogPermission]
    write_permissions = {"PATCH": ["catalog.change_product"]}

    @extend_schema(responses={200: ProductDetailSerializer, 304: None, **READ_ERRORS})
    def get(self, request, slug):
        # "Bought together" moves with orders, not with the catalogue: it joins the cached
        # answer afterwards, and its ids are part of the ETag.
        together = bought_together_ids(slug)
        not_modified, validators = _conditional(request, "api-product", (tuple(together),))
        if not_modified is not None:
            return _validated(not_modified, validators)

        def make():
            product = _priced_detail(slug, request)
            return ProductSerializer(product, context={"request": request}).data

        data = cached_part(request, "api-product", (request.build_absolute_uri(),), make,
                           exact_stock=True)
        linked = ProductLinkSerializer(selectors.products_for_sale_by_ids(together), many=True).data
        return _validated(Response({**data, "bought_together": linked}), validators)

    @extend_schema(request=ProductPatchSerializer, responses={200: ProductSerializer, **WRITE_ERRORS})
    @transaction.atomic
    def patch(self, request, slug):
        product = selectors.product_detail(slug, for_sale=False)
        if product is None:
            raise Http404
        serializer = ProductPatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        _require_sku_permissions(request, data.get("skus", ()), creating=False)
        if "attributes" in data:
            data["specs"] = data.pop("attributes")
        services.product_update(product=product, **data)
        product = _priced_detail(slug, request, for_sale=False)
        return Response(ProductSerializer(product, context={"request": request}).data)


class ProductImageView(APIView):
    """POST a product image (multipart: `image`, `alt`, `position`); validated with Pillow."""

    permission_classes = [CatalogPermission]
    write_permissions = {"POST": ["catalog.change_product"]}
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=ImageUploadSerializer, responses={201: ImageSerializer, **WRITE_ERRORS})
    def post(self, request, slug):
        product = selectors.product_detail(slug, for_sale=False)
        if product is None:
            raise Http404
        serializer = ImageUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        image = services.product_image_add(product=product, **serializer.validated_data)
        return Response(ImageSerializer(image, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class SkuDetailView(APIView):
    """One SKU by code; PATCH `{price, stock}` for ERP and WMS sync (catalog.change_sku)."""

    permission_classes = [CatalogPermission]
    write_permissions = {"PATCH": ["catalog.change_sku"]}

    def _sku(self, request, code) -> Sku:
        skus = Sku.objects.select_related("product")
        # The public sees SKUs for sale; catalogue staff and partners see every SKU.
        if not request.user.has_perm("catalog.view_sku"):
            skus = skus.filter(is_active=True, product__is_active=True).exclude(
                selectors.in_inactive_branch(OuterRef("product__category__path")))
        return get_object_or_404(skus, code=code)

    def _respond(self, request, sku) -> Response:
        sku.offer = effective_prices([sku], user=request.user)[sku.pk]
        return Response(SkuSerializer(sku).data)

    @extend_schema(responses={200: SkuSerializer, **READ_ERRORS})
    def get(self, request, code):
        return self._respond(request, self._sku(request, code))

    @extend_schema(request=SkuPatchSerializer, responses={200: SkuSerializer, **WRITE_ERRORS})
    @transaction.atomic
    def patch(self, request, code):
        sku = self._sku(request, code)
        serializer = SkuPatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # An API key: the price is the ERP's (catalog:write), the stock the WMS's (stock:write).
        if "price" in serializer.validated_data:
            require_scope(request, "catalog:write")
        if "stock" in serializer.validated_data:
            require_scope(request, "stock:write")
        if "price" in serializer.validated_data:
            services.sku_set_price(sku=sku, price=serializer.validated_data["price"])
        if "stock" in serializer.validated_data:
            services.sku_set_stock(sku=sku, stock=serializer.validated_data["stock"])
        return self._respond(request, sku)


class StockSyncView(APIView):
    """Set the stock of many SKUs at once, all or nothing (catalog.change_sku).

    An unknown code answers 400 `{"code": "unknown_sku", "codes": [...]}` and nothing changes.
    """

    permission_classes = [CatalogPermission]
    write_permissions = {"POST": ["catalog.change_sku"]}

    @extend_schema(request=StockItemSerializer(many=True),
                   responses={200: StockSyncResultSerializer, **WRITE_ERRORS})
    def post(self, request):
        serializer = StockItemSerializer(data=request.data, many=True, allow_empty=False,
                                         max_length=MAX_SYNC_ITEMS)
        serializer.is_valid(raise_exception=True)
        updated = services.stock_sync(
            items=[(item["code"], item["stock"]) for item in serializer.validated_data]
        )
        return Response({"updated": updated})
