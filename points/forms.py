"""Forms for the staff's points screens."""

from django import forms
from django.contrib.auth import get_user_model


class AdjustPointsForm(forms.Form):
    """An adjustment: who (by email, when not picked from an account), how many, and why."""

    email = forms.EmailField(label="Shopper's email", required=False)
    delta = forms.IntegerField(
        label="Points", help_text="Positive to add, negative to take away (never below zero)."
    )
    reason = forms.CharField(
        max_length=255, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required: what the adjustment is for. The shopper sees it in their history.",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user is not None:
            del self.fields["email"]

    def clean_delta(self):
        delta = self.cleaned_data["delta"]
        if delta == 0:
            raise forms.ValidationError("An adjustment adds or takes away at least one point.")
        return delta

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give the reason for the adjustment.")
        return reason

    def clean(self):
        cleaned = super().clean()
        if self.user is None and cleaned.get("email"):
            User = get_user_model()
            self.user = User.objects.filter(email__iexact=cleaned["email"]).first()
            if self.user is None:
                self.add_error("email", "No shopper has this email address.")
        elif self.user is None and "email" not in self.errors:
            self.add_error("email", "Whose points are these?")
        return cleaned
