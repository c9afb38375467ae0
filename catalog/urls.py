from django.urls import path

from catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("c/<slug:slug>/", views.category, name="category"),
    path("p/<slug:slug>/", views.product, name="product"),
    path("p/<slug:slug>/wishlist/", views.wishlist_toggle_view, name="wishlist_toggle"),
    path("wishlist/", views.wishlist, name="wishlist"),
    path("sku/<str:code>/notify-me/", views.stock_alert_view, name="stock_alert"),
]
