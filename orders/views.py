"""Shopper pages: cart, checkout, the sandbox pay page, order history and detail, flash "buy now".

Thin: forms validate, services write, selectors read; domain errors become messages.
"""

import hashlib
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import ADDRESS_FIELDS, Address
from accounts.services import address_create
from catalog.models import Sku
from orders import selectors, services
from orders.forms import NEW_ADDRESS, AddToCartForm, CheckoutForm, CouponForm, QuantityForm
from orders.gateways import enabled_gateways, gateway_get
from orders.gateways.dummy import payment_simulate
from orders.models import CartLine, Order
from orders.pricing import quote_build, quote_prefilled
from points.pricing import points_help
from shop.errors import ShopError
from shop.pages import flash_errors

CART_COUPON = "cart_coupon"


def _cart_quote(request, lines, *, coupon_code="", points=0):
    """Return the non-strict quote for the page (the reason a coupon is refused included)."""
    coupon_error = ""
    if coupon_code and not request.user.is_authenticated:
        coupon_code, coupon_error = "", _("Sign in to use a coupon code.")
    quote = quote_build(user=request.user, items=selectors.items_of(lines),
                        coupon_code=coupon_code, points=points, strict=False, suggest=True)
    return quote, coupon_error or quote.coupon_error


def cart(request):
    cart = selectors.cart_for_request(request)
    lines = selectors.cart_lines(cart)
    coupon_code = request.session.get(CART_COUPON, "")
    quote, coupon_error = _cart_quote(request, lines, coupon_code=coupon_code)
    rows = [
        {"line": line, "priced": priced, "form": QuantityForm(initial={"quantity": line.quantity}),
         "short": line.quantity > line.sku.stock,
         "image": next(iter(line.sku.product.images.all()), None)}
        for line, priced in zip(lines, quote.lines)
    ]
    return render(request, "orders/cart.html", {
        "rows": rows, "quote": quote, "coupon_code": coupon_code, "coupon_error": coupon_error,
        "coupon_form": CouponForm(initial={"code": coupon_code}),
        "can_checkout": bool(rows) and not any(row["short"] for row in rows),
    })


def _back(request, fallback: str):
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


@require_POST
def cart_add(request):
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return _back(request, reverse("orders:cart"))
    sku = Sku.objects.select_related("product").filter(pk=form.cleaned_data["sku"]).first()
    if sku is None:
        messages.error(request, _("That item does not exist."))
        return _back(request, reverse("orders:cart"))
    try:
        services.cart_add(cart=selectors.cart_for_request(request, create=True), sku=sku,
                          quantity=form.cleaned_data["quantity"])
    except ShopError as exc:
        messages.error(request, exc.detail)
        return _back(request, reverse("orders:cart"))
    messages.success(request, _("Added %(name)s to your cart.") % {"name": sku.product.name})
    return redirect("orders:cart")


def _own_line(request, line_id: int) -> CartLine:
    cart = selectors.cart_for_request(request)
    if cart is None:
        raise Http404
    return get_object_or_404(CartLine.objects.select_related("sku__product"), pk=line_id, cart=cart)


@require_POST
def cart_line_update(request, line_id: int):
    line = _own_line(request, line_id)
    form = QuantityForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["quantity"]))
        return redirect("orders:cart")
    with flash_errors(request):
        services.cart_set_quantity(line=line, quantity=form.cleaned_data["quantity"])
    return redirect("orders:cart")


@require_POST
def cart_line_remove(request, line_id: int):
    line = _own_line(request, line_id)
    services.cart_remove(line=line)
    messages.info(request, _("Removed %(name)s.") % {"name": line.sku.product.name})
    return redirect("orders:cart")


@require_POST
def cart_coupon(request):
    form = CouponForm(request.POST)
    code = form.cleaned_data["code"].strip() if form.is_valid() else ""
    if code and "remove" not in request.POST:
        request.session[CART_COUPON] = code
    else:
        request.session.pop(CART_COUPON, None)
    return redirect("orders:cart")


# --- Checkout -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def checkout(request):
    lines = selectors.cart_lines(selectors.cart_for_request(request))
    if not lines:
        messages.info(request, _("Your cart is empty."))
        return redirect("orders:cart")
    addresses = list(Address.objects.filter(user=request.user))
    if request.method == "POST":
        form = CheckoutForm(request.POST, addresses=addresses)
        if form.is_valid() and request.POST.get("action") == "place":
            order = _place(request, form)
            if order is not None:
                return redirect(_after_placing(request, order))
    else:
        form = CheckoutForm(addresses=addresses,
                            initial={"coupon_code": request.session.get(CART_COUPON, "")})
    items = selectors.items_of(lines)
    if form.is_bound:
        coupon_code, points = form.cleaned_data.get("coupon_code", ""), form.cleaned_data.get("points") or 0
        quote = quote_build(user=request.user, items=items, coupon_code=coupon_code, points=points,
                            strict=False, suggest=True)
    else:
        # A first look: the best coupon of the shopper's wallet is filled in when none was chosen.
        quote = quote_prefilled(user=request.user, items=items,
                                coupon_code=form.initial.get("coupon_code", ""))
        if quote.coupon is not None:
            form.initial["coupon_code"] = quote.coupon.code
    return render(request, "orders/checkout.html", {
        "form": form, "quote": quote, "lines": lines, "addresses": addresses,
        "points_help": points_help(user=request.user, amount=quote.points_base),
        "points_max_percent": settings.SHOP_POINTS_MAX_RATIO * 100,
        "new_address": NEW_ADDRESS, "address_fields": [(form[name], name in ("line1", "line2")) for name in ADDRESS_FIELDS],
    })


def _place(request, form: CheckoutForm) -> Order | None:
    """Place the order from the cart; on a refusal add the reason to the form and return None.

    A new address is saved only when this request placed the order: a resubmitted form
    (the idempotent replay) must not save it a second time.
    """
    data = form.cleaned_data
    new_address = data["address"] == NEW_ADDRESS
    snapshot = form.new_address_data() if new_address else form.addresses[data["address"]].as_snapshot()
    body = {k: data[k] for k in ("address", "coupon_code", "points")}
    if new_address:
        body["new_address"] = snapshot
    try:
        # One transaction: an order refused (out of stock, coupon, an invalid new address)
        # leaves neither an order nor a new address behind.
        with transaction.atomic():
            order, created = services.order_place(
                user=request.user, address=snapshot, coupon_code=data["coupon_code"],
                points=data["points"], idempotency_key=f"checkout:{data['idempotency_key']}",
                request_hash=hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest(),
            )
            if created and new_address:
                address_create(user=request.user, **snapshot)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return None
    except ShopError as exc:
        form.add_error(None, exc.detail)
        return None
    request.session.pop(CART_COUPON, None)
    if created:
        messages.success(request, _("Order %(number)s placed.") % {"number": order.number})
    return order


def _after_placing(request, order: Order) -> str:
    if order.status != Order.Status.PENDING_PAYMENT:
        return order.get_absolute_url()
    gateways = enabled_gateways()
    if not gateways:
        messages.warning(request, _("Online payment is not available at the moment."))
        return order.get_absolute_url()
    return gateway_get(gateways[0]).start(order=order)


# --- Paying and orders ------------------------------------------------------------------------


def _own_order(request, number: str) -> Order:
    """Return the shopper's own order; anyone else's number is a 404."""
    return get_object_or_404(Order, number=number, user=request.user)


@login_required
@require_http_methods(["GET", "POST"])
def pay(request, number: str):
    """The dummy gateway's sandbox page: approve or decline, sent as a signed callback."""
    if "dummy" not in enabled_gateways():
        raise Http404
    order = _own_order(request, number)
    if request.method == "POST":
        try:
            payment_simulate(order=order, outcome=request.POST.get("outcome", ""))
        except ShopError as exc:
            messages.error(request, exc.detail)
            if order.status == Order.Status.PENDING_PAYMENT:
                return redirect("orders:pay", number=order.number)
        else:
            messages.success(request, _("Payment received. Thank you!"))
        return redirect(order)
    if order.status != Order.Status.PENDING_PAYMENT:
        return redirect(order)
    return render(request, "orders/pay.html", {"order": order})


@login_required
def order_list(request):
    page = Paginator(Order.objects.filter(user=request.user).prefetch_related("lines"),
                     10).get_page(request.GET.get("page"))
    return render(request, "orders/order_list.html", {"page": page, "orders": page.object_list})


@login_required
def order_detail(request, number: str):
    order = get_object_or_404(
        selectors.order_detail_queryset(Order.objects.filter(user=request.user)), number=number
    )
    events = list(order.events.all())
    for event in events:
        event.shopper_note = selectors.event_note_for_shopper(event)
    return render(request, "orders/order_detail.html", {
        "order": order, "events": events,
        "can_cancel": services.transition_allowed(order=order, action="cancel"),
        "can_confirm": services.transition_allowed(order=order, action="confirm"),
        "can_pay": order.status == Order.Status.PENDING_PAYMENT and bool(enabled_gateways()),
        "paid_at": selectors.order_paid_at(order),
    })


@login_required
def order_receipt(request, number: str):
    """The printable receipt of the shopper's own paid order; 404 for anyone else's or unpaid."""
    order = get_object_or_404(
        selectors.order_detail_queryset(Order.objects.filter(user=request.user)), number=number
    )
    paid_at = selectors.order_paid_at(order)
    if paid_at is None:
        raise Http404
    return render(request, "orders/receipt.html", {"order": order, "paid_at": paid_at})


@login_required
@require_POST
def order_cancel(request, number: str):
    order = _own_order(request, number)
    with flash_errors(request):
        services.order_cancel(order=order, actor=request.user, note=gettext_noop("Cancelled by the shopper"))
        messages.success(request, _("Order %(number)s cancelled.") % {"number": order.number})
    return redirect(order)


@login_required
@require_POST
def order_confirm(request, number: str):
    order = _own_order(request, number)
    with flash_errors(request):
        services.order_confirm(order=order, actor=request.user)
        messages.success(request, _("Thank you for confirming receipt."))
    return redirect(order)


# --- Flash sales: the "buy now" button of marketing's flash page (`marketing:flash_list`) --


@login_required
@require_POST
def flash_buy(request, sale_id: int):
    """Place the flash order with the default address, then go and pay."""
    back = f"{reverse('marketing:flash_list')}#flash-{sale_id}"
    address_id = services.default_address_id(user=request.user)
    if address_id is None:
        messages.info(request, _("Add a delivery address first, then press “Buy now” again."))
        return redirect("accounts:address_add")
    try:
        order = services.flash_order_place(user=request.user, sale_id=sale_id,
                                           quantity=request.POST.get("quantity", 1),
                                           address_id=address_id)
    except ShopError as exc:
        messages.error(request, exc.detail)
        return redirect(back)
    messages.success(request, _("Order %(number)s placed at the flash price: pay within the time shown.") % {"number": order.number})
    return redirect("orders:pay", number=order.number)
