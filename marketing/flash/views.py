"""The flash-sale page: running sales with their countdowns and units left, upcoming ones.

"Buy now" posts to orders (`orders:flash_buy`): placing orders is orders' business.
"""

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone

from marketing.flash import flash_sales_listed


def flash_list(request):
    now = timezone.now()
    sales = list(flash_sales_listed(at=now))
    return render(request, "marketing/flash_list.html", {
        "running": [sale for sale in sales if sale.starts_at <= now],
        "upcoming": [sale for sale in sales if sale.starts_at > now],
        "payment_minutes": int(settings.FLASH_SALE_PAYMENT_TIMEOUT.total_seconds() // 60),
    })
