"""The demo storefront as a shopper sees it, for the page tests: demo data, a paid and settled
order, an unpaid order, a cart line, and every storefront URL."""

from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from catalog.models import Category, Product
from marketing.demo import DISCOUNT_CATEGORY
from orders.gateways.dummy import payment_simulate
from orders.services import cart_add, cart_get_or_create, items_for_skus, order_place, order_settle


def demo_storefront() -> dict:
    """Seed the demo shop; give the demo shopper a paid order, an unpaid one and a cart line."""
    with open("/dev/null", "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    user = User.objects.get(email="demo@example.com")
    # A discounted product: its badge and crossed-out price are the widest things on its page.
    discounted = Category.objects.get_descendants(Category.objects.get(slug=DISCOUNT_CATEGORY))
    product = (Product.objects.filter(category__in=discounted, skus__stock__gt=5)
               .distinct().order_by("pk").first())
    sku = product.skus.filter(stock__gt=5).order_by("pk").first()
    address = user.addresses.order_by("pk").first().as_snapshot()
    paid, _ = order_place(user=user, address=address, items=items_for_skus(pairs=[(sku, 2)]))
    payment_simulate(order=paid, outcome="approve")
    order_settle(order_id=paid.pk)
    paid.refresh_from_db()
    unpaid, _ = order_place(user=user, address=address, items=items_for_skus(pairs=[(sku, 1)]))
    cart_add(cart=cart_get_or_create(user=user), sku=sku, quantity=1)
    return {"user": user, "product": product, "order": unpaid, "paid_order": paid}


def shopper_pages(shop: dict) -> dict[str, str]:
    """Name → URL of every page a signed-in shopper visits."""
    category = shop["product"].category
    address = shop["user"].addresses.order_by("pk").first()
    return {
        "home": "/",
        "category": category.get_absolute_url(),
        "search": "/search/?q=tea",
        "search-nothing": "/search/?q=zzzz-nothing",
        "product": shop["product"].get_absolute_url(),
        "cart": "/cart/",
        "checkout": "/checkout/",
        "pay": reverse("orders:pay", args=[shop["order"].number]),
        "order": shop["paid_order"].get_absolute_url(),
        "order-unpaid": shop["order"].get_absolute_url(),
        "receipt": reverse("orders:receipt", args=[shop["paid_order"].number]),
        "orders": "/orders/",
        "points": "/points/",
        "membership": "/membership/",
        "flash": "/flash/",
        "profile": "/account/",
        "addresses": "/account/addresses/",
        "address-add": "/account/addresses/add/",
        "address-edit": f"/account/addresses/{address.pk}/edit/",
    }


def visitor_pages() -> dict[str, str]:
    """Name → URL of the pages a visitor signs up and logs in on."""
    return {"signup": reverse("account_signup"), "login": reverse("account_login")}
