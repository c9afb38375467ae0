"""No import cycles between the project's modules, function-level imports included.

The direction that keeps the graph acyclic is written down in shop/celery.py: tasks import
services, and services queue tasks by their registered name.
"""

import grimp

PROJECT = ("accounts", "catalog", "marketing", "membership", "orders", "points", "shop")


def import_cycles(*packages: str) -> list[list[str]]:
    """Return one shortest cycle per tangle of modules that import each other, sorted.

    A cycle reads `[a, b, …, a]`: each module imports the next. Imports inside functions count
    (grimp reads them like the others); those under `if TYPE_CHECKING:` never run, so they do not.
    """
    graph = grimp.build_graph(*packages, exclude_type_checking_imports=True, cache_dir=None)
    cycles = []
    for tangle in _strongly_connected(graph):
        first = min(tangle)
        chains = [
            graph.find_shortest_chain(importer=imported, imported=first)
            for imported in graph.find_modules_directly_imported_by(first) if imported in tangle
        ]
        shortest = min((chain for chain in chains if chain), key=lambda chain: (len(chain), chain))
        cycles.append([first, *shortest])
    return sorted(cycles)


def _strongly_connected(graph) -> list[set[str]]:
    """Return the sets of two or more modules that all reach each other (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    tangles = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, imported = work[-1]
            following = next(imported, None)
            if following is not None:
                if following not in index:
                    index[following] = low[following] = len(index)
                    stack.append(following)
                    on_stack.add(following)
                    imported_next = sorted(graph.find_modules_directly_imported_by(following))
                    work.append((following, iter(imported_next)))
                elif following in on_stack:
                    low[module] = min(low[module], index[following])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                tangle = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    tangle.add(member)
                    if member == module:
                        break
                if len(tangle) > 1:
                    tangles.append(tangle)
    return tangles


def test_the_project_has_no_import_cycle():
    cycles = import_cycles(*PROJECT)

    assert not cycles, "import cycles (each module imports the next):\n" + "\n".join(
        " -> ".join(cycle) for cycle in cycles
    )


def test_a_cycle_through_a_function_level_import_is_found_and_named(tmp_path, monkeypatch):
    package = tmp_path / "cyclic_example"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "services.py").write_text(
        "def settle():\n    from cyclic_example.tasks import settle_task\n    settle_task()\n"
    )
    (package / "tasks.py").write_text("from cyclic_example import services\n")
    (package / "views.py").write_text("from cyclic_example import services, tasks\n")
    (package / "a.py").write_text("import cyclic_example.b\n")
    (package / "b.py").write_text("import cyclic_example.c\n")
    (package / "c.py").write_text("from cyclic_example import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    cycles = import_cycles("cyclic_example")

    assert cycles == [
        ["cyclic_example.a", "cyclic_example.b", "cyclic_example.c", "cyclic_example.a"],
        ["cyclic_example.services", "cyclic_example.tasks", "cyclic_example.services"],
    ]


def test_imports_under_type_checking_and_one_way_imports_are_no_cycle(tmp_path, monkeypatch):
    package = tmp_path / "acyclic_example"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text("from acyclic_example import validators\n")
    (package / "validators.py").write_text(
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from acyclic_example import models\n"
    )
    (package / "tasks.py").write_text("from acyclic_example import models, validators\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    assert import_cycles("acyclic_example") == []
