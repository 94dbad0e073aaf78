"""The plan of the house, checked: the faces (cli/, web/) go through workflows/, never the store, and
SQL is written only in store/."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "aicity"
SQL = re.compile(
    r"^\s*(SELECT\s|INSERT INTO\s|UPDATE \w+ SET\s|DELETE FROM\s|CREATE (OR REPLACE )?(TEMP )?"
    r"(TABLE|VIEW|INDEX)\s|ALTER TABLE\s|DROP (TABLE|VIEW|INDEX)\s|WITH \w+ AS\s)"
)


def _modules(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (SRC / folder).rglob("*.py"))


def _typing_only(tree: ast.Module) -> set[int]:
    """Line numbers of statements inside ``if TYPE_CHECKING:`` blocks."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for inner in node.body:
                lines.update(range(inner.lineno, (inner.end_lineno or inner.lineno) + 1))
    return lines


def _store_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing = _typing_only(tree)
    found = []
    for node in ast.walk(tree):
        if node.lineno in typing if hasattr(node, "lineno") else False:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            names = {a.name for a in node.names}
            if node.module.startswith("aicity.store") or (
                node.module == "aicity" and "store" in names
            ):
                found.append(f"{path.relative_to(SRC)}:{node.lineno} from {node.module}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("aicity.store"):
                    found.append(f"{path.relative_to(SRC)}:{node.lineno} import {alias.name}")
    return found


@pytest.mark.parametrize("face", ["cli", "web"])
def test_the_faces_never_import_the_store(face):
    offenders = [hit for path in _modules(face) for hit in _store_imports(path)]
    assert offenders == [], "cli/ and web/ call workflows/, never aicity.store: " + "; ".join(
        offenders
    )


def test_sql_is_written_only_in_the_store():
    offenders = []
    for path in _modules("."):
        if path.relative_to(SRC).parts[0] == "store":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and SQL.match(node.value)
            ):
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert offenders == [], "SQL outside aicity.store: " + ", ".join(offenders)


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The aicity modules a file imports at run time (lazy imports included, typing-only ones not)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing = _typing_only(tree)
    found = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in typing:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("aicity"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("aicity"))
    return found


def test_no_two_modules_import_each_other():
    graph = {_module_name(p): _imports(p) for p in _modules(".")}
    known = set(graph)
    circles = sorted(
        f"{a} <-> {b}"
        for a, deps in graph.items()
        for b in deps & known
        if a < b
        and a in graph.get(b, set())
        and not (a.endswith("__init__") or b.endswith("__init__"))
        and a != b.rpartition(".")[0]
        and b != a.rpartition(".")[0]  # a package and its own module
    )
    assert circles == [], "two-file import circles: " + ", ".join(circles)
