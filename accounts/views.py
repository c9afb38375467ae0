"""Account pages: the profile and the address book (allauth serves login, sign-up, passwords)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from accounts import selectors, services
from accounts.forms import AddressForm, ProfileForm


def _own_address(request, pk):
    # Looked up among the user's own addresses: another user's id is a plain 404.
    return get_object_or_404(selectors.address_list(user=request.user), pk=pk)


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=request.user, display_name=form.cleaned_data["display_name"])
        messages.success(request, _("Your profile is saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {
        "form": form,
        "address_count": selectors.address_list(user=request.user).count(),
    })


@login_required
def address_list(request):
    return render(request, "accounts/address_list.html", {
        "addresses": selectors.address_list(user=request.user),
    })


def _save_address(request, form, address=None):
    """Run the create or update service; return the address, or None with errors on the form."""
    try:
        if address is None:
            return services.address_create(user=request.user, **form.cleaned_data)
        return services.address_update(address=address, data=form.cleaned_data)
    except ValidationError as exc:
        form.add_error(None, exc)
        return None


@login_required
def address_add(request):
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _save_address(request, form):
        messages.success(request, _("Address added."))
        return redirect("accounts:addresses")
    return render(request, "accounts/address_form.html", {"form": form, "address": None})


@login_required
def address_edit(request, pk):
    address = _own_address(request, pk)
    form = AddressForm(request.POST or None, instance=address)
    # The form copies the input onto `address`; the service re-reads the row under lock.
    if request.method == "POST" and form.is_valid() and _save_address(request, form, address):
        messages.success(request, _("Address saved."))
        return redirect("accounts:addresses")
    return render(request, "accounts/address_form.html", {"form": form, "address": address})


@login_required
def address_delete(request, pk):
    address = _own_address(request, pk)
    if request.method == "POST":
        services.address_delete(address=address)
        messages.success(request, _("Address deleted."))
        return redirect("accounts:addresses")
    return render(request, "accounts/address_confirm_delete.html", {"address": address})


@login_required
@require_POST
def address_default(request, pk):
    address = services.address_set_default(address=_own_address(request, pk))
    messages.success(request, _("%(name)s, %(line1)s is now your default address.") % {"name": address.name, "line1": address.line1})
    return redirect("accounts:addresses")


@require_POST
def language_set(request):
    """Django's set_language, and for a signed-in shopper: write to them in it from now on."""
    response = set_language(request)
    if request.user.is_authenticated:
        services.user_language_set(user=request.user, language=request.POST.get("language", ""))
    return response
