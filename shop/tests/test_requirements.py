"""Production installs what the shop runs with and no test tool; `make test` adds the tools."""

import re
import subprocess
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from shop.tests.subprocesses import BASE_DIR

TEST_TOOLS = {"pytest", "pytest-django", "pytest-playwright", "playwright", "schemathesis",
              "hypothesis", "factory-boy", "faker", "import-linter", "grimp", "time-machine",
              "bandit", "httpx"}


def requirement_lines(name: str) -> list[str]:
    lines = (BASE_DIR / name).read_text().splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def production_requirements() -> list[Requirement]:
    return [Requirement(line) for line in requirement_lines("requirements.txt")]


def installed_closure(requirements: list[Requirement]) -> set[str]:
    """Return the names of the distributions `requirements` install, dependencies included
    (read from this environment's metadata, extras and markers honoured)."""
    seen: set[str] = set()
    todo = [(req, frozenset(req.extras)) for req in requirements]
    while todo:
        req, extras = todo.pop()
        name = canonicalize_name(req.name)
        if name in seen:
            continue
        seen.add(name)
        for line in metadata.requires(req.name) or []:
            dependency = Requirement(line)
            environments = [{"extra": extra} for extra in extras] or [{"extra": ""}]
            if dependency.marker is None or any(dependency.marker.evaluate(env)
                                                for env in environments):
                todo.append((dependency, frozenset(dependency.extras)))
    return seen


def test_the_production_requirements_are_exact_pins_and_name_no_test_tool():
    requirements = production_requirements()

    assert all(re.fullmatch(r"==[^,]+", str(req.specifier)) for req in requirements)
    assert {canonicalize_name(req.name) for req in requirements} & TEST_TOOLS == set()


def test_installing_the_production_requirements_brings_no_test_tool_along():
    closure = installed_closure(production_requirements())

    assert {"django", "celery", "kombu", "django-csp"} <= closure  # the walk follows deps
    assert closure & TEST_TOOLS == set()


def test_the_dev_requirements_are_the_production_ones_plus_the_tools():
    lines = requirement_lines("requirements-dev.txt")

    assert lines[0] == "-r requirements.txt"
    names = {canonicalize_name(Requirement(line).name) for line in lines[1:]}
    assert {"pytest", "playwright", "schemathesis", "bandit"} <= names
    assert str(Requirement(next(line for line in lines if line.startswith("bandit"))).specifier) \
        == "==1.9.4"


def make_dry_run(target: str) -> str:
    """The commands `make <target>` would run from scratch (nothing is run)."""
    completed = subprocess.run(["make", "-n", "-B", target], cwd=BASE_DIR, capture_output=True,
                               text=True, check=True)
    return completed.stdout


def test_make_up_installs_only_the_production_requirements():
    commands = make_dry_run("up")

    assert "-r requirements.txt" in commands
    assert "requirements-dev.txt" not in commands


def test_make_test_installs_the_tools_and_runs_bandit_before_the_tests():
    commands = make_dry_run("test").splitlines()

    assert any("-r requirements-dev.txt" in command for command in commands)
    bandit = next(i for i, c in enumerate(commands) if "bin/bandit " in c)
    pytest_ = next(i for i, c in enumerate(commands) if "bin/pytest" in c)
    assert "-c pyproject.toml -r . --severity-level medium" in commands[bandit]
    assert bandit < pytest_
