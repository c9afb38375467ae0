"""The wire side of webhooks: which URLs are allowed, the signature, and one POST.

A URL must be https to a public address. With SHOP_WEBHOOK_ALLOW_PRIVATE=1 (development and
tests) plain http and loopback or private addresses are allowed too. The check runs when a
subscription is made and again before every POST, on the addresses the name resolves to
then, and the connection goes to the address that was checked: a DNS answer that changes
in between cannot point a delivery at the shop's own network.
"""

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

TIMEOUT_SECONDS = 10
USER_AGENT = "Shop-Webhooks/1"


class UrlRefused(ValueError):
    """The URL may not receive webhooks; the message says why."""


def resolve_host(host: str, port: int) -> list[str]:
    """Return the addresses `host` resolves to (the test suite replaces this)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({info[4][0] for info in infos})


def _address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_loopback or ip.is_private or ip.is_link_local
                                 or ip.is_multicast or ip.is_reserved)


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked address the connection goes to


def target_check(url: str) -> Target:
    """Return where `url` leads, or raise UrlRefused saying why it may not be used."""
    allow_private = settings.SHOP_WEBHOOK_ALLOW_PRIVATE
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UrlRefused("Enter a valid URL.") from None
    allowed_schemes = {"https", "http"} if allow_private else {"https"}
    if parts.scheme not in allowed_schemes:
        raise UrlRefused("A webhook URL must use https.")
    if not parts.hostname:
        raise UrlRefused("Enter a valid URL.")
    if parts.username or parts.password:
        raise UrlRefused("A webhook URL may not carry a user name or password.")
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = resolve_host(parts.hostname, port)
    except (OSError, UnicodeError):
        raise UrlRefused(f"The host {parts.hostname} cannot be resolved.") from None
    if not addresses:
        raise UrlRefused(f"The host {parts.hostname} cannot be resolved.")
    if not allow_private:
        for address in addresses:
            if not _address_is_public(address):
                raise UrlRefused(
                    f"The host {parts.hostname} resolves to {address}, which is not a public "
                    "address (loopback, private and link-local targets are refused).")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=parts.scheme, host=parts.hostname, port=port, path=path,
                  address=addresses[0])


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """Return the X-Shop-Signature value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout,
                         context=ssl.create_default_context())
        self._address = target.address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the host name, not the address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(*, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST `body` to `url` (checked again first); return what came back, never raise."""
    started = time.monotonic()

    def outcome(status_code, error=""):
        return Outcome(status_code, error[:255], int((time.monotonic() - started) * 1000))

    try:
        target = target_check(url)
    except UrlRefused as refused:
        return outcome(None, f"refused: {refused}")
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, TIMEOUT_SECONDS)
    try:
        connection.request("POST", target.path, body=body, headers={
            "Content-Type": "application/json", "User-Agent": USER_AGENT, **headers})
        response = connection.getresponse()
        response.read(64 * 1024)  # the answer's body is not used; read a little, then close
        return outcome(response.status)
    except (OSError, http.client.HTTPException) as exc:
        return outcome(None, f"{type(exc).__name__}: {exc}")
    finally:
        connection.close()
