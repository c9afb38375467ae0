"""Catalogue API v1 (included by shop/urls.py as "catalog.api"): the URLs of its views."""

from django.urls import path

from catalog.api import views

urlpatterns = [
    path("categories/", views.CategoryListView.as_view(), name="api-categories"),
    path("products/", views.ProductListView.as_view(), name="api-products"),
    path("products/<slug:slug>/", views.ProductDetailView.as_view(), name="api-product"),
    path("products/<slug:slug>/images/", views.ProductImageView.as_view(), name="api-product-images"),
    path("skus/<str:code>/", views.SkuDetailView.as_view(), name="api-sku"),
    path("stock/", views.StockSyncView.as_view(), name="api-stock"),
]
