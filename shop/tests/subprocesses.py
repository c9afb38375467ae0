"""Run the project in a child process with a chosen environment (settings are read at import)."""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# The shop's own variables (README, "Settings"): a child starts from none of them.
SHOP_VARIABLES = {"DATABASE_URL", "REDIS_URL", "TIME_ZONE", "ORDER_PAYMENT_TIMEOUT",
                  "FLASH_SALE_PAYMENT_TIMEOUT", "ORDER_AUTO_COMPLETE_DAYS",
                  "ORDER_UNPAID_SWEEP_SECONDS"}


def child_env(**overrides: str | None) -> dict[str, str]:
    """Return this environment minus the shop's settings variables, plus `overrides`.

    The child has no SHOP_TESTING unless given: it starts as a deployment would. An in-memory
    SQLite database keeps it away from any real one unless DATABASE_URL is given.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SHOP_", "CELERY_")) and key not in SHOP_VARIABLES
    }
    env["DJANGO_SETTINGS_MODULE"] = "shop.settings"
    env["DATABASE_URL"] = "sqlite://:memory:"
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `args` in the project directory; capture text output."""
    return subprocess.run(args, cwd=BASE_DIR, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def manage(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `manage.py <args>` with this interpreter."""
    return run([sys.executable, "manage.py", *args], env=env, timeout=timeout)


def python_json(code: str, env: dict[str, str]) -> dict:
    """Run `code` after django.setup() in a child; it binds `result`; return it as JSON."""
    script = f"import json, django\ndjango.setup()\n{code}\nprint(json.dumps(result))\n"
    completed = run([sys.executable, "-c", script], env=env)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])
