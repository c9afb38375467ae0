"""Forms of the account pages (allauth's pages bring their own)."""

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.addresses import province_choices, province_label
from accounts.models import ADDRESS_FIELDS, Address, User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name"]
        labels = {"display_name": _("Display name")}
        help_texts = {"display_name": _("What the shop calls you; leave empty to use your email.")}


def country_choices() -> list[tuple[str, str]]:
    """Return (ISO code, name in the active language) for every country, China first."""
    return list(countries)


class CountryField(forms.ChoiceField):
    """A country from the list (ISO 3166-1 codes), the code taken in any letter case."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Country"))
        super().__init__(choices=country_choices, initial="CN", **kwargs)

    def to_python(self, value):
        return super().to_python(value).strip().upper()


class ProvinceInput(forms.TextInput):
    """A text box offering China's 34 provinces in the page's language (an HTML datalist).

    Free text stays possible (other countries have other regions); the rules turn a
    Chinese province given in either language into its stored name.
    """

    def __init__(self, attrs=None):
        super().__init__({"list": "cn-provinces", "autocomplete": "address-level1",
                          **(attrs or {})})

    def format_value(self, value):
        return province_label(value) if value else value

    def render(self, name, value, attrs=None, renderer=None):
        options = format_html_join("", '<option value="{}"></option>',
                                   ((label,) for label in province_choices()))
        return format_html('{}<datalist id="cn-provinces">{}</datalist>',
                           super().render(name, value, attrs, renderer), options)


class AddressForm(forms.ModelForm):
    """An address; the model checks it (accounts/addresses.py: postcode for the country, …)."""

    country = CountryField()

    class Meta:
        model = Address
        fields = list(ADDRESS_FIELDS)
        labels = {"name": _("Recipient"), "phone": _("Phone"), "line1": _("Address line 1"),
                  "line2": _("Address line 2"), "city": _("City"), "province": _("Province"),
                  "postcode": _("Postcode")}
        help_texts = {"province": _("In China: choose from the list.")}
        widgets = {"province": ProvinceInput}
