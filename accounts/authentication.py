"""How API callers prove who they are: the shop's one token authentication.

Tokens are DRF's (`rest_framework.authtoken`, one per user, issued by
`accounts.services.token_issue`) with the shop's rules on top rather than another token
library: the admin, the flash endpoint and many tests know that model, and the rules the
shop needs fit in `authenticate_credentials`:

- a token lives SHOP_TOKEN_TTL_DAYS from when it was issued (`created`); an expired token is
  a 401 `token_expired`, and asking for a token again issues a new key;
- `POST /api/v1/auth/logout/` deletes the calling token;
- a password change or reset deletes every token of the user (accounts/passwords.py).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication as DrfTokenAuthentication

from accounts.selectors import token_expired


class TokenAuthentication(DrfTokenAuthentication):
    """`Authorization: Token <key>`: the API's token check, and the flash endpoint's re-check.

    Every rule about which tokens are valid lives in `authenticate_credentials`, so each
    caller of this class applies the same rules.
    """

    def authenticate_credentials(self, key):
        """Return (user, token) for a live token of an active user; raise AuthenticationFailed.

        DRF's checks (the key exists, the user is active) and then the expiry. A revoked
        token (logout, password change) no longer exists and fails the first check.
        """
        user, token = super().authenticate_credentials(key)
        if token_expired(token=token):
            raise exceptions.AuthenticationFailed(
                _("Token has expired. Ask for a new one."), code="token_expired"
            )
        return user, token
