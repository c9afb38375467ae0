"""Marketing pages."""

from django.urls import path

from marketing import flash_views

app_name = "marketing"
urlpatterns = [
    path("flash/", flash_views.flash_list, name="flash_list"),
]
