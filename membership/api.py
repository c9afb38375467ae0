"""Membership API: the signed-in member's tier and progress, and the tier table."""

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from membership.models import Tier
from membership.selectors import membership_overview
from membership.services import membership_get
from shop.api import BAD_REQUEST, READ_ERRORS, UNAUTHORIZED


class TierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tier
        fields = ["code", "name", "rank", "threshold", "discount_percent", "points_multiplier",
                  "free_shipping"]


class BenefitsSerializer(serializers.Serializer):
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    points_multiplier = serializers.DecimalField(max_digits=4, decimal_places=2)
    free_shipping = serializers.BooleanField()


class MembershipSerializer(serializers.Serializer):
    tier = TierSerializer(allow_null=True)
    benefits = BenefitsSerializer()
    spend_365d = serializers.DecimalField(max_digits=12, decimal_places=2)
    next_tier = TierSerializer(allow_null=True)
    spend_to_next = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    progress_percent = serializers.IntegerField(
        help_text="Spend as a share of the next tier's threshold (100 at the top tier)."
    )


class MembershipView(APIView):
    """The signed-in member's own membership: there is no way to ask for anyone else's."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: MembershipSerializer, 401: UNAUTHORIZED})
    def get(self, request):
        overview = membership_overview(membership=membership_get(request.user))
        progress = overview.progress
        data = {
            "tier": progress.tier,
            "benefits": overview.benefits,
            "spend_365d": progress.spend,
            "next_tier": progress.next_tier,
            "spend_to_next": progress.spend_to_next,
            "progress_percent": progress.percent,
        }
        return Response(MembershipSerializer(data).data)


@extend_schema_view(get=extend_schema(responses={200: TierSerializer(many=True), 400: BAD_REQUEST,
                                                 **READ_ERRORS}))
class TierListView(generics.ListAPIView):
    """The tier ladder, lowest first (public: what a shopper can reach)."""

    queryset = Tier.objects.order_by("rank")
    serializer_class = TierSerializer
    permission_classes = [permissions.AllowAny]


urlpatterns = [
    path("membership/", MembershipView.as_view(), name="membership-detail"),
    path("membership/tiers/", TierListView.as_view(), name="membership-tiers"),
]
