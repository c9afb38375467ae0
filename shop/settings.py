"""Settings for the shop: one module, driven by environment variables (see README)."""

import os
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import dj_database_url
from csp import constants as csp_constants
from django_celery_beat.tzcrontab import TzAwareCrontab

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


# Test mode: the test settings (shop/settings_test.py, named in pytest.ini) turn it on, and
# the suite's child processes get SHOP_TESTING=1; nothing else does.
TESTING = env_bool("SHOP_TESTING", False)

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
    "modeltranslation",  # before the admin (its docs): product and category names per language
    "shop.apps.ShopAdminConfig",  # django.contrib.admin with the shop's site (shop/admin.py)
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
    "django_countries",  # ISO 3166-1 countries, their names in both languages (addresses)
    # The shop, bottom layer first (docs/architecture.md); `shop` holds shared helpers
    "shop",
    "accounts",
    "catalog",
    "membership",
    "points",
    "marketing",
    "orders",
]

MIDDLEWARE = [
    # First: every log line of the request, middleware's included, carries its id.
    "shop.middleware.RequestContext",
    # Next, so that every response carries the Content-Security-Policy, redirects included.
    "csp.middleware.CSPMiddleware",
    "shop.middleware.ReplicaReads",
    "django.middleware.security.SecurityMiddleware",
    "shop.middleware.RejectNulBytes",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page language: the django_language cookie, else Accept-Language (docs/languages.md).
    "django.middleware.locale.LocaleMiddleware",
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

# --- Read replicas ---------------------------------------------------------------------
# DATABASE_REPLICA_URLS (comma list) adds the aliases replica1, replica2, ...; the router
# (shop/db_router.py) sends them the reads of GET requests to views that tolerate lag.
# In tests each replica mirrors the test database (a second connection to it).

SHOP_READ_REPLICAS = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    DATABASES[f"replica{_number}"] = {
        **dj_database_url.parse(_url, conn_max_age=60, conn_health_checks=True),
        "TEST": {"MIRROR": "default"},
    }
    SHOP_READ_REPLICAS.append(f"replica{_number}")
if TESTING and not SHOP_READ_REPLICAS:
    # An alias the replica-routing tests can switch on (SHOP_READ_REPLICAS = ["replica"]).
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["shop.db_router.ReplicaRouter"]
# The URL names whose GET/HEAD reads may lag (views may also use shop.db_router.replica_reads).
SHOP_REPLICA_VIEWS = env_list(
    "SHOP_REPLICA_VIEWS",
    "catalog:home,catalog:search,catalog:category,catalog:product,"
    "api-categories,api-products,api-product,marketing:flash_list",
)

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

# `make run` sets SHOP_BROKER_DIR: without Redis, its worker (with beat) and the web process
# pass messages through kombu's filesystem transport in that folder, so the timed work runs
# with no server. With neither, tasks run in-process (eager): tests, scripts, `manage.py`.
SHOP_BROKER_DIR = "" if REDIS_URL else os.environ.get("SHOP_BROKER_DIR", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
elif SHOP_BROKER_DIR:
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = Path(SHOP_BROKER_DIR).resolve()
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
    }
    # kombu does not create its folders.
    for _folder in ("queue", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        # Web and worker now write to one SQLite file: take the write lock when a
        # transaction starts and wait for it, instead of failing with "database is locked".
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            timeout=20, transaction_mode="IMMEDIATE"
        )
else:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not (REDIS_URL or SHOP_BROKER_DIR)
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
# The periodic tasks. Beat's database scheduler writes each entry into its table by name when
# it starts (a new row, or the task and schedule of an existing one updated; "enabled" as the
# admin left it), so this is the one place to add or change a schedule. An entry removed here
# stays in the table: delete or disable it in the admin. See docs/architecture.md.
ORDER_UNPAID_SWEEP_SECONDS = int(os.environ.get("ORDER_UNPAID_SWEEP_SECONDS", "60"))
CELERY_BEAT_SCHEDULE = {
    "orders: cancel unpaid orders": {
        "task": "orders.tasks.orders_cancel_unpaid_task",
        "schedule": timedelta(seconds=ORDER_UNPAID_SWEEP_SECONDS),
    },
    "orders: complete shipped orders": {
        "task": "orders.tasks.orders_complete_shipped_task",
        "schedule": timedelta(hours=1),
    },
    # Settlement, fulfilment and order emails whose message was lost (orders.services.sweep).
    "orders: finish work left undone": {
        "task": "orders.tasks.orders_outbox_sweep_task",
        "schedule": timedelta(seconds=30),
    },
    # Refunds whose task was lost or whose gateway was down (orders.services.refunds).
    "orders: retry due refunds": {
        "task": "orders.tasks.refunds_retry_due_task",
        "schedule": timedelta(minutes=1),
    },
    "marketing: end flash sales": {
        "task": "marketing.tasks.flash_sales_end_due_task",
        "schedule": timedelta(minutes=1),
    },
    "marketing: reconcile flash-sale gates": {
        "task": "marketing.tasks.flash_sales_reconcile_running_task",
        "schedule": timedelta(minutes=1),
    },
    # 16:10 and 17:30 UTC are 00:10 and 01:30 in Shanghai, quiet hours; the expiry sweep
    # runs first so that the check sees the ledger after expiry.
    "points: expire lots past their date": {
        "task": "points.tasks.points_expire_task",
        "schedule": TzAwareCrontab(minute="10", hour="16", tz=ZoneInfo("UTC")),
    },
    "points: integrity check": {
        "task": "points.tasks.points_integrity_check_task",
        "schedule": TzAwareCrontab(minute="30", hour="17", tz=ZoneInfo("UTC")),
    },
    # A quiet hour in the shop's own time.
    "membership: daily tier review": {
        "task": "membership.tasks.membership_review_due_task",
        "schedule": TzAwareCrontab(minute="15", hour="3", tz=ZoneInfo("Asia/Shanghai")),
    },
    # Webhook events and deliveries whose task was lost (broker down at commit, worker killed).
    "accounts: webhooks sweep": {
        "task": "accounts.tasks.webhooks_sweep_task",
        "schedule": timedelta(seconds=30),
    },
}

# --- Client address ---------------------------------------------------------------------

# How many X-Forwarded-For entries, counted from the right, the proxies in front of the shop
# write (0: none, the peer address is the client). Throttles, login lockout and allauth's
# limits all take the client address from shop.net.client_ip, which reads this.
SHOP_TRUSTED_PROXIES = int(os.environ.get("SHOP_TRUSTED_PROXIES", "0"))
if SHOP_TRUSTED_PROXIES < 0:
    refuse("SHOP_TRUSTED_PROXIES must be 0 or more")

# --- Outages: a Redis failure is a cache miss, a broker failure never blocks a request -----
# Cache errors are logged and read as misses (pages render from the database). Queueing a
# task gives up within about a second; shop.celery logs and counts the failure, and the
# sweeps do the work later. Redis as a broker needs AOF (docs/operations.md).

if REDIS_URL:
    CACHES["default"]["OPTIONS"] = {
        "IGNORE_EXCEPTIONS": True,
        "SOCKET_CONNECT_TIMEOUT": 0.5,
        "SOCKET_TIMEOUT": 0.5,
    }
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "shop.cache"
CELERY_BROKER_CONNECTION_TIMEOUT = 1
if REDIS_URL:  # the filesystem broker of `make run` keeps its own options (above)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 1,
        "socket_timeout": 1,
        # Reconnecting while publishing: once, at once (kombu's default waits 2 s between tries).
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.2,
    }
CELERY_TASK_PUBLISH_RETRY = False  # a broker that is down stays down for a while
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_REDIS_SOCKET_TIMEOUT = 2
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 1}}

# --- Celery queues ----------------------------------------------------------------------
# One queue per kind of work, so a flood of one never delays another; each can get its own
# workers on its own machines (Procfile, docs/operations.md). Patterns are tried in order;
# a task matching none goes to the default queue "celery".

SHOP_CELERY_QUEUES = ["celery", "settlement", "emails", "webhooks", "sweeps"]
CELERY_TASK_ROUTES = [
    {
        # Periodic sweeps (beat) first: their names also mention what they sweep.
        "orders.tasks.orders_*": {"queue": "sweeps"},
        "marketing.tasks.flash_sales_*": {"queue": "sweeps"},
        "points.tasks.*": {"queue": "sweeps"},
        "membership.tasks.*": {"queue": "sweeps"},
        "*sweep*": {"queue": "sweeps"},
        "*email*": {"queue": "emails"},
        "*webhook*": {"queue": "webhooks"},
        "*settle*": {"queue": "settlement"},
        "*fulfil*": {"queue": "settlement"},
        "*refund*": {"queue": "settlement"},
    }
]

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
    # Not a check: revokes the user's API tokens on every password change or reset.
    {"NAME": "accounts.passwords.RevokeTokensOnPasswordChange"},
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
# A stolen session must not be enough to take the account over: changing the email asks
# for the password again (changing the password already does), and the owner is told by
# email when the password or an email address changes.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_NOTIFICATIONS = True

AXES_FAILURE_LIMIT = int(os.environ.get("SHOP_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SHOP_LOGIN_COOLOFF_MINUTES", "15")))
# Lock the account for one client address only: an attacker elsewhere cannot lock the
# owner out. Failures on a staff account across all addresses raise an alarm instead
# (accounts/lockout.py).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "shop.net.client_ip"
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "accounts.lockout.username_from_request"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- REST API ---------------------------------------------------------------------------

SHOP_API_THROTTLES = env_bool("SHOP_API_THROTTLES", True)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "accounts.partner_keys.ApiKeyAuthentication",
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
            "shop.throttling.AnonRateThrottle",
            "shop.throttling.UserRateThrottle",
        ]
        if SHOP_API_THROTTLES
        else []
    ),
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("SHOP_THROTTLE_ANON", "120/minute"),
        "user": os.environ.get("SHOP_THROTTLE_USER", "600/minute"),
        "signup": os.environ.get("SHOP_THROTTLE_SIGNUP", "10/hour"),
        "token": os.environ.get("SHOP_THROTTLE_TOKEN", "30/minute"),
        "payment_callback": os.environ.get("SHOP_THROTTLE_CALLBACK", "300/minute"),
    },
    # The shop's throttles key on shop.net.client_ip; this makes any stock DRF throttle agree.
    "NUM_PROXIES": SHOP_TRUSTED_PROXIES,
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
# Country lists (address forms) open with China, where most orders go (django-countries).
COUNTRIES_FIRST = ["CN"]
# Where the shop is reached, for links in emails (no request to take the host from).
SHOP_BASE_URL = os.environ.get("SHOP_BASE_URL", "http://localhost:8000")
SHOP_CURRENCY = os.environ.get("SHOP_CURRENCY", "CNY")
SHOP_CURRENCY_SYMBOL = {"CNY": "¥", "USD": "$", "EUR": "€"}.get(SHOP_CURRENCY, SHOP_CURRENCY + " ")
SHOP_SHIPPING_FEE = Decimal(os.environ.get("SHOP_SHIPPING_FEE", "10.00"))
SHOP_FREE_SHIPPING_THRESHOLD = Decimal(os.environ.get("SHOP_FREE_SHIPPING_THRESHOLD", "99.00"))
SHOP_POINTS_PER_UNIT = int(os.environ.get("SHOP_POINTS_PER_UNIT", "100"))  # 100 points = 1.00
SHOP_POINTS_MAX_RATIO = Decimal(os.environ.get("SHOP_POINTS_MAX_RATIO", "0.50"))
SHOP_POINTS_SIGNUP_BONUS = int(os.environ.get("SHOP_POINTS_SIGNUP_BONUS", "100"))
SHOP_POINTS_EXPIRY_DAYS = int(os.environ.get("SHOP_POINTS_EXPIRY_DAYS", "365"))
# Points for a shopper's first review of a product (once per shopper and product).
SHOP_POINTS_REVIEW_BONUS = int(os.environ.get("SHOP_POINTS_REVIEW_BONUS", "20"))
SHOP_MEMBERSHIP_WINDOW_DAYS = int(os.environ.get("SHOP_MEMBERSHIP_WINDOW_DAYS", "365"))
ORDER_PAYMENT_TIMEOUT = timedelta(minutes=int(os.environ.get("ORDER_PAYMENT_TIMEOUT", "30")))
FLASH_SALE_PAYMENT_TIMEOUT = timedelta(
    minutes=int(os.environ.get("FLASH_SALE_PAYMENT_TIMEOUT", "5"))
)
ORDER_AUTO_COMPLETE_DAYS = int(os.environ.get("ORDER_AUTO_COMPLETE_DAYS", "14"))
SHOP_PAYMENT_GATEWAYS = env_list(
    "SHOP_PAYMENT_GATEWAYS", "dummy" if (DEBUG or TESTING) else ""
)
# The secret the sandbox gateway signs its callbacks with (HMAC-SHA256): its own, never the
# secret key (whoever learns one must not learn the other).
SHOP_DUMMY_GATEWAY_SECRET = os.environ.get("SHOP_DUMMY_GATEWAY_SECRET", "")
if not SHOP_DUMMY_GATEWAY_SECRET and "dummy" in SHOP_PAYMENT_GATEWAYS:
    if DEBUG or TESTING:
        SHOP_DUMMY_GATEWAY_SECRET = "insecure-sandbox-gateway-secret-never-used-in-production"
    else:
        refuse("SHOP_DUMMY_GATEWAY_SECRET is not set (required for the dummy gateway when "
               "DJANGO_DEBUG is off)")
SHOP_MAX_IMAGE_BYTES = int(os.environ.get("SHOP_MAX_IMAGE_BYTES", str(5 * 1024 * 1024)))
SHOP_MAX_IMAGE_PIXELS = int(os.environ.get("SHOP_MAX_IMAGE_PIXELS", str(40_000_000)))
SHOP_LOW_STOCK = int(os.environ.get("SHOP_LOW_STOCK", "5"))
SHOP_MAX_LINE_QUANTITY = int(os.environ.get("SHOP_MAX_LINE_QUANTITY", "99"))  # units per cart line
# The function that computes the admin's front page for a user (shop.admin.ShopAdminSite);
# named here because shop, the bottom layer, imports no app.
SHOP_ADMIN_DASHBOARD = "orders.reports.dashboard_for"
# The longest range the sales report answers in one request, in days.
SHOP_REPORT_MAX_DAYS = int(os.environ.get("SHOP_REPORT_MAX_DAYS", "366"))
# Unpaid orders hold stock until they time out: one shopper may hold at most this many.
SHOP_MAX_UNPAID_ORDERS = int(os.environ.get("SHOP_MAX_UNPAID_ORDERS", "5"))
# API tokens expire this many days after they were issued (accounts/authentication.py).
SHOP_TOKEN_TTL_DAYS = int(os.environ.get("SHOP_TOKEN_TTL_DAYS", "30"))
if SHOP_TOKEN_TTL_DAYS < 1:
    refuse("SHOP_TOKEN_TTL_DAYS must be 1 or more")

# Price rules the catalogue's effective price takes the lowest of (catalog/pricing.py).
# Each is a function (skus, *, user, at) -> {sku_id: PriceOffer}; the layers above catalog
# plug in here because catalog may not import them.
SHOP_PRICE_RULES = ["marketing.pricing.discount_offers", "membership.pricing.member_offers"]
# Whether a shopper received a product, so the product page offers the review form: orders'
# data, asked through this function (user, product_id) -> bool as catalog may not import it.
SHOP_REVIEW_PURCHASE_CHECK = "orders.services.reviews.product_bought"
# What cached shop pages are keyed by besides the catalogue version (catalog/pagecache.py):
# who a signed-in shopper's prices are for, and when a marketing window next opens or closes.
SHOP_PRICE_AUDIENCE = ["membership.pricing.price_audience"]
SHOP_PRICE_WINDOWS = ["marketing.pricing.price_windows"]
# "Bought together" on the product page comes from orders, which catalog may not import: the
# dotted path of a `(slug, *, limit) -> [product ids]` function (catalog/recommendations.py).
SHOP_BOUGHT_TOGETHER = "orders.selectors.bought_together_ids"

# --- Partners: webhooks ----------------------------------------------------------------

# Plain http and loopback/private targets for webhook URLs: development and tests only.
SHOP_WEBHOOK_ALLOW_PRIVATE = env_bool("SHOP_WEBHOOK_ALLOW_PRIVATE", False)
# A failing delivery is retried with backoff for this long, then marked failed.
SHOP_WEBHOOK_RETRY_HOURS = int(os.environ.get("SHOP_WEBHOOK_RETRY_HOURS", "25"))
# Finished events (and their delivery log) are purged after this many days.
SHOP_WEBHOOK_KEEP_DAYS = int(os.environ.get("SHOP_WEBHOOK_KEEP_DAYS", "30"))
# How an event's `data` is rendered, per stream kind ("order:12" → the order's API JSON):
# accounts holds the outbox but may not import the apps whose rows it reports.
SHOP_WEBHOOK_PAYLOADS = {"order": "orders.api.payloads.order_payload"}

# --- I18N, time -------------------------------------------------------------------------

# Shoppers get English or Simplified Chinese (docs/languages.md); the compiled catalogue
# in locale/ is committed, so running needs no gettext.
LANGUAGE_CODE = os.environ.get("SHOP_LANGUAGE_CODE", "en")
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["shop.formats"]  # zh-Hans points as 12,345, like the amounts
# Product and category names and descriptions per language (catalog/translation.py): the
# English column is the reference whatever SHOP_LANGUAGE_CODE says; an empty Chinese one
# shows the English text.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "zh-hans")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
if LANGUAGE_CODE not in {code for code, _ in LANGUAGES}:
    refuse(f"SHOP_LANGUAGE_CODE must be one of en, zh-hans (got {LANGUAGE_CODE!r})")
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

CONSOLE_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    CONSOLE_EMAIL_BACKEND if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
if EMAIL_BACKEND == CONSOLE_EMAIL_BACKEND and not (DEBUG or TESTING):
    # Password-reset and verification links would land in the logs, and nobody gets mail.
    refuse("DJANGO_EMAIL_BACKEND is the console backend (not allowed when DJANGO_DEBUG is off)")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("DJANGO_EMAIL_TIMEOUT", "10"))
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    refuse("DJANGO_EMAIL_USE_TLS and DJANGO_EMAIL_USE_SSL are both on (choose one)")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "shop@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

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

# Content-Security-Policy on every response (django-csp): scripts only from the shop's own
# static files, never inline (templates keep their scripts in static/js). Inline styles stay
# allowed: templates, the admin and Swagger UI set style attributes, and a style cannot run
# code. docs/security.md explains each directive.
SHOP_MEDIA_ORIGIN = os.environ.get("SHOP_MEDIA_ORIGIN", "")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF],
        "style-src": [csp_constants.SELF, csp_constants.UNSAFE_INLINE],
        # Product images come from the media origin when media is not on this site.
        "img-src": [csp_constants.SELF, "data:", *filter(None, [SHOP_MEDIA_ORIGIN])],
        "font-src": [csp_constants.SELF, "data:"],
        "connect-src": [csp_constants.SELF],
        "object-src": [csp_constants.NONE],
        "base-uri": [csp_constants.SELF],
        "frame-ancestors": [csp_constants.NONE],
    },
}

# --- Logging ----------------------------------------------------------------------------
# One JSON object a line on stderr, each with the request id, user id and order number of
# the request or task it belongs to (shop/logs.py). SHOP_LOG_FORMAT=plain for a terminal.

SHOP_LOG_FORMAT = os.environ.get("SHOP_LOG_FORMAT", "json")
if SHOP_LOG_FORMAT not in {"json", "plain"}:
    refuse("SHOP_LOG_FORMAT must be json or plain")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "shop.logs.RequestContext"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s %(user_id)s "
                   "%(order_number)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,  # ISO 8601 in UTC, whatever TIME_ZONE says
        },
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": SHOP_LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("SHOP_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
# The worker keeps this configuration instead of installing its own plain-text one.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Metrics ----------------------------------------------------------------------------
# /metrics (Prometheus text format) answers a request bearing `Authorization: Bearer
# <SHOP_METRICS_TOKEN>` or a staff session; anyone else gets 403 (in debug too, unless
# SHOP_METRICS_OPEN_IN_DEBUG=1 for a local Prometheus). Several processes per machine
# (gunicorn workers) need PROMETHEUS_MULTIPROC_DIR (docs/operations.md).

SHOP_METRICS_TOKEN = os.environ.get("SHOP_METRICS_TOKEN", "")
SHOP_METRICS_OPEN_IN_DEBUG = env_bool("SHOP_METRICS_OPEN_IN_DEBUG", False)

# --- Tests ------------------------------------------------------------------------------

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # A test's worker process writes its emails as files there, for the test to count.
    if os.environ.get("SHOP_TEST_EMAIL_DIR"):
        EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
        EMAIL_FILE_PATH = os.environ["SHOP_TEST_EMAIL_DIR"]
    # In the project (media/ is ignored by git), not at a fixed name in the shared /tmp.
    # Each test also gets a folder of its own (conftest.py).
    MEDIA_ROOT = Path(os.environ.get("SHOP_TEST_MEDIA_ROOT", BASE_DIR / "media" / "test"))
