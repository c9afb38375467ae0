"""Membership pages."""

from django.urls import path

from membership import views

app_name = "membership"
urlpatterns = [
    path("membership/", views.home, name="home"),
]
