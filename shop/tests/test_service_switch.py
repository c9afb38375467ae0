"""The services-required switch: absent services skip locally and fail under CI's switch."""

import sys
from pathlib import Path

import pytest

from shop.tests.subprocesses import BASE_DIR, child_env, run

NEEDS_REDIS = """
import pytest

@pytest.mark.redis
def test_needs_redis():
    pass
"""

SKIPS = """
import pytest

def test_skips():
    pytest.skip("for a reason of its own")
"""


def run_pytest(tmp_path: Path, source: str, **variables) -> tuple[int, str]:
    """Run a one-test module under the shop's pytest.ini and conftest; return (exit, output)."""
    module = tmp_path / "test_probe.py"
    module.write_text(source)
    # Only pytest-django and the shop's conftest: the other plugins cost seconds to import.
    completed = run(
        [sys.executable, "-m", "pytest", "-c", str(BASE_DIR / "pytest.ini"),
         "--rootdir", str(tmp_path), "-p", "pytest_django.plugin", "-p", "conftest",
         "-p", "no:cacheprovider", str(module)],
        env=child_env(SHOP_TESTING="1", PYTHONPATH=str(BASE_DIR),
                      PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", **variables),
    )
    return completed.returncode, completed.stdout + completed.stderr


def test_a_test_needing_an_absent_service_skips_with_the_reason(tmp_path):
    code, output = run_pytest(tmp_path, NEEDS_REDIS)

    assert code == pytest.ExitCode.OK, output
    assert "needs Redis: set REDIS_URL" in output
    assert "1 skipped" in output


def test_under_the_switch_a_test_needing_an_absent_service_fails(tmp_path):
    code, output = run_pytest(tmp_path, NEEDS_REDIS, SHOP_REQUIRE_SERVICES="1")

    assert code == pytest.ExitCode.TESTS_FAILED, output
    assert "SHOP_REQUIRE_SERVICES=1 but this test needs Redis" in output


def test_under_the_switch_any_skip_fails_the_run(tmp_path):
    code, output = run_pytest(tmp_path, SKIPS, SHOP_REQUIRE_SERVICES="1")

    assert code == pytest.ExitCode.TESTS_FAILED, output
    assert "1 test(s) skipped; every test must run" in output
