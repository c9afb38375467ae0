"""The client's address as the shop sees it behind its own proxies (SHOP_TRUSTED_PROXIES).

Throttles (shop/throttling.py), login lockout (django-axes) and allauth's rate limits all
key on `client_ip`, so a client cannot get a fresh budget in one by changing a header the
others ignore.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """Return the address of the client that sent `request` (a Django or DRF request).

    With SHOP_TRUSTED_PROXIES = n > 0, take the n-th `X-Forwarded-For` entry from the right:
    each of the n proxies in front of the shop appends the address it got the request from,
    so that entry was written by the outermost proxy and everything left of it by the client,
    who may write anything. With 0 the header is ignored. A header with fewer than n entries
    did not come through the proxies (or one misbehaves), and an entry that is no IP address
    is not trusted either: both fall back to the peer address, REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR") or ""
    trusted = settings.SHOP_TRUSTED_PROXIES
    if trusted <= 0:
        return remote
    entries = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(entries) < trusted:
        return remote
    try:
        return str(ipaddress.ip_address(entries[-trusted].strip()))
    except ValueError:
        return remote
