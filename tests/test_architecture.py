"""The rooms of ARCHITECTURE.md, checked on the package's own imports.

The import graph is built with `ast` from every `.py` file under `primer_nb/`: every
`import` and `from ... import` anywhere in a module counts, at the top, inside a function
(lazy) or under `if TYPE_CHECKING:` (type-only), because each of them ties the two
modules together for the next maintainer. The test fails on

- an import cycle between modules, whatever its length and whatever kind of import
  closes it (the emulator's `core` -> `app`/`transport` -> `core` loop was the last; the
  app and the transports now know the Emulator only through `emulator/protocols.py`);
- an import that points up the floors (a lower room importing a higher one), or that
  ARCHITECTURE.md forbids by name (the emulator importing the client, a widget or a table
  importing the emulator).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "primer_nb"

#: Floor of each room: a module may import only modules on its own floor or below.
#: 0 = the base rules (no import of ours but each other), 1 = the client and the
#: emulator (side by side, see FORBIDDEN), 2 = everything that sits on top.
BASE = {
    "enums",
    "models",
    "amounts",
    "currency",
    "errors",
    "config",
    "redaction",
    "merging",
    "wire_errors",  # pydantic errors in Primer's words; models and the emulator use it
    "fastjson",  # orjson where it reads as json does; the client and the emulator use it
    "frames",
    "arguments",  # checks of Python arguments (whole_number, aware) several rooms share
    "_version",
    "display",  # HTML from plain values for the `_repr_html_` hooks; imports only currency
}
MIDDLE = {"client", "emulator"}
FLOOR = {**dict.fromkeys(BASE, 0), **dict.fromkeys(MIDDLE, 1)}
TOP = 2  # ledger, tables, batch, widgets, plots, parity, exercises, notebook, tutorial, cli

#: (importer room, imported room) pairs forbidden although the floors would allow them.
FORBIDDEN = {
    ("emulator", "client"): "the emulator never imports the client (it is the server side)",
    ("widgets", "emulator"): "widgets reach the emulator only through the client",
    ("tables", "emulator"): "tables read models or the ledger, never the emulator",
    ("ledger", "emulator"): "the ledger records what the client saw, never the emulator",
}

#: Inside the emulator, lowest first: a module imports only emulator modules of a lower
#: layer (ARCHITECTURE.md, "Inside the emulator"). `core` builds the app and the
#: transports; they know the Emulator only through the protocols of `protocols`.
EMULATOR_LAYERS = [
    {"clock", "tokens", "faults", "loop", "store", "validation", "patching", "openapi", "process"},
    {"responses", "protocols"},
    {"app", "transport"},
    {"core"},
]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(importer: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    is_package = MODULES[importer].name == "__init__.py"
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(name: str) -> Iterator[tuple[str, int]]:
    """`(imported module of ours, line)` for every import statement in module `name`."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"), str(MODULES[name]))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "primer_nb":
                    yield _known(alias.name), node.lineno
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(name, node)
            if target.split(".")[0] != "primer_nb":
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"  # `from primer_nb import currency`
                yield (sub if sub in MODULES else _known(target)), node.lineno


def _known(name: str) -> str:
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def graph() -> dict[str, dict[str, int]]:
    edges: dict[str, dict[str, int]] = {name: {} for name in MODULES}
    for name in MODULES:
        for target, line in imports_of(name):
            if target != name:
                edges[name].setdefault(target, line)
    return edges


def room(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "primer_nb"


def floor(name: str) -> int:
    return FLOOR.get(room(name), TOP)


def strongly_connected(edges: dict[str, dict[str, int]]) -> list[set[str]]:
    """Tarjan's algorithm: the groups of modules that reach each other (size > 1)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


EDGES = graph()


def test_the_graph_sees_lazy_and_type_only_imports() -> None:
    """The scan is not blind: known lazy and TYPE_CHECKING imports are edges."""
    assert "primer_nb.frames" in EDGES["primer_nb.ledger"]  # inside Ledger.frame()
    assert "primer_nb.client" in EDGES["primer_nb.batch"]  # under TYPE_CHECKING
    assert "primer_nb.currency" in EDGES["primer_nb.emulator.validation"]
    assert len(MODULES) > 30


def test_no_import_cycles_between_modules() -> None:
    problems = []
    for group in strongly_connected(EDGES):
        inside = sorted((a, b) for a in group for b in EDGES[a] if b in group)
        lines = [f"{a} -> {b} (line {EDGES[a][b]})" for a, b in inside]
        problems.append(f"cycle through {sorted(group)}:\n  " + "\n  ".join(lines))
    assert not problems, "\n".join(problems)


def test_inside_the_emulator_imports_point_one_way() -> None:
    layer = {
        f"primer_nb.emulator.{name}": rank
        for rank, names in enumerate(EMULATOR_LAYERS)
        for name in names
    }
    layer["primer_nb.emulator"] = len(EMULATOR_LAYERS)  # the package re-exports on top
    inside = {name for name in MODULES if room(name) == "emulator"}
    assert inside == set(layer), f"place these in EMULATOR_LAYERS: {sorted(inside ^ set(layer))}"
    wrong = [
        f"{a} -> {b} (line {EDGES[a][b]}): layer {layer[b]} is not below {layer[a]}"
        for a in sorted(inside)
        for b in EDGES[a]
        if b in layer and layer[b] >= layer[a]
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("importer", sorted(MODULES))
def test_imports_point_down_the_floors(importer: str) -> None:
    wrong = []
    for target, line in EDGES[importer].items():
        if room(importer) == room(target) or room(importer) == "primer_nb":
            continue  # inside one room, or the package's public surface
        reason = FORBIDDEN.get((room(importer), room(target)))
        if reason:
            wrong.append(f"line {line}: imports {target}: {reason}")
        elif floor(target) > floor(importer):
            wrong.append(
                f"line {line}: imports {target}, a higher room (floor {floor(target)} > "
                f"{floor(importer)}); move the shared code down (ARCHITECTURE.md)"
            )
    assert not wrong, f"{importer}:\n  " + "\n  ".join(wrong)


def test_base_rooms_import_nothing_of_ours_but_each_other() -> None:
    for name in MODULES:
        if room(name) in BASE:
            outside = {t for t in EDGES[name] if room(t) not in BASE}
            assert not outside, f"{name} imports {sorted(outside)}"
    assert not {t for t in EDGES["primer_nb.frames"]}, "frames imports nothing of ours"


def test_no_module_imports_the_public_surface() -> None:
    """`primer_nb/__init__.py` re-exports lazily; a module importing it would close a loop."""
    users = sorted(name for name, targets in EDGES.items() if "primer_nb" in targets)
    assert users == [], users
