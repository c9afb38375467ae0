"""Catalogue API v1 (included by shop/urls.py as "catalog.api"): the URLs of its views."""

from django.urls import path

from catalog.api import shoppers, views

urlpatterns = [
    path("categories/", views.CategoryListView.as_view(), name="api-categories"),
    path("products/", views.ProductListView.as_view(), name="api-products"),
    path("products/<slug:slug>/", views.ProductDetailView.as_view(), name="api-product"),
    path("products/<slug:slug>/images/", views.ProductImageView.as_view(), name="api-product-images"),
    path("skus/<str:code>/", views.SkuDetailView.as_view(), name="api-sku"),
    path("stock/", views.StockSyncView.as_view(), name="api-stock"),
    path("skus/<str:code>/notify-me/", shoppers.SkuNotifyView.as_view(), name="api-sku-notify"),
    path("reviews/<int:pk>/", shoppers.ReviewModerationView.as_view(), name="api-review"),
    path("wishlist/", shoppers.WishlistView.as_view(), name="api-wishlist"),
    path("wishlist/<slug:slug>/", shoppers.WishlistItemView.as_view(), name="api-wishlist-item"),
]
