"""The shop's URLs: pages per app, the REST API under /api/v1/, schema and docs."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as accounts_views
from shop import views
from shop.metrics import metrics_view

api_v1 = [
    path("", include("orders.api.flash")),  # first: the flash-sale stampede endpoint resolves fastest
    path("", include("accounts.api")),
    path("", include("catalog.api")),
    path("", include("orders.api")),
    path("", include("marketing.api")),
    path("", include("points.api")),
    path("", include("membership.api")),
    path("", include("orders.api.reports")),
    path("", include("accounts.partner_api")),  # partner keys, webhooks
    path("", include("orders.api.tracking")),  # shipment tracking events
    path("", include("orders.api.reviews")),  # a product's reviews (the purchase check is orders')
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    path("metrics", metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    # POST /i18n/setlang/: the language switch (Django's, remembering a shopper's choice).
    path("i18n/setlang/", accounts_views.language_set, name="set_language"),
    path("account/", include("accounts.urls")),
    path("pages/<slug:slug>/", views.page, name="page"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
         name="api-docs"),
    path("", include("orders.urls")),
    path("", include("marketing.urls")),
    path("", include("points.urls")),
    path("", include("membership.urls")),
    path("", include("catalog.urls")),
]

# Uploaded media: served by Django in debug only (`make run`); production serves it from
# object storage or the web server, with the headers docs/security.md names.
if settings.DEBUG:
    urlpatterns += [path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", views.media,
                         name="media")]

handler404 = "shop.views.page_not_found"
handler500 = "shop.views.server_error"
