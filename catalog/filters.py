"""The product listing's filters, shared by the API (`/api/v1/products/`) and the pages.

The FilterSet validates the query string (bad values become field errors: 400 in the API,
messages beside the sidebar on pages) and hands the cleaned values to selectors.product_list,
which holds the query logic.
"""

from django import forms
from django_filters import rest_framework as filters

from catalog.models import Category, Product
from catalog.selectors import ORDERING_CHOICES, product_list
from shop.filters import UtcIsoDateTimeFilter


class StrictBooleanField(forms.Field):
    """true/false (also 1/0, yes/no, on for a checkbox); anything else is a field error."""

    widget = forms.TextInput
    TRUE = {"true", "1", "yes", "on"}
    FALSE = {"false", "0", "no", "off"}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError("Use true or false.", code="invalid")


class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        # The raw text reaches the field (BooleanWidget would turn "maybe" into None).
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class ProductFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_price"), cleaned.get("max_price")
        if low is not None and high is not None and low > high:
            self.add_error("max_price", "The highest price must not be below the lowest.")
        return cleaned


class ProductFilter(filters.FilterSet):
    category = filters.ModelChoiceFilter(
        queryset=Category.objects.filter(is_active=True), to_field_name="slug",
        help_text="Category slug; products of its sub-categories are included.",
    )
    q = filters.CharFilter(help_text="Search words (name, specs, description).", max_length=200)
    min_price = filters.NumberFilter(
        min_value=0, max_digits=12, decimal_places=2,
        help_text="Lowest from-price (the cheapest active SKU, before discounts).",
    )
    max_price = filters.NumberFilter(
        min_value=0, max_digits=12, decimal_places=2, help_text="Highest from-price.",
    )
    in_stock = StrictBooleanFilter(help_text="true: only products with a SKU in stock.")
    updated_since = UtcIsoDateTimeFilter(
        help_text="ISO 8601 instant: only products changed since then (the product, or any of "
                  "its SKUs' price, stock or images), for incremental sync.")
    ordering = filters.ChoiceFilter(choices=ORDERING_CHOICES, empty_label=None,
                                    help_text="price, -price, name, -rating or -created (default).")

    class Meta:
        model = Product
        fields = []
        form = ProductFilterForm

    def filter_queryset(self, queryset):
        """Ignore the per-field filtering: selectors.product_list builds the whole query."""
        return product_list(self.form.cleaned_data)
