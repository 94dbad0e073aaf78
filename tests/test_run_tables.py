"""A stored run is read through ``aicity.store.runs.StoredRun`` only: outside the store no module picks
a run's table by name (``tables["eval_results"]`` and the like)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "aicity"


def _run_table_subscripts(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        key = node.slice if isinstance(node, ast.Subscript) else None
        if (
            isinstance(key, ast.Constant)
            and isinstance(key.value, str)
            and key.value.startswith("eval_")
        ):
            found.append(f"{path.relative_to(SRC)}:{node.lineno} [{key.value!r}]")
    return found


def test_no_run_table_is_read_by_name_outside_the_store():
    offenders = [
        hit
        for path in sorted(SRC.rglob("*.py"))
        if path.relative_to(SRC).parts[0] != "store"
        for hit in _run_table_subscripts(path)
    ]
    assert offenders == [], "read the run through StoredRun instead: " + ", ".join(offenders)
