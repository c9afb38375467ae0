"""API keys for partner systems: making, revoking, and `Authorization: Api-Key <key>`.

A key reads `<prefix>.<secret>`. Only a hash of the secret is stored, made with a Django
password hasher (PBKDF2-SHA256) at few iterations: the secret is 256 random bits, so slowing
down guesses buys nothing, while every API call checks it. (Own code on Django's hashers
rather than djangorestframework-api-key: the key must carry scopes that the shop's existing
permission checks understand, and a key is not a user.)
"""

import secrets
from datetime import timedelta

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts.models import ApiKey
from accounts.partner_scopes import SCOPES, permissions_for, scope_opens

KEYWORD = "Api-Key"
# last_used_at is written at most this often per key: a busy key is not a write per call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiKeyHasher(PBKDF2PasswordHasher):
    algorithm = "pbkdf2_sha256_apikey"
    iterations = 1000


_hasher = ApiKeyHasher()


def apikey_create(*, name: str, scopes, expires_at=None, created_by=None) -> tuple[ApiKey, str]:
    """Make a key; return it and the full key string, which is never available again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["A key needs a name."]})
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValidationError({"scopes": [f"Unknown scope(s): {', '.join(unknown)}."]})
    if not scopes:
        raise ValidationError({"scopes": ["A key needs at least one scope."]})
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        name=name, prefix=prefix, hashed_secret=_hasher.encode(secret, _hasher.salt()),
        scopes=sorted(set(scopes)), expires_at=expires_at,
        created_by=created_by if getattr(created_by, "pk", None) else None,
    )
    return key, f"{prefix}.{secret}"


@transaction.atomic
def apikey_revoke(*, key: ApiKey) -> ApiKey:
    """Revoke `key` at once (idempotent: the first revocation time stays)."""
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    key.refresh_from_db(fields=["revoked_at"])
    return key


def apikey_check(raw: str) -> ApiKey | None:
    """Return the usable key `raw` names, or None (unknown, wrong secret, revoked, expired)."""
    prefix, _, secret = raw.partition(".")
    if not prefix or not secret:
        return None
    key = ApiKey.objects.filter(prefix=prefix).first()
    if key is None or not _hasher.verify(secret, key.hashed_secret) or not key.is_usable():
        return None
    now = timezone.now()
    if key.last_used_at is None or key.last_used_at < now - LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        key.last_used_at = now
    return key


class KeyUser:
    """The caller of a request made with an API key: not a person, no row in the user table.

    It answers `has_perm` with the permissions its scopes grant, so the views' own
    permission checks apply to keys unchanged. `pk` is the key's id negated: an integer no
    user row has, so the throttles count per key and a query by user (a membership, a
    points balance for pricing) finds nothing, as for a visitor.
    """

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False

    def __init__(self, key: ApiKey):
        self.api_key = key
        self.pk = self.id = -key.pk
        self._perms = permissions_for(key.scopes)

    def __str__(self):
        return f"API key {self.api_key.prefix} ({self.api_key.name})"

    def get_username(self) -> str:
        return str(self)

    def has_perm(self, perm, obj=None) -> bool:
        return perm in self._perms

    def has_perms(self, perm_list, obj=None) -> bool:
        return all(self.has_perm(perm) for perm in perm_list)

    def has_module_perms(self, app_label) -> bool:
        return any(perm.startswith(f"{app_label}.") for perm in self._perms)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Api-Key <key>`: 401 for a bad, revoked or expired key; 403 off-scope.

    The scope check happens here, for every view at once: an endpoint that no scope of the
    key lists is refused before the view runs, so a new endpoint is closed to keys until a
    scope opens it.
    """

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid API key header.")
        try:
            raw = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("Invalid API key.") from None
        key = apikey_check(raw)
        if key is None:
            raise exceptions.AuthenticationFailed("Invalid, revoked or expired API key.")
        match = getattr(request._request, "resolver_match", None)
        if not scope_opens(scopes=key.scopes, url_name=getattr(match, "url_name", None),
                           method=request.method):
            raise exceptions.PermissionDenied(
                "This API key's scopes do not open this endpoint.", code="scope_missing")
        return KeyUser(key), key

    def authenticate_header(self, request):
        return KEYWORD


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """Describe `Authorization: Api-Key <key>` in the OpenAPI schema."""

    target_class = "accounts.partner_keys.ApiKeyAuthentication"
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "A partner system's key: `Api-Key <prefix>.<secret>`."}
