"""Orders reads: carts for a request, orders a user may see, the numbers pages show."""

from django.db.models import Prefetch, QuerySet

from orders.models import Cart, CartLine, Order, OrderEvent
from orders.pricing import Item

# The session key holding a visitor's cart token (survives the session key change at login).
CART_TOKEN = "cart_token"


def cart_for_request(request, *, create: bool = False) -> Cart | None:
    """Return the cart of the signed-in shopper or of this visitor's session.

    With create=True a missing cart is made (a visitor's token kept in the session).
    """
    from orders.services import cart_get_or_create

    if request.user.is_authenticated:
        cart = Cart.objects.filter(user=request.user).first()
        if cart is None and create:
            cart = cart_get_or_create(user=request.user)
        return cart
    token = request.session.get(CART_TOKEN)
    cart = Cart.objects.filter(token=token, user__isnull=True).first() if token else None
    if cart is None and create:
        cart = cart_get_or_create(token=None)
        request.session[CART_TOKEN] = cart.token
    return cart


def cart_lines(cart: Cart | None) -> list[CartLine]:
    """Return the cart's lines with SKU, product and images loaded (fixed query count)."""
    if cart is None:
        return []
    return list(
        CartLine.objects.filter(cart=cart)
        .select_related("sku__product")
        .prefetch_related("sku__product__images")
    )


def cart_count(request) -> int:
    """Return how many items are in the request's cart (for the header)."""
    if request.user.is_authenticated:
        lines = CartLine.objects.filter(cart__user=request.user)
    else:
        token = request.session.get(CART_TOKEN)
        if not token:
            return 0
        lines = CartLine.objects.filter(cart__token=token, cart__user__isnull=True)
    return sum(lines.values_list("quantity", flat=True))


def items_of(lines: list[CartLine]) -> list[Item]:
    return [Item(sku=line.sku, quantity=line.quantity) for line in lines]


def orders_visible_to(user) -> QuerySet[Order]:
    """Return the orders `user` may read: their own, or all with the order view permission."""
    if not user.is_authenticated:
        return Order.objects.none()
    if user.has_perm("orders.view_order"):
        return Order.objects.all()
    return Order.objects.filter(user=user)


def order_detail_queryset(queryset: QuerySet[Order]) -> QuerySet[Order]:
    """Load everything an order page or JSON shows, in a fixed number of queries."""
    return queryset.select_related("user").prefetch_related(
        "lines", "adjustments", "shipments__events",
        Prefetch("events", queryset=OrderEvent.objects.select_related("actor")),
    )
