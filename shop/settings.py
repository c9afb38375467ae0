"""Settings for the shop: one module, driven by environment variables (see README)."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
import os
import sys

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def refuse(reason: str):
    """Stop start-up with a one-line reason (a stack trace hides the point)."""
    sys.stderr.write(f"shop: refusing to start: {reason}\n")
    raise SystemExit(2)


TESTING = "pytest" in sys.modules or os.environ.get("SHOP_TESTING") == "1"

# --- Core -------------------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-never-used-in-production-0123456789"
    else:
        refuse("DJANGO_SECRET_KEY is not set (required when DJANGO_DEBUG is off)")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if DEBUG or TESTING:
        ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    else:
        refuse("DJANGO_ALLOWED_HOSTS is not set (required when DJANGO_DEBUG is off)")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    # Libraries
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_celery_beat",
    "treebeard",
    "sorl.thumbnail",
    "allauth",
    "allauth.account",
    "axes",
    # The shop, bottom layer first (see DESIGN.md "Layout"); `shop` holds shared helpers
    "shop",
    "accounts",
    "catalog",
    "membership",
    "points",
    "marketing",
    "orders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "shop.middleware.RejectNulBytes",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, so it sees the outcome of the authentication backends (django-axes docs).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shop.context_processors.shop",
                "orders.context_processors.header",
                "points.context_processors.header",
                "membership.context_processors.header",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=60,
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USES_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

# --- Redis, cache, Celery ---------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "shop",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# Without Redis, tasks run in-process: the embedded default needs no worker.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Safe redelivery: a task is acknowledged after it ran, re-run if its worker process dies,
# and a worker holds one message at a time so a crash strands at most one.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

# --- Auth: custom user, allauth, axes ---------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # axes first: it refuses a locked-out account before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

SHOP_EMAIL_VERIFICATION = os.environ.get("SHOP_EMAIL_VERIFICATION", "mandatory")
if SHOP_EMAIL_VERIFICATION not in {"mandatory", "optional", "none"}:
    refuse("SHOP_EMAIL_VERIFICATION must be mandatory, optional or none")

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = SHOP_EMAIL_VERIFICATION
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Shop] "
# axes is the one login limiter (it also guards the admin and the token endpoint);
# allauth's own limit would answer a locked account with a 200 page.
ACCOUNT_RATE_LIMITS = {"login_failed": False}

AXES_FAILURE_LIMIT = int(os.environ.get("SHOP_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SHOP_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "accounts.lockout.username_from_request"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Lock the account, not the address: an office or a mobile carrier shares one IP, and
# per-IP abuse is limited by the API throttles instead.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_VERBOSE = False

# --- REST API ---------------------------------------------------------------------------

SHOP_API_THROTTLES = env_bool("SHOP_API_THROTTLES", True)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "shop.api.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "shop.api.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_THROTTLE_CLASSES": (
        [
            "rest_framework.throttling.AnonRateThrottle",
            "rest_framework.throttling.UserRateThrottle",
        ]
        if SHOP_API_THROTTLES
        else []
    ),
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("SHOP_THROTTLE_ANON", "120/minute"),
        "user": os.environ.get("SHOP_THROTTLE_USER", "600/minute"),
        "signup": os.environ.get("SHOP_THROTTLE_SIGNUP", "10/hour"),
        "token": os.environ.get("SHOP_THROTTLE_TOKEN", "30/minute"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Shop API",
    "DESCRIPTION": "The shop's partner and app API (v1). Amounts are decimal strings.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI from the installed package, not a CDN: the shop works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets that share a field name across apps get a stable name each (otherwise
    # spectacular warns and names one "Kind670Enum").
    "ENUM_NAME_OVERRIDES": {
        "ReductionKindEnum": "marketing.models.Kind",
        "LedgerEntryKindEnum": "points.models.LedgerEntry.Kind",
    },
    # The two error shapes every endpoint answers with (shop/api.py): always in the schema,
    # with their exact form (field errors are a map of field name to messages, nested for
    # nested fields, which a serializer cannot express).
    "APPEND_COMPONENTS": {
        "schemas": {
            "Error": {
                "type": "object",
                "description": "A refusal: `code` is stable for programs, `detail` is for people.",
                "properties": {
                    "code": {"type": "string", "example": "out_of_stock"},
                    "detail": {"type": "string"},
                },
                "required": ["code", "detail"],
            },
            "ValidationError": {
                "type": "object",
                "description": "Field errors: each field maps to its messages "
                "(`non_field_errors` for the body as a whole).",
                "additionalProperties": {},
                "example": {"email": ["Enter a valid email address."]},
            },
        }
    },
}

# --- Shop rules (every amount a rule uses is a setting or a staff-editable row) ---------

SHOP_NAME = os.environ.get("SHOP_NAME", "Shop")
SHOP_CURRENCY = os.environ.get("SHOP_CURRENCY", "CNY")
SHOP_CURRENCY_SYMBOL = {"CNY": "¥", "USD": "$", "EUR": "€"}.get(SHOP_CURRENCY, SHOP_CURRENCY + " ")
SHOP_SHIPPING_FEE = Decimal(os.environ.get("SHOP_SHIPPING_FEE", "10.00"))
SHOP_FREE_SHIPPING_THRESHOLD = Decimal(os.environ.get("SHOP_FREE_SHIPPING_THRESHOLD", "99.00"))
SHOP_POINTS_PER_UNIT = int(os.environ.get("SHOP_POINTS_PER_UNIT", "100"))  # 100 points = 1.00
SHOP_POINTS_MAX_RATIO = Decimal(os.environ.get("SHOP_POINTS_MAX_RATIO", "0.50"))
SHOP_POINTS_SIGNUP_BONUS = int(os.environ.get("SHOP_POINTS_SIGNUP_BONUS", "100"))
SHOP_POINTS_EXPIRY_DAYS = int(os.environ.get("SHOP_POINTS_EXPIRY_DAYS", "365"))
SHOP_MEMBERSHIP_WINDOW_DAYS = int(os.environ.get("SHOP_MEMBERSHIP_WINDOW_DAYS", "365"))
ORDER_PAYMENT_TIMEOUT = timedelta(minutes=int(os.environ.get("ORDER_PAYMENT_TIMEOUT", "30")))
FLASH_SALE_PAYMENT_TIMEOUT = timedelta(
    minutes=int(os.environ.get("FLASH_SALE_PAYMENT_TIMEOUT", "5"))
)
ORDER_AUTO_COMPLETE_DAYS = int(os.environ.get("ORDER_AUTO_COMPLETE_DAYS", "14"))
SHOP_PAYMENT_GATEWAYS = env_list(
    "SHOP_PAYMENT_GATEWAYS", "dummy" if (DEBUG or TESTING) else ""
)
# The secret the sandbox gateway signs its callbacks with (HMAC-SHA256).
SHOP_DUMMY_GATEWAY_SECRET = os.environ.get("SHOP_DUMMY_GATEWAY_SECRET", SECRET_KEY)
SHOP_MAX_IMAGE_BYTES = int(os.environ.get("SHOP_MAX_IMAGE_BYTES", str(5 * 1024 * 1024)))
SHOP_MAX_IMAGE_PIXELS = int(os.environ.get("SHOP_MAX_IMAGE_PIXELS", str(40_000_000)))
SHOP_LOW_STOCK = int(os.environ.get("SHOP_LOW_STOCK", "5"))
SHOP_MAX_LINE_QUANTITY = int(os.environ.get("SHOP_MAX_LINE_QUANTITY", "99"))  # units per cart line

# Price rules the catalogue's effective price takes the lowest of (catalog/pricing.py).
# Each is a function (skus, *, user, at) -> {sku_id: PriceOffer}; the layers above catalog
# plug in here because catalog may not import them.
SHOP_PRICE_RULES = ["marketing.pricing.discount_offers", "membership.pricing.member_offers"]
# What cached shop pages are keyed by besides the catalogue version (catalog/pagecache.py):
# who a signed-in shopper's prices are for, and when a marketing window next opens or closes.
SHOP_PRICE_AUDIENCE = ["membership.pricing.price_audience"]
SHOP_PRICE_WINDOWS = ["marketing.pricing.price_windows"]

# --- I18N, time -------------------------------------------------------------------------

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("SHOP_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
THUMBNAIL_PRESERVE_FORMAT = True

# --- Email ------------------------------------------------------------------------------

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "shop@localhost")

# --- Security ---------------------------------------------------------------------------

DJANGO_SECURE = env_bool("DJANGO_SECURE", not DEBUG and not TESTING)
if DJANGO_SECURE:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# /healthz answers load balancers over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
X_FRAME_OPTIONS = "DENY"

# --- Logging ----------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Tests ------------------------------------------------------------------------------

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    MEDIA_ROOT = Path(os.environ.get("SHOP_TEST_MEDIA_ROOT", "/tmp/shop-test-media"))
