"""Partner API: API keys (`/partner-keys/`) and webhooks (`/webhooks/`, deliveries, redeliver).

Keys are made by superusers or holders of accounts.add_apikey; a key never makes keys.
Webhooks are managed with the scope `webhooks:manage` (a key sees the subscriptions it
made) or the staff permissions on webhook subscriptions (all of them).
"""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import partner_keys, webhooks
from accounts.models import ApiKey, WebhookDelivery, WebhookSubscription
from accounts.partner_scopes import SCOPES
from shop.api import BAD_REQUEST, FORBIDDEN, NOT_FOUND, UNAUTHORIZED

READ_ERRORS = {400: BAD_REQUEST, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND}
WRITE_ERRORS = {400: BAD_REQUEST, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND}
DELETE_ERRORS = {401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND}


class NeedsPerms(BasePermission):
    """A signed-in caller with the view's `perms` for the request's method."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        needed = view.perms.get(request.method, view.perms.get("*"))
        return needed is not None and request.user.has_perms(needed)


# --- API keys ---------------------------------------------------------------------------


class ApiKeySerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiKey
        fields = ["id", "name", "prefix", "scopes", "created_at", "expires_at", "revoked_at",
                  "last_used_at"]


class ApiKeyCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=SCOPES),
                                   allow_empty=False, max_length=len(SCOPES))
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ApiKeyCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField()
    key = serializers.CharField(help_text="The whole key: shown in this answer only.")
    scopes = serializers.ListField(child=serializers.CharField())
    expires_at = serializers.DateTimeField(allow_null=True)


class ApiKeyListView(generics.ListAPIView):
    """API keys (never their secrets); POST makes one and shows it once."""

    permission_classes = [NeedsPerms]
    perms = {"*": ["accounts.add_apikey"]}
    serializer_class = ApiKeySerializer
    queryset = ApiKey.objects.all()
    filter_backends = []

    @extend_schema(responses={200: ApiKeySerializer(many=True), **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ApiKeyCreateSerializer,
                   responses={201: ApiKeyCreatedSerializer, **WRITE_ERRORS})
    def post(self, request):
        body = ApiKeyCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        key, raw = partner_keys.apikey_create(created_by=request.user, **body.validated_data)
        return Response({"id": key.pk, "name": key.name, "prefix": key.prefix, "key": raw,
                         "scopes": key.scopes,
                         "expires_at": serializers.DateTimeField().to_representation(
                             key.expires_at) if key.expires_at else None},
                        status=status.HTTP_201_CREATED)


class ApiKeyDetailView(APIView):
    """One API key; DELETE revokes it (it stays listed, with `revoked_at`)."""

    permission_classes = [NeedsPerms]
    perms = {"*": ["accounts.add_apikey"]}

    @extend_schema(responses={200: ApiKeySerializer, **DELETE_ERRORS})
    def get(self, request, pk: int):
        return Response(ApiKeySerializer(get_object_or_404(ApiKey, pk=pk)).data)

    @extend_schema(responses={204: None, **DELETE_ERRORS})
    def delete(self, request, pk: int):
        partner_keys.apikey_revoke(key=get_object_or_404(ApiKey, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Webhooks ---------------------------------------------------------------------------

WEBHOOK_PERMS = {
    "GET": ["accounts.view_webhooksubscription"],
    "POST": ["accounts.add_webhooksubscription"],
    "DELETE": ["accounts.delete_webhooksubscription"],
}


def _subscriptions(request):
    """The subscriptions the caller manages: a key its own, staff all."""
    key = getattr(request.user, "api_key", None)
    if key is not None:
        return WebhookSubscription.objects.filter(api_key=key)
    return WebhookSubscription.objects.all()


class WebhookSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "events", "is_active", "created_at"]


class WebhookCreateSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(child=serializers.ChoiceField(choices=webhooks.EVENT_TYPES),
                                   allow_empty=False, max_length=len(webhooks.EVENT_TYPES))


class WebhookCreatedSerializer(serializers.ModelSerializer):
    secret = serializers.CharField(help_text="The signing secret: shown in this answer only.")

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "events", "secret", "is_active", "created_at"]


class DeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.UUIDField(source="event.uuid")
    type = serializers.CharField(source="event.type")

    class Meta:
        model = WebhookDelivery
        fields = ["event_id", "type", "status", "attempts", "last_status_code",
                  "last_attempt_at", "next_attempt_at"]


class WebhookListView(generics.ListAPIView):
    """Webhook subscriptions; POST subscribes a URL (https to a public address)."""

    permission_classes = [NeedsPerms]
    perms = WEBHOOK_PERMS
    serializer_class = WebhookSerializer
    filter_backends = []

    def get_queryset(self):
        return _subscriptions(self.request).order_by("pk")

    @extend_schema(responses={200: WebhookSerializer(many=True), **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=WebhookCreateSerializer,
                   responses={201: WebhookCreatedSerializer, **WRITE_ERRORS})
    def post(self, request):
        body = WebhookCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        subscription = webhooks.subscription_create(
            api_key=getattr(request.user, "api_key", None), **body.validated_data)
        return Response(WebhookCreatedSerializer(subscription).data,
                        status=status.HTTP_201_CREATED)


class WebhookDetailView(APIView):
    permission_classes = [NeedsPerms]
    perms = WEBHOOK_PERMS

    @extend_schema(responses={200: WebhookSerializer, **DELETE_ERRORS})
    def get(self, request, pk: int):
        return Response(WebhookSerializer(get_object_or_404(_subscriptions(request), pk=pk)).data)

    @extend_schema(responses={204: None, **DELETE_ERRORS})
    def delete(self, request, pk: int):
        webhooks.subscription_delete(
            subscription=get_object_or_404(_subscriptions(request), pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveryListView(generics.ListAPIView):
    """The subscription's delivery log, newest event first."""

    permission_classes = [NeedsPerms]
    perms = {"GET": ["accounts.view_webhooksubscription"]}
    serializer_class = DeliverySerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookDelivery.objects.none()
        subscription = get_object_or_404(_subscriptions(self.request), pk=self.kwargs["pk"])
        return (WebhookDelivery.objects.filter(subscription=subscription)
                .select_related("event").order_by("-event_id"))

    @extend_schema(responses={200: DeliverySerializer(many=True), **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class WebhookRedeliverView(APIView):
    """Send an event to the subscription again, with the same `X-Shop-Delivery`."""

    permission_classes = [NeedsPerms]
    perms = {"POST": ["accounts.change_webhooksubscription"]}

    @extend_schema(request=None, responses={202: DeliverySerializer, **DELETE_ERRORS})
    def post(self, request, pk: int, event_id):
        subscription = get_object_or_404(_subscriptions(request), pk=pk)
        delivery = get_object_or_404(
            WebhookDelivery.objects.select_related("event"),
            Q(subscription=subscription) & Q(event__uuid=event_id))
        delivery = webhooks.webhook_redeliver(delivery=delivery)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


urlpatterns = [
    path("partner-keys/", ApiKeyListView.as_view(), name="api-partner-keys"),
    path("partner-keys/<int:pk>/", ApiKeyDetailView.as_view(), name="api-partner-key"),
    path("webhooks/", WebhookListView.as_view(), name="api-webhooks"),
    path("webhooks/<int:pk>/", WebhookDetailView.as_view(), name="api-webhook"),
    path("webhooks/<int:pk>/deliveries/", WebhookDeliveryListView.as_view(),
         name="api-webhook-deliveries"),
    path("webhooks/<int:pk>/deliveries/<uuid:event_id>/redeliver/",
         WebhookRedeliverView.as_view(), name="api-webhook-redeliver"),
]
