"""Orders pages."""

from django.urls import path

from orders import review_views, views

app_name = "orders"
urlpatterns = [
    path("cart/", views.cart, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/coupon/", views.cart_coupon, name="cart_coupon"),
    path("cart/lines/<int:line_id>/", views.cart_line_update, name="cart_line_update"),
    path("cart/lines/<int:line_id>/remove/", views.cart_line_remove, name="cart_line_remove"),
    path("checkout/", views.checkout, name="checkout"),
    path("pay/<str:number>/", views.pay, name="pay"),
    path("orders/", views.order_list, name="list"),
    path("orders/<str:number>/", views.order_detail, name="detail"),
    path("orders/<str:number>/receipt/", views.order_receipt, name="receipt"),
    path("orders/<str:number>/cancel/", views.order_cancel, name="cancel"),
    path("orders/<str:number>/confirm/", views.order_confirm, name="confirm"),
    path("flash/<int:sale_id>/buy/", views.flash_buy, name="flash_buy"),
    path("p/<slug:slug>/review/", review_views.review_post, name="review_post"),
]
