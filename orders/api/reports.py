"""The sales report for the CRM/BI side: `GET /api/v1/reports/sales/?from=&to=`.

The same figures as the admin dashboard (orders.selectors.sales_by_day): one row per day
of the shop's time zone, paid orders by payment date, revenue net of the refunds made that
day. Staff and partners with the order view permission read it.
"""

from datetime import date, timedelta

from django.conf import settings
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.selectors import sales_by_day
from shop.api import BAD_REQUEST, FORBIDDEN, UNAUTHORIZED

DEFAULT_DAYS = 30
# Far enough from the calendar's ends that a day's bounds in any time zone exist.
EARLIEST, LATEST = date(2000, 1, 1), date(9998, 12, 31)


class CanViewOrders(BasePermission):
    message = "Reading sales needs the order view permission."

    def has_permission(self, request, view):
        return request.user.has_perm("orders.view_order")


class SalesQuerySerializer(serializers.Serializer):
    from_ = serializers.DateField(required=False, help_text="First day (YYYY-MM-DD), included.")
    to = serializers.DateField(required=False, help_text="Last day (YYYY-MM-DD), included.")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # `from` is a Python keyword
        return fields

    def validate(self, data):
        end = data.get("to") or timezone.localdate()
        start = data.get("from") or end - timedelta(days=DEFAULT_DAYS - 1)
        for name, value in (("from", start), ("to", end)):
            if not EARLIEST <= value <= LATEST:
                raise serializers.ValidationError({name: [f"Give a day from {EARLIEST} to {LATEST}."]})
        if start > end:
            raise serializers.ValidationError({"from": ["`from` must not be after `to`."]})
        longest = settings.SHOP_REPORT_MAX_DAYS
        if (end - start).days + 1 > longest:
            raise serializers.ValidationError({"to": [f"Ask for at most {longest} days at a time."]})
        return {"start": start, "end": end}


class SalesDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    orders = serializers.IntegerField(help_text="Orders paid that day.")
    revenue = serializers.DecimalField(
        max_digits=14, decimal_places=2,
        help_text="Σ total of the orders paid that day minus the totals refunded that day.",
    )


class SalesReportView(APIView):
    permission_classes = [IsAuthenticated, CanViewOrders]

    @extend_schema(
        summary="Sales per day: paid orders and revenue, refunds subtracted on their day",
        parameters=[
            OpenApiParameter("from", date,
                             description="First day, included (default: 29 days before `to`)."),
            OpenApiParameter("to", date, description="Last day, included "
                                                     "(default: today in the shop's time zone)."),
        ],
        responses={200: SalesDaySerializer(many=True), 400: BAD_REQUEST, 401: UNAUTHORIZED,
                   403: FORBIDDEN},
    )
    def get(self, request):
        # A blank parameter (`?from=&to=`) means its default, as an absent one does.
        given = {name: value for name, value in request.query_params.items() if value.strip()}
        query = SalesQuerySerializer(data=given)
        query.is_valid(raise_exception=True)
        days = sales_by_day(start=query.validated_data["start"], end=query.validated_data["end"])
        return Response(SalesDaySerializer(days, many=True).data)


urlpatterns = [
    path("reports/sales/", SalesReportView.as_view(), name="api-reports-sales"),
]
