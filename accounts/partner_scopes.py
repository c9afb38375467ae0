"""What each API key scope opens: the endpoints (by URL name and method) and the permissions.

A key reaches an endpoint only if one of its scopes lists it here (or it is a public
catalogue read); anything else is a 403, whatever the view's own permission would say. The
permissions a scope grants are what the views already check (`user.has_perm`), so a key
passes them exactly where its scopes open the endpoint. docs/partners.md shows the same
table; a test keeps the two in step.
"""

from rest_framework.exceptions import PermissionDenied

ALL = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
READ = frozenset({"GET"})


def _crud(*basenames: str) -> dict[str, frozenset]:
    routes = {}
    for basename in basenames:
        routes[f"{basename}-list"] = frozenset({"GET", "POST"})
        routes[f"{basename}-detail"] = frozenset({"GET", "PUT", "PATCH", "DELETE"})
    return routes


# scope: {URL name: methods}
SCOPE_ROUTES: dict[str, dict[str, frozenset]] = {
    "catalog:write": {
        "api-products": frozenset({"POST"}),
        "api-product": frozenset({"PATCH"}),
        "api-product-images": frozenset({"POST"}),
        "api-sku": frozenset({"PATCH"}),  # the price; `stock` in the body needs stock:write
    },
    "stock:write": {
        "api-stock": frozenset({"POST"}),
        "api-sku": frozenset({"PATCH"}),  # the stock; `price` in the body needs catalog:write
    },
    "orders:read": {
        "api-orders": READ,
        "api-order": READ,
    },
    "fulfilment:write": {
        "api-order": READ,
        "api-order-shipments": frozenset({"POST"}),
        "api-order-shipment-events": frozenset({"POST"}),
    },
    "marketing:write": _crud("discount", "promotion", "coupon", "flash-sale"),
    "webhooks:manage": {
        "api-webhooks": frozenset({"GET", "POST"}),
        "api-webhook": frozenset({"GET", "DELETE"}),
        "api-webhook-deliveries": READ,
        "api-webhook-redeliver": frozenset({"POST"}),
    },
}
SCOPES = tuple(SCOPE_ROUTES)

# What anyone may read may be read with any key too.
PUBLIC_READS = {"api-categories": READ, "api-products": READ, "api-product": READ,
                "api-sku": READ}


def _model_perms(app: str, *models: str, actions=("add", "change", "delete", "view")) -> set:
    return {f"{app}.{action}_{model}" for model in models for action in actions}


# scope: the Django permissions the views check, granted to a key with the scope.
SCOPE_PERMISSIONS: dict[str, frozenset] = {
    "catalog:write": frozenset(
        _model_perms("catalog", "product", "sku", actions=("add", "change", "view"))),
    "stock:write": frozenset({"catalog.change_sku", "catalog.view_sku"}),
    "orders:read": frozenset({"orders.view_order"}),
    "fulfilment:write": frozenset({"orders.add_shipment", "orders.view_shipment"}),
    "marketing:write": frozenset(
        _model_perms("marketing", "discount", "promotion", "coupon", "flashsale")),
    "webhooks:manage": frozenset(_model_perms("accounts", "webhooksubscription")),
}


def scope_opens(*, scopes, url_name: str | None, method: str) -> bool:
    """Return whether a key with `scopes` may call `method` on the endpoint `url_name`."""
    if url_name is None:
        return False
    if method in {"HEAD", "OPTIONS"}:
        method = "GET"
    if method in PUBLIC_READS.get(url_name, ()):
        return True
    return any(method in SCOPE_ROUTES.get(scope, {}).get(url_name, ()) for scope in scopes)


def permissions_for(scopes) -> frozenset:
    """Return the Django permissions a key with `scopes` holds."""
    perms = set()
    for scope in scopes:
        perms |= SCOPE_PERMISSIONS.get(scope, frozenset())
    return frozenset(perms)


def require_scope(request, scope: str) -> None:
    """Refuse (403) a request made with an API key that lacks `scope`; others pass.

    For the few endpoints where the body decides the scope (a SKU PATCH: `price` needs
    catalog:write, `stock` needs stock:write).
    """
    key = getattr(request.user, "api_key", None)
    if key is not None and scope not in key.scopes:
        raise PermissionDenied(f"This API key lacks the scope {scope}.", code="scope_missing")
