"""API plumbing shared by every app: pagination, the domain-error handler, schema helpers,
throttling."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import pagination, serializers, status, throttling
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from shop.errors import ShopError


class PageNumberPagination(pagination.PageNumberPagination):
    """`page` and `page_size` (at most 100).

    A page number that is not a whole number from 1 (`page=abc`, `page=-1`) is a 400 field
    error: the request is malformed. A well-formed page past the end is a 404, as in DRF.
    """

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and raw not in self.last_page_strings:
            # ASCII only: str.isdigit() also passes "¹" (int() refuses it: a 500) and "٣".
            if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
                raise ValidationError({self.page_query_param: [_("A page is a whole number from 1.")]})
        return super().paginate_queryset(queryset, request, view)


def exception_handler(exc, context):
    """Answer every API error as `{"code", "detail"}`, field errors as DRF's usual 400 shape.

    Domain errors (ShopError) carry their own code and status; a Django ValidationError
    raised by a service becomes field errors; DRF's own errors (401, 403, 404, 405, 429...)
    get the code DRF already knows (`not_authenticated`, `throttled`...), so a client reads
    one shape whatever refused it.
    """
    if isinstance(exc, ShopError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = ValidationError(detail=detail)
    elif isinstance(exc, Http404):
        return Response({"code": "not_found", "detail": _("Not found.")}, status=404)
    elif isinstance(exc, PermissionDenied):
        return Response({"code": "permission_denied", "detail": str(exc) or _("Permission denied.")},
                        status=403)
    response = drf_exception_handler(exc, context)
    if (
        response is not None
        and not isinstance(exc, ValidationError)
        and isinstance(response.data, dict)
        and "detail" in response.data
    ):
        response.data.setdefault("code", getattr(exc.detail, "code", None) or exc.default_code)
    return response


# --- Schema: the error shapes every endpoint may answer with ---------------------------
# Views declare their 4xx with these (`@extend_schema(responses={...})`); the components
# "Error" and "ValidationError" are also pinned in SPECTACULAR_SETTINGS["APPEND_COMPONENTS"]
# so the schema always carries their exact shape.

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "code": serializers.CharField(),
        "detail": serializers.CharField(),
    },
)

ValidationErrorSerializer = inline_serializer(
    name="ValidationError",
    fields={"field_name": serializers.ListField(child=serializers.CharField())},
)


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


BAD_REQUEST = OpenApiResponse(ValidationErrorSerializer, description="Invalid input (field errors).")
UNAUTHORIZED = error("Authentication credentials were not provided or are invalid.")
FORBIDDEN = error("The account lacks the permission for this action.")
NOT_FOUND = error("No such object, or it is not yours.")
CONFLICT = error("A rule of the shop refused the request (see `code`).")
THROTTLED = error("Too many requests.")

READ_ERRORS = {status.HTTP_404_NOT_FOUND: NOT_FOUND}
WRITE_ERRORS = {
    status.HTTP_400_BAD_REQUEST: BAD_REQUEST,
    status.HTTP_401_UNAUTHORIZED: UNAUTHORIZED,
    status.HTTP_403_FORBIDDEN: FORBIDDEN,
    status.HTTP_404_NOT_FOUND: NOT_FOUND,
}


class ScopedRateThrottle(throttling.ScopedRateThrottle):
    """DRF's throttle per `throttle_scope`, switched off with the others by SHOP_API_THROTTLES.

    Anonymous callers are counted per client address (DRF's get_ident, which honours the
    trusted-proxy setting), signed-in users per account.
    """

    def allow_request(self, request, view):
        if not settings.SHOP_API_THROTTLES:
            return True
        return super().allow_request(request, view)
