"""Staff screens for partner systems: API keys (shown once), webhooks and their delivery log."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from accounts import partner_keys, webhooks
from accounts.models import ApiKey, WebhookAttempt, WebhookDelivery, WebhookSubscription
from accounts.partner_scopes import SCOPES


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=[(s, s) for s in SCOPES],
                                       widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiKey
        fields = ["name", "scopes", "expires_at"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ["name", "prefix", "scope_list", "expires_at", "revoked_at", "last_used_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "created_by", "created_at", "revoked_at", "last_used_at"]
    actions = ["revoke"]

    @admin.display(description="scopes")
    def scope_list(self, key):
        return ", ".join(key.scopes)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        key, raw = partner_keys.apikey_create(
            name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"],
            expires_at=form.cleaned_data.get("expires_at"), created_by=request.user)
        obj.pk = key.pk
        obj.prefix = key.prefix
        # The only time the whole key exists outside its holder: only its hash is stored.
        messages.warning(request, f"The new API key is {raw} — copy it now: it is not shown "
                                  "again.")

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{count} key(s) revoked.")


class WebhookForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(choices=[(e, e) for e in webhooks.EVENT_TYPES],
                                       widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookSubscription
        fields = ["url", "events", "is_active"]

    def clean_url(self):
        try:
            return webhooks.webhook_url_check(self.cleaned_data["url"])
        except forms.ValidationError as refused:
            raise forms.ValidationError(refused.message_dict["url"]) from None


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ["url", "event_list", "is_active", "api_key", "created_at"]
    list_filter = ["is_active"]
    readonly_fields = ["api_key", "created_at"]

    @admin.display(description="events")
    def event_list(self, subscription):
        return ", ".join(subscription.events)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        made = webhooks.subscription_create(url=form.cleaned_data["url"],
                                            events=form.cleaned_data["events"])
        if not form.cleaned_data["is_active"]:
            WebhookSubscription.objects.filter(pk=made.pk).update(is_active=False)
        obj.pk = made.pk
        obj.secret = made.secret
        messages.warning(request, f"The signing secret is {made.secret} — copy it now: it is "
                                  "not shown again.")


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = readonly_fields = ["at", "status_code", "error", "duration_ms"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: every event sent to every subscription, with each attempt."""

    list_display = ["event_type", "event_id", "subscription", "status", "attempts",
                    "last_status_code", "last_attempt_at", "next_attempt_at"]
    list_filter = ["status", "event__type"]
    search_fields = ["event__uuid", "subscription__url", "stream"]
    list_select_related = ["event", "subscription"]
    fields = readonly_fields = ["event", "subscription", "stream", "status", "attempts",
                                "last_status_code", "last_attempt_at", "next_attempt_at",
                                "retry_until"]
    inlines = [WebhookAttemptInline]
    actions = ["redeliver"]

    @admin.display(description="event", ordering="event__type")
    def event_type(self, delivery):
        return delivery.event.type

    @admin.display(description="X-Shop-Delivery")
    def event_id(self, delivery):
        return delivery.event.uuid

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_redeliver_permission(self, request):
        return request.user.has_perm("accounts.change_webhooksubscription")

    @admin.action(description="Redeliver the selected deliveries", permissions=["redeliver"])
    def redeliver(self, request, queryset):
        for delivery in queryset:
            webhooks.webhook_redeliver(delivery=delivery)
        self.message_user(request, f"{queryset.count()} delivery(ies) queued again.")
