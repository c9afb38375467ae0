"""Forms of the account pages (allauth's pages bring their own)."""

from django import forms

from accounts.models import ADDRESS_FIELDS, Address, User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name"]
        help_texts = {"display_name": "What the shop calls you; leave empty to use your email."}


class AddressForm(forms.ModelForm):
    """An address; the model's validators check phone, postcode and country."""

    class Meta:
        model = Address
        fields = list(ADDRESS_FIELDS)
