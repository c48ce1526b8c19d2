"""No `typing.Any` in a public signature of `primer_nb` (issue 15).

`mypy --strict` checks what the code says; this test checks that what the code says to a
user is precise. It reads every `.py` file under `primer_nb/` with `ast` (nothing is
imported) and fails on `Any` written as `Any`, `typing.Any`, `t.Any` (any alias of
`typing` / `typing_extensions`) or in a string annotation, alone or inside another type
(`dict[str, Any]`, `Callable[..., Any]`, `Mapping[str, Any] | None`), and on a name of
ours that stands for a type containing `Any` (`_JSON = dict[str, Any]` used in a public
signature counts, also when imported from another module of the package).

What is public:

- a module is public unless a part of its dotted name starts with `_` (`__init__` is the
  package itself); in a private module (`widgets/_builder.py`) a name counts as public
  when it is in the module's `__all__` or a public module of the package imports it,
  because it is then reachable or inherited through public names (`SessionBuilder` is a
  `RequestBuilder`);
- in a public scope, a function, class, annotated name or assigned name whose name does
  not start with `_`, and dunder names (`__init__`, `__call__`, a module's `__getattr__`);
- inside a public class: its bases, the parameters and return of its public and dunder
  methods (properties and overloads included), its annotated attributes (pydantic fields,
  TypedDict and Protocol members), the public attributes its methods declare
  (`self.changes: dict[str, Any] = {}`), its assigned names, and its public nested classes;
- a private class (`_Base`) that a public class of the package inherits from, for its
  public and dunder methods and attributes (they are the subclass's);
- at module level: public functions, classes, annotated names (annotation and value) and
  assigned names whose value mentions `Any` (type aliases, TypeVars, functional TypedDicts).

Not public: names starting with one underscore (or two, without the trailing pair),
anything inside a function body, and the body of a private class nobody public inherits.

The failure lists `module:line name` for each offender.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "primer_nb"

TYPING_MODULES = {"typing", "typing_extensions"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_private_module(name: str) -> bool:
    return any(part.startswith("_") for part in name.split(".")[1:])


def is_public_name(name: str) -> bool:
    if name.startswith("__") and name.endswith("__"):
        return True  # dunders: __init__, __call__, a module's __getattr__
    return not name.startswith("_")


@dataclass(frozen=True)
class Offender:
    module: str
    line: int
    name: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} {self.name}"


def _scope_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a module or class body, looking into if/try/with blocks."""
    for stmt in body:
        if isinstance(stmt, ast.If):
            yield from _scope_statements(stmt.body)
            yield from _scope_statements(stmt.orelse)
        elif isinstance(stmt, ast.Try | ast.TryStar):
            yield from _scope_statements(stmt.body)
            for handler in stmt.handlers:
                yield from _scope_statements(handler.body)
            yield from _scope_statements(stmt.orelse)
            yield from _scope_statements(stmt.finalbody)
        elif isinstance(stmt, ast.With):
            yield from _scope_statements(stmt.body)
        else:
            yield stmt


def _assigned_names(stmt: ast.stmt) -> list[str]:
    if isinstance(stmt, ast.Assign):
        return [t.id for t in stmt.targets if isinstance(t, ast.Name)]
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return [stmt.target.id]
    return []


@dataclass
class Module:
    name: str
    tree: ast.Module
    is_package: bool
    typing_aliases: set[str] = field(default_factory=set)  # `import typing as t` -> "t"
    any_names: set[str] = field(default_factory=set)  # `from typing import Any` -> "Any"
    #: local name -> (module, name there), from `from module import name`
    imported: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: module-level names bound by an assignment, with the assigned value (aliases)
    values: dict[str, ast.expr] = field(default_factory=dict)
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    all_names: set[str] = field(default_factory=set)


def _resolve(module: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.name.split(".")
    base = base if module.is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _load(name: str, source: str, is_package: bool) -> Module:
    module = Module(name, ast.parse(source, name), is_package)
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in TYPING_MODULES:
                    module.typing_aliases.add(alias.asname or alias.name)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            for alias in node.names:
                local = alias.asname or alias.name
                if target in TYPING_MODULES and alias.name == "Any":
                    module.any_names.add(local)
                else:  # only names of the scanned modules are ever looked up
                    module.imported[local] = (target, alias.name)
    for stmt in _scope_statements(module.tree.body):
        if isinstance(stmt, ast.ClassDef):
            module.classes[stmt.name] = stmt
        elif isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
            for target in _assigned_names(stmt):
                module.values[target] = stmt.value
                if target == "__all__" and isinstance(stmt.value, ast.List | ast.Tuple):
                    module.all_names |= {
                        e.value
                        for e in stmt.value.elts
                        if isinstance(e, ast.Constant) and isinstance(e.value, str)
                    }
    return module


class Scanner:
    """Finds `Any` in the public signatures of a set of modules given as source text."""

    def __init__(self, sources: dict[str, tuple[str, bool]]) -> None:
        self.modules = {name: _load(name, src, pkg) for name, (src, pkg) in sources.items()}
        self.tainted = self._tainted_aliases()
        self.reexported = self._reexported_names()
        self.exposed = self._exposed_bases()

    # -- what mentions Any --------------------------------------------------------------

    def mentions_any(self, module: Module, node: ast.AST | None, *, extra: bool = True) -> bool:
        """Whether the expression `node` names `Any`, directly or through an alias of ours."""
        if node is None:
            return False
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name):
                if sub.id in module.any_names:
                    return True
                if extra and self._is_tainted(module, sub.id):
                    return True
            elif isinstance(sub, ast.Attribute):
                if (
                    sub.attr == "Any"
                    and isinstance(sub.value, ast.Name)
                    and sub.value.id in module.typing_aliases
                ):
                    return True
            elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                try:  # a string annotation: "dict[str, Any]"
                    inner = ast.parse(sub.value, mode="eval")
                except SyntaxError:
                    continue
                if self.mentions_any(module, inner, extra=extra):
                    return True
        return False

    def _is_tainted(self, module: Module, name: str) -> bool:
        if (module.name, name) in self.tainted:
            return True
        origin = module.imported.get(name)
        return origin is not None and origin in self.tainted

    def _tainted_aliases(self) -> set[tuple[str, str]]:
        """Module-level names whose assigned value mentions Any (to a fixed point)."""
        self.tainted = set()
        changed = True
        while changed:
            changed = False
            for module in self.modules.values():
                for name, value in module.values.items():
                    key = (module.name, name)
                    if key not in self.tainted and self.mentions_any(module, value):
                        self.tainted.add(key)
                        changed = True
        return self.tainted

    # -- what is public -----------------------------------------------------------------

    def _reexported_names(self) -> set[tuple[str, str]]:
        """Names of private modules that a public module imports (or `__all__` lists)."""
        names = set()
        for module in self.modules.values():
            names |= {(module.name, n) for n in module.all_names}
            if is_private_module(module.name):
                continue
            names |= set(module.imported.values())
        return names

    def _find_class(self, module: Module, expr: ast.expr) -> tuple[Module, str] | None:
        name = expr.id if isinstance(expr, ast.Name) else None
        if isinstance(expr, ast.Subscript):  # Generic base: Base[T]
            return self._find_class(module, expr.value)
        if name is None:
            return None
        if name in module.classes:
            return module, name
        origin = module.imported.get(name)
        if origin and origin[0] in self.modules and origin[1] in self.modules[origin[0]].classes:
            return self.modules[origin[0]], origin[1]
        return None

    def _exposed_bases(self) -> set[tuple[str, str]]:
        """Private classes of ours that a public class inherits from (transitively)."""
        exposed: set[tuple[str, str]] = set()
        todo = [
            (module, cls)
            for module in self.modules.values()
            for name, cls in module.classes.items()
            if self._module_level_public(module, name)
        ]
        while todo:
            module, cls = todo.pop()
            for base in cls.bases:
                found = self._find_class(module, base)
                if found is None:
                    continue
                base_module, base_name = found
                key = (base_module.name, base_name)
                if key not in exposed:
                    exposed.add(key)
                    todo.append((base_module, base_module.classes[base_name]))
        return exposed

    def _module_level_public(self, module: Module, name: str) -> bool:
        if not is_public_name(name):
            return False
        return not is_private_module(module.name) or (module.name, name) in self.reexported

    # -- the scan -----------------------------------------------------------------------

    def offenders(self) -> list[Offender]:
        found: list[Offender] = []
        for module in self.modules.values():
            for stmt in _scope_statements(module.tree.body):
                found += self._statement(module, stmt, prefix="", module_level=True)
        return sorted(found, key=lambda o: (o.module, o.line, o.name))

    def _statement(
        self, module: Module, stmt: ast.stmt, prefix: str, module_level: bool
    ) -> list[Offender]:
        def public(name: str) -> bool:
            if module_level:
                return self._module_level_public(module, name)
            return is_public_name(name)

        found: list[Offender] = []
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            if public(stmt.name):
                found += self._signature(module, stmt, prefix + stmt.name)
        elif isinstance(stmt, ast.ClassDef):
            exposed = module_level and (module.name, stmt.name) in self.exposed
            if public(stmt.name) or exposed:
                found += self._class(module, stmt, prefix + stmt.name)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            if public(stmt.target.id) and (
                self.mentions_any(module, stmt.annotation) or self.mentions_any(module, stmt.value)
            ):
                found.append(Offender(module.name, stmt.lineno, prefix + stmt.target.id))
        elif isinstance(stmt, ast.Assign):
            for name in _assigned_names(stmt):
                if public(name) and self.mentions_any(module, stmt.value):
                    found.append(Offender(module.name, stmt.lineno, prefix + name))
        return found

    def _class(self, module: Module, cls: ast.ClassDef, qualname: str) -> list[Offender]:
        found = [
            Offender(module.name, base.lineno, f"{qualname} (base)")
            for base in [*cls.bases, *(k.value for k in cls.keywords)]
            if self.mentions_any(module, base)
        ]
        for stmt in _scope_statements(cls.body):
            found += self._statement(module, stmt, prefix=qualname + ".", module_level=False)
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                found += self._instance_attributes(module, stmt, qualname)
        return found

    def _instance_attributes(
        self, module: Module, method: ast.FunctionDef | ast.AsyncFunctionDef, qualname: str
    ) -> list[Offender]:
        """`self.name: T = ...` in any method: a public attribute of the instance."""
        found = []
        for node in ast.walk(method):
            target = node.target if isinstance(node, ast.AnnAssign) else None
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
                and is_public_name(target.attr)
                and self.mentions_any(module, node.annotation)
            ):
                found.append(Offender(module.name, node.lineno, f"{qualname}.{target.attr}"))
        return found

    def _signature(
        self, module: Module, fn: ast.FunctionDef | ast.AsyncFunctionDef, qualname: str
    ) -> list[Offender]:
        a = fn.args
        params = [
            *((p.arg, p) for p in [*a.posonlyargs, *a.args]),
            *((f"*{a.vararg.arg}", a.vararg) for _ in [0] if a.vararg),
            *((p.arg, p) for p in a.kwonlyargs),
            *((f"**{a.kwarg.arg}", a.kwarg) for _ in [0] if a.kwarg),
        ]
        found = [
            Offender(module.name, p.lineno, f"{qualname}({label})")
            for label, p in params
            if self.mentions_any(module, p.annotation)
        ]
        if fn.returns is not None and self.mentions_any(module, fn.returns):
            found.append(Offender(module.name, fn.returns.lineno, f"{qualname} -> return"))
        return found


def package_sources() -> dict[str, tuple[str, bool]]:
    return {
        module_name(p): (p.read_text(encoding="utf-8"), p.name == "__init__.py")
        for p in sorted(PACKAGE.rglob("*.py"))
    }


SCANNER = Scanner(package_sources())


def test_no_any_in_public_signatures() -> None:
    offenders = SCANNER.offenders()
    assert not offenders, (
        f"{len(offenders)} public signature(s) mention Any; use object, Mapping[str, object], "
        "pydantic.JsonValue, a TypeVar/ParamSpec, a Protocol or a TypedDict:\n  "
        + "\n  ".join(map(str, offenders))
    )


def test_the_scan_reads_the_whole_package() -> None:
    assert len(SCANNER.modules) > 30
    assert "primer_nb.widgets._builder" in SCANNER.modules
    assert ("primer_nb.widgets._builder", "RequestBuilder") in SCANNER.reexported


SAMPLE = """
from __future__ import annotations
import typing as t
from collections.abc import Callable, Mapping
from typing import Any, TypeAlias, TypeVar
from pydantic import BaseModel
from pkg._private import Hidden

JSON = dict[str, Any]
_Loose = Mapping[str, Any]
Strict: TypeAlias = Mapping[str, object]
F = TypeVar("F", bound=Callable[..., Any])
STYLE: dict[str, Any] = {}
_internal: dict[str, Any] = {}
LIMIT = 3

def good(x: Mapping[str, object]) -> Strict: ...
def bad_param(x: int, *args: Any, key: t.Any = None, **kwargs: "dict[str, Any]") -> None: ...
def bad_return() -> list[Any] | None: ...
def through_alias(x: _Loose) -> None: ...
def through_import(x: Hidden) -> None: ...
def _private(x: Any) -> Any: ...
def __getattr__(name: str) -> Any: ...

class _Base:
    def inherited(self, x: Any) -> None: ...
    def _helper(self, x: Any) -> None: ...

class Model(_Base, BaseModel):
    metadata: dict[str, Any] | None = None
    name: str = ""
    _cache: Any = None
    def __init__(self, **data: Any) -> None:
        self.loose: dict[str, Any] = {}
        self._private: Any = None
        local: Any = None
    @property
    def value(self) -> Any: ...
    def method(self) -> None:
        def nested(x: Any) -> Any: ...
    class Config:
        extra: Any

class _Hidden:
    def method(self, x: Any) -> None: ...

class Wrapper(dict[str, Any]): ...
"""

PRIVATE = """
from typing import Any
__all__ = ["Listed"]
Hidden = dict[str, Any]
def Listed(x: Any) -> None: ...
def unlisted(x: Any) -> None: ...
"""


def test_the_scan_finds_every_shape_of_any_and_only_public_ones() -> None:
    """The scanner is not blind: each public shape is found, private ones are not."""
    scanner = Scanner({"pkg.mod": (SAMPLE, False), "pkg._private": (PRIVATE, False)})
    found = {o.name for o in scanner.offenders()}
    assert found == {
        "JSON",
        "F",
        "Hidden",  # a private module's name that a public module imports
        "STYLE",
        "bad_param(*args)",
        "bad_param(key)",
        "bad_param(**kwargs)",
        "bad_return -> return",
        "through_alias(x)",
        "through_import(x)",
        "__getattr__ -> return",
        "_Base.inherited(x)",
        "Model.metadata",
        "Model.__init__(**data)",
        "Model.loose",
        "Model.value -> return",
        "Model.Config.extra",
        "Wrapper (base)",
        "Listed(x)",
    }, found
    lines = {str(o) for o in scanner.offenders()}
    assert "pkg.mod:9 JSON" in lines


@pytest.mark.parametrize(
    ("name", "private"),
    [("primer_nb.widgets._builder", True), ("primer_nb.widgets.form", False), ("primer_nb", False)],
)
def test_private_modules_are_told_by_their_name(name: str, private: bool) -> None:
    assert is_private_module(name) is private
