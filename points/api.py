"""Points API: the shopper's own balance, what expires soon, and the ledger (read-only)."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from points.models import LedgerEntry
from points.selectors import balance_for, entries_for, expiring_soon
from shop.api import BAD_REQUEST, NOT_FOUND, UNAUTHORIZED


class ExpiringLotSerializer(serializers.Serializer):
    points = serializers.IntegerField()
    expires_at = serializers.DateTimeField()


class PointsSerializer(serializers.Serializer):
    balance = serializers.IntegerField()
    expiring_soon = ExpiringLotSerializer(many=True, help_text="Lots expiring within 30 days.")


class LedgerEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = LedgerEntry
        fields = ["id", "kind", "delta", "reference", "reason", "created_at", "expires_at"]


class PointsView(APIView):
    """The signed-in shopper's balance and the points expiring in the next 30 days."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: PointsSerializer, 401: UNAUTHORIZED})
    def get(self, request):
        data = {"balance": balance_for(request.user), "expiring_soon": expiring_soon(request.user)}
        return Response(PointsSerializer(data).data)


class LedgerEntryListView(generics.ListAPIView):
    """The signed-in shopper's ledger entries, newest first (never another shopper's)."""

    permission_classes = [IsAuthenticated]
    serializer_class = LedgerEntrySerializer

    def get_queryset(self):
        return entries_for(self.request.user)

    @extend_schema(responses={200: LedgerEntrySerializer(many=True), 400: BAD_REQUEST,
                              401: UNAUTHORIZED, 404: NOT_FOUND})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


urlpatterns = [
    path("points/", PointsView.as_view(), name="points-api"),
    path("points/entries/", LedgerEntryListView.as_view(), name="points-entries-api"),
]
