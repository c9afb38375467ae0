"""Orders API v1 (included by shop/urls.py as "orders.api"): the cart, orders and payments.

views.py holds the views, serializers.py the bodies; flash.py is the flash-sale order
endpoint, included on its own ahead of the rest.
"""

from django.urls import path

from orders.api import views

urlpatterns = [
    path("cart/", views.CartView.as_view(), name="api-cart"),
    path("cart/lines/", views.CartLinesView.as_view(), name="api-cart-lines"),
    path("cart/lines/<int:pk>/", views.CartLineView.as_view(), name="api-cart-line"),
    path("coupons/<str:code>/check/", views.CouponCheckView.as_view(), name="api-coupon-check"),
    path("orders/", views.OrderListCreateView.as_view(), name="api-orders"),
    path("orders/<str:number>/", views.OrderDetailView.as_view(), name="api-order"),
    path("orders/<str:number>/pay/", views.OrderPayView.as_view(), name="api-order-pay"),
    path("orders/<str:number>/cancel/", views.OrderCancelView.as_view(), name="api-order-cancel"),
    path("orders/<str:number>/confirm/", views.OrderConfirmView.as_view(), name="api-order-confirm"),
    path("orders/<str:number>/shipments/", views.OrderShipmentsView.as_view(),
         name="api-order-shipments"),
    path("orders/<str:number>/refund/", views.OrderRefundView.as_view(), name="api-order-refund"),
    path("payments/<str:gateway>/callback/", views.PaymentCallbackView.as_view(),
         name="api-payment-callback"),
]
