"""Marketing pages."""

from django.urls import path

from marketing import views
from marketing.flash import views as flash_views

app_name = "marketing"
urlpatterns = [
    path("flash/", flash_views.flash_list, name="flash_list"),
    path("coupons/", views.coupon_centre, name="coupon_centre"),
    path("coupons/mine/", views.my_coupons, name="my_coupons"),
    path("coupons/<str:code>/claim/", views.coupon_claim, name="coupon_claim"),
]
