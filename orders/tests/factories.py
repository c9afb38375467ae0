"""Factories and helpers for the orders tests: carts, and orders placed the real way."""

import factory

from accounts.tests.factories import AddressFactory, UserFactory
from catalog.tests.factories import SkuFactory
from orders.models import Cart, CartLine, Order
from orders.pricing import Item
from orders.services import order_place

ADDRESS = {
    "name": "Li Lei", "phone": "+86 138 0000 0000", "line1": "1 Nanjing Road", "line2": "",
    "city": "Shanghai", "province": "Shanghai", "postcode": "200001", "country": "CN",
}


class CartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cart

    user = factory.SubFactory(UserFactory)


class CartLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CartLine

    cart = factory.SubFactory(CartFactory)
    sku = factory.SubFactory(SkuFactory)
    quantity = 1


def place(*, user=None, skus=None, quantity: int = 1, **kwargs) -> Order:
    """Place an order through order_place (the only way orders are made) and return it."""
    user = user or UserFactory()
    skus = skus or [SkuFactory()]
    order, _ = order_place(
        user=user, address=kwargs.pop("address", ADDRESS),
        items=[Item(sku=sku, quantity=quantity) for sku in skus], **kwargs,
    )
    return order


__all__ = ["ADDRESS", "AddressFactory", "CartFactory", "CartLineFactory", "SkuFactory",
           "UserFactory", "place"]
