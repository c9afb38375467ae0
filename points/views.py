"""Points pages: the shopper's balance, what expires soon, and the ledger history."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from points.selectors import (
    EXPIRING_SOON_DAYS,
    balance_for,
    entries_for,
    entry_summary,
    expiring_soon,
)

HISTORY_PAGE_SIZE = 20


def order_url(number: str) -> str:
    """Return the order page of `number` (by URL name; the fixed path if orders has none)."""
    try:
        return reverse("orders:detail", args=[number])
    except NoReverseMatch:
        return f"/orders/{number}/"


@login_required
def home(request):
    page = Paginator(entries_for(request.user), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page:
        entry.order_url = order_url(entry.order_number) if entry.order_number else ""
        entry.summary = entry_summary(entry)
    expiring = expiring_soon(request.user)
    return render(request, "points/home.html", {
        "balance": balance_for(request.user),
        "expiring": expiring,
        "expiring_total": sum(lot["points"] for lot in expiring),
        "expiring_days": EXPIRING_SOON_DAYS,
        "page": page,
        "rules": {
            "per_unit": settings.SHOP_POINTS_PER_UNIT,
            "max_percent": settings.SHOP_POINTS_MAX_RATIO * 100,
            "expiry_days": settings.SHOP_POINTS_EXPIRY_DAYS,
        },
    })
