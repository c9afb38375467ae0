"""gunicorn's configuration for the shop (Procfile: `gunicorn -c python:shop.gunicorn_conf`).

gunicorn's own lines (start-up, worker restarts) use the shop's JSON format; each request is
logged by the shop itself (shop.middleware.RequestContext), so there is no access log. With
PROMETHEUS_MULTIPROC_DIR set, a worker that exits has its live gauges dropped from /metrics.
"""

import os

from prometheus_client import multiprocess

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "shop.logs.RequestContext"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["context"]}
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    },
}


def child_exit(server, worker):
    """Forget an exited worker's live gauges (prometheus_client multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
