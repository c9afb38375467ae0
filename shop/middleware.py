"""Request hygiene every view relies on, and the context each request's logs and reads get."""

import logging
import re
import time
import uuid

from django.http import HttpResponseBadRequest, JsonResponse

from shop import context
from shop.db_router import view_tolerates_lag


class RejectNulBytes:
    """Answer 400 to a path or query parameter holding a NUL character.

    PostgreSQL refuses NUL in text, so such a value reaching a lookup (`/orders/%00/`,
    `?coupon=%00`) would be a 500; no legitimate request carries one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "bad_request", "detail": "The request holds a NUL character."},
                    status=400,
                )
            return HttpResponseBadRequest("The request holds a NUL character.")
        return self.get_response(request)


# --- Request context: request id, user, order number --------------------------------------

request_log = logging.getLogger("shop.request")

REQUEST_ID_HEADER = "X-Request-ID"
# What an incoming id may look like: a proxy's or a client's uuid, trace id or similar. Any
# other value (too long, a newline that would forge a log line, non-ASCII) is replaced.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id_from(value: str | None) -> str:
    """Return `value` if it is a sane request id, else a new one."""
    if value and SAFE_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestContext:
    """Give each request an id, log lines that carry it, and one JSON line when it is answered.

    The id comes from the `X-Request-ID` header when a proxy or client sent a sane one, else
    it is made here; the response carries it back. The user id and the order number (from
    the URL, where a view has one) join it in shop.context, so every log line of the
    request, and every task it queues, names them (shop.logs, shop.celery).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        tokens = [
            (context.request_id, context.request_id.set(request_id)),
            (context.user_id, context.user_id.set(None)),
            (context.order_number, context.order_number.set(None)),
            (context.replica_ok, context.replica_ok.set(False)),
            (context.wrote, context.wrote.set(False)),
            (context.replica, context.replica.set(None)),
        ]
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            # An API view authenticates inside the view (tokens): read the user afterwards.
            self._bind_user(request)
            request_log.info(
                "%s %s %s", request.method, request.path, response.status_code,
                extra={"method": request.method, "path": request.path,
                       "status": response.status_code,
                       "duration_ms": round((time.monotonic() - started) * 1000, 1)},
            )
            return response
        finally:
            for variable, token in reversed(tokens):
                variable.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        self._bind_user(request)
        context.order_number_bind(view_kwargs.get("number"))

    @staticmethod
    def _bind_user(request) -> None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            context.user_id.set(user.pk)


# --- Read replicas ------------------------------------------------------------------------


class ReplicaReads:
    """Let the reads of marked GET/HEAD views go to a read replica (shop.db_router).

    A view is marked by `shop.db_router.replica_reads` (functions), a `replica_reads = True`
    class attribute (class-based views), or by its URL name in SHOP_REPLICA_VIEWS. Anything
    else, every unsafe method, and every read after a write reads the primary.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in ("GET", "HEAD") and view_tolerates_lag(request, view_func):
            context.replica_ok.set(True)
