"""The flash-sale "buy now" button: place the order with the default address, go and pay.

The page with the button is marketing's (`marketing:flash_list`); the order is orders'.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from orders.flash import default_address_id, flash_order_place
from shop.errors import ShopError


@login_required
@require_POST
def flash_buy(request, sale_id: int):
    back = f"{reverse('marketing:flash_list')}#flash-{sale_id}"
    address_id = default_address_id(user=request.user)
    if address_id is None:
        messages.info(request, "Add a delivery address first, then press “Buy now” again.")
        return redirect("accounts:address_add")
    try:
        order = flash_order_place(user=request.user, sale_id=sale_id,
                                  quantity=request.POST.get("quantity", 1), address_id=address_id)
    except ShopError as exc:
        messages.error(request, exc.detail)
        return redirect(back)
    messages.success(request, f"Order {order.number} placed at the flash price: pay within the time shown.")
    return redirect("orders:pay", number=order.number)
