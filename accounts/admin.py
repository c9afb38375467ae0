"""Staff screens for users (email login, no username) and their addresses."""

from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.db.models import Exists, OuterRef

from accounts.models import Address, User


class UserCreationForm(BaseUserCreationForm):
    """Django's creation form keyed by email instead of username."""

    class Meta:
        model = User
        fields = ["email"]

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise self.instance.unique_error_message(User, ["email"])
        return email


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class VerifiedFilter(admin.SimpleListFilter):
    """Filter on allauth's record of a verified email address."""

    title = "email verified"
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(email_verified=True)
        if self.value() == "no":
            return queryset.filter(email_verified=False)
        return queryset


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0
    fields = ["name", "phone", "line1", "line2", "city", "province", "postcode", "country",
              "is_default"]
    # The one-default rule lives in the services; staff see the default, shoppers choose it.
    readonly_fields = ["is_default"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ["email", "display_name", "is_staff", "is_active", "verified", "date_joined"]
    list_filter = ["is_staff", "is_active", VerifiedFilter, "language", "groups"]
    search_fields = ["email", "display_name"]
    ordering = ["email"]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [AddressInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["display_name", "language"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups",
                                    "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"],
                "fields": ["email", "password1", "password2", "is_staff"]}),
    ]

    def get_inlines(self, request, obj):
        # The add page asks only for email and password, as Django's own user admin does.
        return self.inlines if obj is not None else []

    def get_queryset(self, request):
        verified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
        return super().get_queryset(request).annotate(email_verified=Exists(verified))

    @admin.display(boolean=True, ordering="email_verified", description="verified")
    def verified(self, user):
        return user.email_verified


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "city", "country", "is_default", "created_at"]
    list_filter = ["country", "is_default"]
    search_fields = ["user__email", "name", "phone", "line1", "city", "postcode"]
    raw_id_fields = ["user"]
    readonly_fields = ["is_default"]

from accounts import partner_admin  # noqa: E402,F401  (registers the partner screens)
