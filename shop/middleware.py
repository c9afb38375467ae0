"""Request hygiene every view relies on."""

from django.http import HttpResponseBadRequest, JsonResponse


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
