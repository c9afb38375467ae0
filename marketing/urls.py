"""Marketing pages."""

from django.urls import path

from marketing.flash import views as flash_views

app_name = "marketing"
urlpatterns = [
    path("flash/", flash_views.flash_list, name="flash_list"),
]
