"""The product page's review form posts here: orders checks the purchase, then catalog stores it."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog import selectors as catalog_selectors
from catalog.forms import ReviewForm
from orders.services.reviews import review_create
from shop.pages import flash_errors


@require_POST
def review_post(request, slug):
    product = catalog_selectors.product_detail(slug)
    if product is None:
        raise Http404("No such product.")
    back = product.get_absolute_url() + "#reviews"
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(back)
    with flash_errors(request):
        try:
            review_create(user=request.user, product=product, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Thank you: your review is published."))
    return redirect(back)
