"""The catalogue's page forms: a review (written through orders, which checks the purchase)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Review

RATING_ERROR = _("Give a rating from 1 to 5 stars.")
RATING_CHOICES = [(5, "★★★★★"), (4, "★★★★☆"), (3, "★★★☆☆"), (2, "★★☆☆☆"), (1, "★☆☆☆☆")]


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("Rating"), choices=RATING_CHOICES, coerce=int,
                                    error_messages={"invalid_choice": RATING_ERROR,
                                                    "required": RATING_ERROR})
    title = forms.CharField(label=_("Title (optional)"), required=False,
                            max_length=Review._meta.get_field("title").max_length)
    body = forms.CharField(label=_("Your review"), widget=forms.Textarea(attrs={"rows": 4}),
                           max_length=Review._meta.get_field("body").max_length)
