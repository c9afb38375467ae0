"""Membership pages: the member centre."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from membership.selectors import membership_overview
from membership.services import membership_get


@login_required
def home(request):
    overview = membership_overview(membership=membership_get(request.user))
    return render(request, "membership/home.html", {
        "overview": overview, "window_days": settings.SHOP_MEMBERSHIP_WINDOW_DAYS,
    })
