"""The API's throttles: DRF's, keyed on the one client address of shop/net.py."""

from rest_framework import throttling

from shop.net import client_ip


class ClientIpMixin:
    """Identify an anonymous caller by `client_ip`, never by the raw `X-Forwarded-For`."""

    def get_ident(self, request):
        return client_ip(request)


class AnonRateThrottle(ClientIpMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(ClientIpMixin, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(ClientIpMixin, throttling.ScopedRateThrottle):
    pass
