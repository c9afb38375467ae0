"""Forms of the cart and checkout pages (validation only; the writes are services)."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.addresses import CHECKED_FIELDS, address_normalise
from accounts.forms import CountryField, ProvinceInput
from accounts.models import ADDRESS_FIELDS
from orders.services import MAX_QUANTITY

NEW_ADDRESS = "new"


class AddToCartForm(forms.Form):
    sku = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quantity = forms.IntegerField(min_value=1, max_value=MAX_QUANTITY, initial=1)


class QuantityForm(forms.Form):
    quantity = forms.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class CouponForm(forms.Form):
    code = forms.CharField(max_length=64, required=False, label=_("Coupon code"))


class CheckoutForm(forms.Form):
    """Choose a saved address or enter a new one, a coupon, points; place the order.

    `idempotency_key` is minted when the page is shown: a double click or a resubmitted
    page places one order, not two.
    """

    address = forms.ChoiceField(widget=forms.RadioSelect, label=_("Deliver to"))
    name = forms.CharField(max_length=100, required=False, label=_("Recipient"))
    phone = forms.CharField(max_length=30, required=False, label=_("Phone"))
    line1 = forms.CharField(max_length=200, required=False, label=_("Address line 1"))
    line2 = forms.CharField(max_length=200, required=False, label=_("Address line 2"))
    city = forms.CharField(max_length=100, required=False, label=_("City"))
    province = forms.CharField(max_length=100, required=False, label=_("Province"),
                               widget=ProvinceInput)
    postcode = forms.CharField(max_length=20, required=False, label=_("Postcode"))
    country = CountryField(required=False)
    coupon_code = forms.CharField(max_length=64, required=False, label=_("Coupon code"))
    points = forms.IntegerField(min_value=0, max_value=10**7, required=False, initial=0,
                                label=_("Points to use"))
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput,
                                      initial=lambda: uuid.uuid4().hex)

    def __init__(self, *args, addresses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.addresses = {str(a.pk): a for a in addresses}
        self.fields["address"].choices = [
            (str(a.pk), str(a)) for a in addresses
        ] + [(NEW_ADDRESS, _("A new address"))]
        if not self.is_bound:
            default = next((a for a in addresses if a.is_default), None) or next(iter(addresses), None)
            self.fields["address"].initial = str(default.pk) if default else NEW_ADDRESS

    def clean(self):
        data = super().clean()
        if data.get("address") == NEW_ADDRESS:
            missing = [name for name in ("name", "phone", "line1", "city", "postcode", "country")
                       if not (data.get(name) or "").strip()]
            for name in missing:
                self.add_error(name, _("This field is required for a new address."))
            # The address book's rules (accounts/addresses.py), on what was filled in.
            given = {name: data.get(name) or "" for name in CHECKED_FIELDS
                     if name not in missing and name in data}
            try:
                data.update(address_normalise(given))
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    for error in errors:
                        self.add_error(name, error)
        data["points"] = data.get("points") or 0
        return data

    def new_address_data(self) -> dict:
        """Return the new address as the order keeps it (and as the address book saves it)."""
        data = {name: (self.cleaned_data.get(name) or "").strip() for name in ADDRESS_FIELDS}
        data["country"] = data["country"].upper()
        return data
