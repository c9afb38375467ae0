"""A tiny API for testing the schema rules: one endpoint documents its 4xx, one does not."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.api import BAD_REQUEST, NOT_FOUND, UNAUTHORIZED


class ThingSerializer(serializers.Serializer):
    name = serializers.CharField()


class DocumentedView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=ThingSerializer,
                   responses={200: ThingSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED,
                              404: NOT_FOUND})
    def patch(self, request, pk):
        return Response({"name": "thing"})


class UndocumentedView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=ThingSerializer, responses={200: ThingSerializer})
    def patch(self, request, pk):
        return Response({"name": "thing"})


urlpatterns = [
    path("api/v1/documented/<int:pk>/", DocumentedView.as_view()),
    path("api/v1/undocumented/<int:pk>/", UndocumentedView.as_view()),
]
