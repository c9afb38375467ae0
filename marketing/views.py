"""The coupon wallet's pages (领券): the coupon centre, claiming, and the shopper's own coupons.

Thin: selectors read, marketing.services.coupon_claim writes, a refusal becomes a message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketing import selectors, services
from shop.errors import ShopError


def coupon_centre(request):
    """The running claimable coupons, with claims left, and a Claim button each."""
    coupons = selectors.coupons_claimable(at=timezone.now(), user=request.user)
    return render(request, "marketing/coupon_centre.html", {"coupons": coupons})


@login_required
@require_POST
def coupon_claim(request, code: str):
    try:
        claim = services.coupon_claim(code=code, user=request.user)
    except ShopError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Coupon %(code)s is in your wallet: it applies at checkout.")
                         % {"code": claim.coupon.code})
    return redirect("marketing:coupon_centre")


@login_required
def my_coupons(request):
    """The shopper's claimed coupons: available, used and expired."""
    wallet = selectors.wallet_of(user=request.user, at=timezone.now())
    return render(request, "marketing/my_coupons.html", {"wallet": wallet})
