"""Forms of the account pages (allauth's pages bring their own)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import ADDRESS_FIELDS, Address, User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name"]
        labels = {"display_name": _("Display name")}
        help_texts = {"display_name": _("What the shop calls you; leave empty to use your email.")}


class AddressForm(forms.ModelForm):
    """An address; the model's validators check phone, postcode and country."""

    class Meta:
        model = Address
        fields = list(ADDRESS_FIELDS)
        labels = {"name": _("Recipient"), "phone": _("Phone"), "line1": _("Address line 1"),
                  "line2": _("Address line 2"), "city": _("City"), "province": _("Province"),
                  "postcode": _("Postcode"), "country": _("Country")}
        help_texts = {"country": _("Two-letter code, e.g. CN.")}
