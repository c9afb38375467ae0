"""Settings for `make bench` only: the shop's, plus the raw-values baseline view's URL.

The baseline (`/bench/raw/`) answers the first 20 products as JSON straight from
`.values()`: the cost of a request that reads the same table with no templates, pricing or
serializers. It exists only here, never in the shop's own URLs.
"""

from shop.settings import *  # noqa: F403 - the shop's settings, extended

ROOT_URLCONF = "bench.urls"
# Emails on their own queue: the settlement worker measured consumes only the default one.
CELERY_TASK_ROUTES = {"orders.tasks.order_email_task": {"queue": "emails"}}
# The load is the measurement: no line per request or per refusal on the console.
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
