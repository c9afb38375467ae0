"""REST API of the accounts app: registration, tokens, the caller's profile and address book."""

from django.conf import settings
from django.contrib.auth import logout
from django.urls import path
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.generics import RetrieveUpdateAPIView
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.models import Address, User
from accounts.selectors import token_expires_at
from shop.api import (
    BAD_REQUEST,
    NOT_FOUND,
    UNAUTHORIZED,
    WRITE_ERRORS,
    ErrorSerializer,
    ValidationErrorSerializer,
    error,
)
from shop.throttling import ScopedRateThrottle

# --- Serializers ------------------------------------------------------------------------


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})


class CredentialsSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField(
        help_text="When the token stops working; ask for a token again then."
    )


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "display_name", "date_joined"]
        read_only_fields = ["id", "email", "date_joined"]


class SavedAddressSerializer(serializers.ModelSerializer):
    """A saved address of the address book (schema name SavedAddress: orders' inline
    order address is another shape); the model's validators check phone, postcode, country."""

    is_default = serializers.BooleanField(
        required=False,
        help_text="true makes this the default address; the default cannot be set to false "
        "(make another address the default instead).",
    )

    class Meta:
        model = Address
        fields = ["id", "name", "phone", "line1", "line2", "city", "province", "postcode",
                  "country", "is_default", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {
            "province": {"help_text": "Optional. In China a province in English or Chinese "
                                      "(\"Shanghai\", \"上海\"); stored as its English name."},
            "postcode": {"help_text": "Checked for the country: six digits in China."},
        }


# --- Views ------------------------------------------------------------------------------


class ScopedThrottleMixin:
    """Throttle by `throttle_scope` (per IP for anonymous callers) unless SHOP_API_THROTTLES=off."""

    def get_throttles(self):
        if not settings.SHOP_API_THROTTLES:
            return []
        return [ScopedRateThrottle()]


TOKEN_BAD_REQUEST = OpenApiResponse(
    PolymorphicProxySerializer(
        component_name="TokenError",
        serializers=[ErrorSerializer, ValidationErrorSerializer],
        resource_type_field_name=None,
    ),
    description="Wrong credentials (`invalid_credentials`), an unverified email while "
    "verification is mandatory (`email_unverified`), or field errors.",
)
LOCKED_OR_THROTTLED = error(
    "The account is locked for this client address after repeated failed logins "
    "(`account_locked`), or too many requests."
)
NOT_JSON = error("The body is not JSON (`unsupported_media_type`).")


class JsonOnlyMixin:
    """Accept a JSON body only: a cross-site HTML form cannot send one, so it gets a 415."""

    parser_classes = [JSONParser]


class RegisterView(JsonOnlyMixin, ScopedThrottleMixin, APIView):
    """Sign up with email and password; the verification email goes out at once."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []  # anonymous by nature: no session, so no CSRF to trip on
    throttle_scope = "signup"

    @extend_schema(
        request=RegisterSerializer,
        responses={
            201: UserSerializer,
            400: BAD_REQUEST,
            415: NOT_JSON,
            429: error("Too many sign-ups from this address."),
        },
    )
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_register(**serializer.validated_data, request=request._request)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenView(JsonOnlyMixin, ScopedThrottleMixin, APIView):
    """Exchange email and password for the API token (`Authorization: Token <key>`).

    The same token until it expires (`expires_at`), then a new one.
    """

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_scope = "token"

    @extend_schema(
        request=CredentialsSerializer,
        responses={200: TokenSerializer, 400: TOKEN_BAD_REQUEST, 415: NOT_JSON,
                   429: LOCKED_OR_THROTTLED},
    )
    def post(self, request):
        serializer = CredentialsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The Django request, not DRF's wrapper: django-axes marks a locked-out attempt on
        # it, and its middleware reads the mark on the way out.
        token = services.token_obtain(request=request._request, **serializer.validated_data)
        return Response(
            TokenSerializer({"token": token.key, "expires_at": token_expires_at(token=token)}).data
        )


class LogoutView(APIView):
    """Revoke the calling token: it stops working at once, for every app that holds it.

    A caller signed in with a session instead has no token; their session ends.
    """

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(request=None, responses={204: None, 401: UNAUTHORIZED})
    def post(self, request):
        if isinstance(request.auth, Token):
            services.token_revoke(token=request.auth)
        else:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(responses={200: UserSerializer, 401: UNAUTHORIZED}),
    patch=extend_schema(responses={200: UserSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED}),
)
class MeView(RetrieveUpdateAPIView):
    """The caller's profile: the email is the login and read-only here."""

    serializer_class = UserSerializer
    permission_classes = [permissions.IsAuthenticated]
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return self.request.user

    def perform_update(self, serializer):
        serializer.instance = services.profile_update(
            user=self.request.user,
            display_name=serializer.validated_data.get(
                "display_name", self.request.user.display_name
            ),
        )


@extend_schema(responses={200: SavedAddressSerializer, **WRITE_ERRORS})
class AddressViewSet(viewsets.ModelViewSet):
    """The caller's address book; another user's address id is a 404."""

    serializer_class = SavedAddressSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Address.objects.none()
        return selectors.address_list(user=self.request.user)

    @extend_schema(responses={201: SavedAddressSerializer, **WRITE_ERRORS})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(responses={200: SavedAddressSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED,
                              404: NOT_FOUND})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: SavedAddressSerializer, 401: UNAUTHORIZED, 404: NOT_FOUND})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(responses={204: None, 401: UNAUTHORIZED, 404: NOT_FOUND})
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = services.address_create(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.address_update(
            address=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.address_delete(address=instance)

    @extend_schema(request=None, responses={200: SavedAddressSerializer, 401: UNAUTHORIZED,
                                            404: NOT_FOUND})
    @action(detail=True, methods=["post"], url_path="default")
    def make_default(self, request, pk=None):
        """Make this the default address."""
        address = services.address_set_default(address=self.get_object())
        return Response(SavedAddressSerializer(address).data)


router = SimpleRouter()
router.register("me/addresses", AddressViewSet, basename="me-address")

urlpatterns = [
    path("auth/register/", RegisterView.as_view(), name="api-register"),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/logout/", LogoutView.as_view(), name="api-logout"),
    path("me/", MeView.as_view(), name="api-me"),
    *router.urls,
]
