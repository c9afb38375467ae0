"""Where code lives: flash sales in one package per app, imports at the top of each module."""

import ast
from pathlib import Path

import pytest

from shop.tests.subprocesses import BASE_DIR

APPS = ("accounts", "catalog", "marketing", "membership", "orders", "points", "shop")


def app_modules() -> list[Path]:
    """Return the project's modules, tests and migrations left out."""
    return sorted(
        path for app in APPS for path in (BASE_DIR / app).rglob("*.py")
        if not {"tests", "migrations"} & set(path.relative_to(BASE_DIR).parts)
    )


def function_level_imports(source: str) -> list[int]:
    """Return the line numbers of imports inside a function or class body."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            lines += [inner.lineno for inner in ast.walk(node)
                      if isinstance(inner, (ast.Import, ast.ImportFrom))]
    return sorted(set(lines))


def imports_below_the_first_statement(source: str) -> list[int]:
    """Return the line numbers of module-level imports that follow other code (the docstring aside)."""
    body = ast.parse(source).body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    code_seen, late = False, []
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if code_seen:
                late.append(node.lineno)
        else:
            code_seen = True
    return late


def test_flash_sale_code_lives_in_the_flash_package_and_in_orders_services_and_api():
    strays = sorted(str(path.relative_to(BASE_DIR)) for path in [
        *BASE_DIR.glob("marketing/flash_*"), *BASE_DIR.glob("orders/flash*"),
    ])

    assert strays == []
    for module in ("marketing/flash/gate.py", "marketing/flash/admin.py", "marketing/flash/api.py",
                   "marketing/flash/views.py", "orders/services/flash.py", "orders/api/flash.py"):
        assert (BASE_DIR / module).is_file(), module


@pytest.mark.parametrize("module", ["marketing/admin.py", "marketing/api.py"])
def test_admin_and_api_include_their_flash_parts_with_imports_at_the_top(module):
    source = (BASE_DIR / module).read_text()

    assert imports_below_the_first_statement(source) == []
    assert "marketing.flash" in source


def test_no_module_imports_inside_a_function_but_an_app_config_getting_ready():
    deferred = {
        str(path.relative_to(BASE_DIR)): lines for path in app_modules()
        if path.name != "apps.py" and (lines := function_level_imports(path.read_text()))
    }

    assert deferred == {}


def test_the_checks_see_what_they_look_for():
    late = '"""Doc."""\n\nimport os\n\nX = 1\n\nfrom sys import path  # noqa: E402\n'
    deferred = "import os\n\n\ndef f():\n    from orders.tasks import t\n    return t\n"

    assert imports_below_the_first_statement(late) == [7]
    assert imports_below_the_first_statement(deferred) == []
    assert function_level_imports(deferred) == [5]
    assert function_level_imports(late) == []
