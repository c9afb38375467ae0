"""The shop's URLs plus the benchmark's raw-values baseline (bench/settings.py)."""

from django.http import JsonResponse
from django.urls import path

from catalog.models import Product
from shop.urls import urlpatterns as shop_urlpatterns


def raw_values(request):
    """Answer 20 product rows as JSON from `.values()`: the same-server baseline."""
    rows = list(Product.objects.values("id", "slug", "name", "created_at")[:20])
    return JsonResponse({"results": rows})


urlpatterns = [path("bench/raw/", raw_values), *shop_urlpatterns]
