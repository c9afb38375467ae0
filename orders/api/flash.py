"""`POST /api/v1/flash-sales/{id}/orders/`: buy from a flash sale (the benchmarked endpoint).

Kept lean on purpose: the token's user from a short-lived process cache, the body checked
without the database, the sale from marketing's process cache and one Lua call — so a refusal
in a stampede touches no table and writes no log line (refusals are counted instead). An
attempt the gate admits re-checks the token in the database before anything is written. The
rest is orders/services/flash.py; the design: docs/flash-sales.md.

The common attempt (a token, a JSON body with a whole `quantity` and a saved address's id)
is answered by a plain Django view, `flash_order_create`: DRF's request wrapping, content
negotiation, serializer and exception handling cost more than the gate itself. Every other
attempt (a session, an inline address, anything to refuse with field errors) goes through
the DRF view, which also describes the endpoint in the schema. Both answer alike:
`{"code", "detail"}` with the same statuses.
"""

import copy
import json
import time
from functools import partial

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.authentication import TokenScheme
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import TokenAuthentication
from orders import selectors
from orders.api.serializers import OrderSerializer, address_choice
from orders.models import Order
from orders.services import MAX_QUANTITY, flash_order_place
from shop.api import BAD_REQUEST, NOT_FOUND, UNAUTHORIZED, error
from shop.errors import ShopError
from shop.metrics import count

# Long enough to outlast a stampede: with many buyers each process sees a given key only
# every few seconds, and a shorter memory sent most attempts to the database. A cached key
# only ever refuses or reaches the gate: `confirm` asks the database before anything is bought.
TOKEN_CACHE_SECONDS = 300.0
_TOKEN_CACHE_MAX = 50_000
_tokens: dict[str, tuple[float, object, object]] = {}


class CachedTokenAuthentication(TokenAuthentication):
    """Token auth that remembers a key's user for TOKEN_CACHE_SECONDS in this process.

    Used by this endpoint only: in a stampede every attempt would otherwise cost a query (two,
    with the connection health check) before the gate could refuse it. Only keys the database
    accepted are remembered (a wrong key always asks it), and each request gets its own copy
    of the user. A cached answer is good for refusing, not for buying: `confirm` asks the
    database again once the gate has admitted the attempt.
    """

    def authenticate_credentials(self, key):
        now = time.monotonic()
        hit = _tokens.get(key)
        if hit is None or hit[0] <= now:
            user, token = super().authenticate_credentials(key)
            if len(_tokens) >= _TOKEN_CACHE_MAX:
                _tokens.clear()
            hit = _tokens[key] = (now + TOKEN_CACHE_SECONDS, user, token)
        return copy.copy(hit[1]), hit[2]

    @staticmethod
    def confirm(request) -> None:
        """Check the request's key in the database by the shop's token rules; raise AuthenticationFailed.

        A deleted token or a deactivated account is refused here at once, and forgotten. The key
        is read from the header as `authenticate` read it (it accepted the header already).
        """
        key = get_authorization_header(request).split()[1].decode()
        try:
            TokenAuthentication().authenticate_credentials(key)
        except AuthenticationFailed:
            _tokens.pop(key, None)
            raise


def token_cache_clear() -> None:
    _tokens.clear()




class CachedTokenScheme(TokenScheme):
    """The same `Authorization: Token <key>` header, as its own schema component (another class)."""

    target_class = CachedTokenAuthentication
    name = "flashTokenAuth"
    match_subclasses = False
    priority = 0


class FlashOrderCreateSerializer(serializers.Serializer):
    """`quantity` and the address: `address_id`, `address: {"address_id": n}` or inline fields.

    Checked without the database; a saved address is looked up only once the gate let the
    attempt through.
    """

    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY, default=1)
    address_id = serializers.IntegerField(required=False, min_value=1)
    address = serializers.JSONField(required=False, help_text=(
        '`{"address_id": 12}` or `{name, phone, line1, line2?, city, province?, postcode, country}`.'
    ))

    def validate(self, attrs):
        address_id, inline = address_choice(attrs)
        return {"quantity": attrs["quantity"], "address": inline, "address_id": address_id}


class FlashOrderCreateView(APIView):
    authentication_classes = [CachedTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Buy from a flash sale: an order at the flash price, pending payment",
        description="The order must be paid within FLASH_SALE_PAYMENT_TIMEOUT (default 5 "
                    "minutes); unpaid, it is cancelled and its units go back to the sale.",
        request=FlashOrderCreateSerializer,
        responses={
            201: OrderSerializer,
            # Field errors, or `not_active` (not started or ended), `invalid_quantity`,
            # `invalid_address` as {code, detail}.
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            404: NOT_FOUND,
            409: error("`sold_out`, or `limit_reached` (the per-customer limit)."),
        },
    )
    def post(self, request, pk: int):
        body = FlashOrderCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        confirm = None
        if isinstance(request.successful_authenticator, CachedTokenAuthentication):
            confirm = partial(CachedTokenAuthentication.confirm, request)
        order = flash_order_place(user=request.user, sale_id=pk, buyer_confirm=confirm,
                                  **body.validated_data)
        order = selectors.order_detail_queryset(Order.objects.filter(pk=order.pk)).get()
        count("flash_attempts", outcome="placed")
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if isinstance(exc, ShopError):
            # Expected refusals (`sold_out`, `limit_reached`...) are counted for /metrics, not
            # logged: a stampede is mostly refusals, and a log line each costs more than the
            # answer. Django would log every 4xx at WARNING otherwise.
            count("flash_attempts", outcome=exc.code)
            response._has_been_logged = True
        return response


_full_view = FlashOrderCreateView.as_view()


def _whole(value, *, low: int, high: int | None = None) -> bool:
    return (type(value) is int and value >= low  # bool and float are not whole numbers here
            and (high is None or value <= high))


def _plain_attempt(request):
    """Return (user, key, quantity, address_id) of a common token attempt, else None.

    Common: `Authorization: Token <key>` of a live token, a JSON object with nothing but a
    whole `quantity` (optional) and a saved address's id (`address_id`, or `address:
    {"address_id": n}`). Whatever else is left to the DRF view, which refuses it as usual.
    """
    words = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(words) != 2 or words[0].lower() != "token" or request.content_type != "application/json":
        return None
    try:
        body = json.loads(request.body)
    except ValueError:
        return None
    if not isinstance(body, dict) or not set(body) <= {"quantity", "address", "address_id"}:
        return None
    quantity = body.get("quantity", 1)
    address = body.get("address")
    if address is None:
        address_id = body.get("address_id")
    elif isinstance(address, dict) and set(address) == {"address_id"} and "address_id" not in body:
        address_id = address["address_id"]
    else:
        return None  # an inline address: its fields are checked by the serializer
    if not _whole(quantity, low=1, high=MAX_QUANTITY) or not _whole(address_id, low=1):
        return None
    try:
        user, _ = CachedTokenAuthentication().authenticate_credentials(words[1])
    except AuthenticationFailed:
        return None  # the DRF view answers the 401 (and asks the database again)
    return user, quantity, address_id


def _answer(data: dict, status_code: int, headers: dict | None = None) -> JsonResponse:
    response = JsonResponse(data, status=status_code, headers=headers)
    # Refusals are expected and counted: Django would log each 4xx at WARNING otherwise.
    response._has_been_logged = True
    return response


@csrf_exempt  # token requests only: a session attempt goes through DRF's CSRF check
def flash_order_create(request, pk: int):
    """Answer a common token attempt here (see `_plain_attempt`), any other through DRF."""
    attempt = _plain_attempt(request) if request.method == "POST" else None
    if attempt is None:
        return _full_view(request, pk=pk)
    user, quantity, address_id = attempt
    try:
        order = flash_order_place(user=user, sale_id=pk, quantity=quantity, address_id=address_id,
                                  buyer_confirm=partial(CachedTokenAuthentication.confirm, request))
    except ShopError as exc:
        count("flash_attempts", outcome=exc.code)
        return _answer(exc.as_dict(), exc.status)
    except AuthenticationFailed as exc:  # the token was revoked since it was cached
        return _answer({"detail": str(exc.detail), "code": exc.detail.code},
                       status.HTTP_401_UNAUTHORIZED, {"WWW-Authenticate": "Token"})
    order = selectors.order_detail_queryset(Order.objects.filter(pk=order.pk)).get()
    count("flash_attempts", outcome="placed")
    return _answer(OrderSerializer(order).data, status.HTTP_201_CREATED)


# What drf-spectacular reads to document the endpoint: the DRF view's class.
flash_order_create.cls = _full_view.cls
flash_order_create.initkwargs = _full_view.initkwargs

urlpatterns = [
    path("flash-sales/<int:pk>/orders/", flash_order_create, name="api-flash-order"),
]
