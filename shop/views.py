"""Project-level pages: health check, home page, error pages, media in debug, text pages."""

import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.views.static import serve

from shop.models import Page

log = logging.getLogger(__name__)


def healthz(request):
    """Answer 200 while the database answers, 503 when it does not; report Redis in the body.

    The load balancer keeps a node while it can serve: with Redis down pages read the
    database, orders are placed and queued work waits for the sweeps, so Redis is a readiness
    detail (`checks.redis`, `status: "degraded"`), not a reason to take the node out.
    """
    checks = {"database": _database_ok()}
    if settings.REDIS_URL:
        checks["redis"] = _redis_ok()
    if not checks["database"]:
        status = "unavailable"
    elif all(checks.values()):
        status = "ok"
    else:
        status = "degraded"
    return JsonResponse({"status": status, "checks": checks},
                        status=503 if status == "unavailable" else 200)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        log.exception("healthz: database check failed")
        return False


def _redis_ok() -> bool:
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
        return bool(client.ping())
    except Exception as exc:  # noqa: BLE001
        # A warning, not a traceback: the load balancer asks every few seconds.
        log.warning("healthz: redis check failed: %s", exc)
        return False


def ping(request):
    """Answer "pong" touching nothing: the baseline the flash-sale benchmark compares with."""
    return HttpResponse("pong", content_type="text/plain")


def page_not_found(request, exception=None):
    """Render the shop's 404 page inside the storefront frame."""
    return render(request, "404.html", status=404)


def server_error(request):
    """Render the 500 page without the request's context processors.

    The error may come from the database or from a context processor itself, so the page
    gets no header data; if even the template fails (a missing static manifest entry, say),
    a bare page still answers instead of a second crash.
    """
    try:
        html = loader.get_template("500.html").render({"SHOP_NAME": settings.SHOP_NAME})
    except Exception:  # noqa: BLE001 - the fallback must not raise
        log.exception("500 page: rendering the template failed")
        html = "<!doctype html><title>Server error</title><h1>Something went wrong</h1>"
    return HttpResponseServerError(html)


def media(request, path: str):
    """Serve an uploaded file in debug, sandboxed as production serves it (docs/security.md).

    `Content-Security-Policy: sandbox` keeps a file a browser renders as a page from running
    scripts with the shop's origin; `nosniff` keeps it from reading an image as anything else.
    """
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def page(request, slug):
    """One of the shop's text pages (delivery and returns, contact, privacy, terms)."""
    return render(request, "shop/page.html", {"page": get_object_or_404(Page, slug=slug)})
