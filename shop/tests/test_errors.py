"""Errors: one API shape (`{"code", "detail"}` or field errors) and the shop's 404/500 pages."""

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.test import Client
from django.urls import path
from rest_framework import exceptions
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.test import APIRequestFactory

from shop.errors import ShopError


class SoldOut(ShopError):
    code = "sold_out"
    status = 409
    default_detail = "The flash sale is sold out."


def raising(exc, permission=AllowAny):
    @api_view(["POST"])
    @permission_classes([permission])
    def view(request):
        raise exc

    return view


def post(view):
    return view(APIRequestFactory().post("/api/v1/thing/", {}, format="json"))


def test_a_domain_error_becomes_its_code_and_detail_with_its_status():
    response = post(raising(SoldOut()))

    assert response.status_code == 409
    assert response.data == {"code": "sold_out", "detail": "The flash sale is sold out."}


def test_a_domain_error_keeps_its_own_detail_and_extra_fields():
    response = post(raising(SoldOut("Only 2 left for you.", remaining=2)))

    assert response.status_code == 409
    assert response.data == {"code": "sold_out", "detail": "Only 2 left for you.", "remaining": 2}


def test_a_django_validation_error_from_a_service_is_a_400_with_field_errors():
    response = post(raising(DjangoValidationError({"postcode": ["Enter a valid postcode."]})))

    assert response.status_code == 400
    assert response.data == {"postcode": ["Enter a valid postcode."]}


def test_a_django_validation_error_without_a_field_is_a_non_field_error():
    response = post(raising(DjangoValidationError("The window is empty.")))

    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["The window is empty."]}


def test_http404_in_an_api_view_is_a_not_found_error():
    response = post(raising(Http404("no such sku")))

    assert response.status_code == 404
    assert response.data == {"code": "not_found", "detail": "Not found."}


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (exceptions.Throttled(wait=30), 429, "throttled"),
        (exceptions.MethodNotAllowed("PUT"), 405, "method_not_allowed"),
        (exceptions.PermissionDenied(), 403, "permission_denied"),
        (exceptions.UnsupportedMediaType("text/plain"), 415, "unsupported_media_type"),
        (exceptions.AuthenticationFailed("Token has expired.", code="token_expired"), 401,
         "token_expired"),
    ],
)
def test_drf_errors_answer_with_the_same_code_and_detail_shape(exc, status, code):
    response = post(raising(exc))

    assert response.status_code == status
    assert response.data["code"] == code
    assert response.data["detail"]


def test_an_anonymous_caller_of_a_signed_in_endpoint_gets_not_authenticated():
    response = post(raising(AssertionError("never reached"), permission=IsAuthenticated))

    assert response.status_code in {401, 403}
    assert response.data["code"] == "not_authenticated"


# --- Pages ------------------------------------------------------------------------------


def boom(request):
    raise RuntimeError("a bug")


def broken_context_processor(request):
    raise RuntimeError("the database is down")


urlpatterns = [path("boom/", boom)]
handler500 = "shop.views.server_error"


def template_names(response) -> list[str]:
    return [template.name for template in response.templates]


@pytest.mark.django_db
def test_an_unknown_page_is_the_shops_404_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "404.html" in template_names(response)
    assert "base.html" in template_names(response)


@pytest.mark.django_db
def test_a_crash_with_debug_off_renders_the_shops_500_page(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__

    response = Client(raise_request_exception=False).get("/boom/")

    assert response.status_code == 500
    assert "500.html" in template_names(response)
    assert settings.SHOP_NAME in response.content.decode()


@pytest.mark.django_db
def test_the_500_page_renders_even_when_a_context_processor_fails(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    templates = [dict(engine, OPTIONS=dict(engine["OPTIONS"])) for engine in settings.TEMPLATES]
    templates[0]["OPTIONS"]["context_processors"] = [
        *templates[0]["OPTIONS"]["context_processors"],
        f"{__name__}.broken_context_processor",
    ]
    settings.TEMPLATES = templates

    response = Client(raise_request_exception=False).get("/boom/")

    assert response.status_code == 500
    assert "500.html" in template_names(response)
