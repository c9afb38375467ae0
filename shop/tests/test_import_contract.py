"""The import-linter contract (docs/architecture.md) holds and catches a bad import."""

import shutil
import subprocess
import sys
from pathlib import Path

from shop.tests.subprocesses import BASE_DIR, child_env, run

LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))
APPS = ["accounts", "catalog", "membership", "points", "marketing", "orders"]


def fake_project(root: Path, imports: dict[str, str]) -> None:
    """Write one package per app under `root`; `imports` maps a module path to its source."""
    for app in APPS:
        (root / app).mkdir()
        (root / app / "__init__.py").write_text("")
    for module, source in imports.items():
        (root / module).write_text(source)
    shutil.copy(BASE_DIR / ".importlinter", root / ".importlinter")


def lint_in(root: Path) -> subprocess.CompletedProcess:
    """Run lint-imports on the fake project in `root` with the shop's contract."""
    return subprocess.run([LINT_IMPORTS, "--config", ".importlinter", "--no-cache"], cwd=root,
                          env=child_env(PYTHONPATH=str(root)), capture_output=True, text=True,
                          timeout=60, check=False)


def test_the_repository_keeps_the_contract():
    completed = run([LINT_IMPORTS, "--no-cache"], env=child_env(), timeout=120)

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "BROKEN" not in completed.stdout


def test_an_app_importing_orders_breaks_the_contract(tmp_path):
    fake_project(tmp_path, {"accounts/x.py": "import orders\n"})

    completed = lint_in(tmp_path)

    assert completed.returncode != 0
    assert "BROKEN" in completed.stdout
    assert "accounts.x -> orders" in completed.stdout


def test_points_importing_the_catalogue_breaks_the_contract(tmp_path):
    fake_project(tmp_path, {"points/x.py": "from catalog import models\n"})

    completed = lint_in(tmp_path)

    assert completed.returncode != 0
    assert "BROKEN" in completed.stdout


def test_imports_down_the_layers_keep_the_contract(tmp_path):
    fake_project(tmp_path, {
        "orders/x.py": "import marketing, membership, points, catalog, accounts\n",
        "marketing/x.py": "import catalog, accounts\n",
        "catalog/x.py": "import accounts\n",
    })

    completed = lint_in(tmp_path)

    assert completed.returncode == 0, completed.stdout + completed.stderr
