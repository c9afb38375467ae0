"""Uploaded media: Django serves it in debug only, sandboxed as production must serve it."""

import importlib

import pytest
from django.urls import clear_url_caches

import shop.urls


@pytest.fixture
def uploaded(settings):
    """A file in MEDIA_ROOT that a browser would render as a page."""
    folder = settings.MEDIA_ROOT / "products"
    folder.mkdir(parents=True)
    (folder / "page.html").write_bytes(b"<script>alert(1)</script>")
    return "/media/products/page.html"


def _reload_urls():
    importlib.reload(shop.urls)
    clear_url_caches()


@pytest.fixture
def debug_urls(settings):
    """The URLs as `make run` builds them (the media route exists only with DEBUG on)."""
    settings.DEBUG = True
    _reload_urls()
    yield
    settings.DEBUG = False
    _reload_urls()


@pytest.mark.django_db
def test_with_debug_off_django_does_not_serve_media(client, uploaded):
    response = client.get(uploaded)

    assert response.status_code == 404
    assert b"<script>" not in response.content


@pytest.mark.django_db
def test_with_debug_on_media_is_served_sandboxed_and_unsniffed(client, uploaded, debug_urls):
    response = client.get(uploaded)

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
