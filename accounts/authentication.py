"""How API callers prove who they are: the shop's one token authentication."""

from rest_framework.authentication import TokenAuthentication as DrfTokenAuthentication


class TokenAuthentication(DrfTokenAuthentication):
    """`Authorization: Token <key>`: the API's token check, and the flash endpoint's re-check.

    Every rule about which tokens are valid lives in `authenticate_credentials`, so each
    caller of this class applies the same rules.
    """
