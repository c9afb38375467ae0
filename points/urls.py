"""Points pages."""

from django.urls import path

from points import views

app_name = "points"
urlpatterns = [
    path("points/", views.home, name="home"),
]
