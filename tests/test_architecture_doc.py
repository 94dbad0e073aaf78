"""docs/dev/architecture.md is the plan of the house: every module it names exists, every floor has its
section, and imports only go down the floors it draws (a face may import any floor below it)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "aicity"
DOC = ROOT / "docs" / "dev" / "architecture.md"
# the floors of the drawing: a package imports (at run time) only from floors strictly below its own
FLOORS = {
    "errors": 0,
    "layers": 0,
    "languages": 0,
    "paths": 0,
    "io": 1,
    "data": 2,
    "store": 2,
    "inventory": 3,
    "index": 3,
    "profiles": 4,
    "viz": 5,
    "report": 6,
    "workflows": 7,
    "web": 8,
    "cli": 9,
    "__main__": 10,
}


def test_every_module_the_architecture_names_exists():
    named = set(re.findall(r"`(aicity/[\w/]+\.py)`", DOC.read_text(encoding="utf-8")))
    missing = sorted(p for p in named if not (SRC.parent / p).is_file())
    assert named, f"expected module paths like `aicity/io/read.py` in {DOC.name}, found none"
    assert missing == [], f"{DOC.relative_to(ROOT)} names modules that do not exist: {missing}"


def test_every_floor_has_its_section():
    text = DOC.read_text(encoding="utf-8")
    folders = sorted(p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    missing = [f for f in folders if f != "data" and f"### `{f}`" not in text]
    assert missing == [], f"{DOC.relative_to(ROOT)} has no '### `package`' section for: {missing}"


def _runtime_imports(tree: ast.Module) -> list[tuple[int, str]]:
    typing: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for inner in node.body:
                typing.update(range(inner.lineno, (inner.end_lineno or inner.lineno) + 1))
    found = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in typing:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("aicity."):
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.ImportFrom) and node.module == "aicity":
            found.extend((node.lineno, f"aicity.{a.name}") for a in node.names)
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names if a.name.startswith("aicity."))
    return found


def test_imports_only_go_down_the_floors():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        floor = rel.parts[0].removesuffix(".py")
        if floor not in FLOORS:
            continue  # aicity/__init__.py: the package itself
        for line, module in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            target = module.split(".")[1]
            if target != floor and FLOORS.get(target, -1) >= FLOORS[floor]:
                offenders.append(f"{rel}:{line} ({floor}) imports {module} ({target})")
    assert offenders == [], "imports that run up or across a floor: " + "; ".join(offenders)
