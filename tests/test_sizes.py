"""Rooms of a readable size: no source file over 500 lines, and no function over 80 lines in the two
faces that grow fastest (report/, web/). A file or function past the line is split by what its parts do."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "aicity"
MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 80
FUNCTION_FOLDERS = ("report", "web")


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_source_file_is_over_500_lines():
    offenders = [
        f"{path.relative_to(SRC)}:1 has {n} lines"
        for path in sorted(SRC.rglob("*.py"))
        if (n := _lines(path)) > MAX_FILE_LINES
    ]
    assert offenders == [], f"files over {MAX_FILE_LINES} lines: " + "; ".join(offenders)


def _long_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):  # methods and nested functions too
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            n = (node.end_lineno or node.lineno) - node.lineno + 1
            if n > MAX_FUNCTION_LINES:
                found.append(f"{path.relative_to(SRC)}:{node.lineno} {node.name}() has {n} lines")
    return found


def test_no_function_in_report_or_web_is_over_80_lines():
    offenders = [
        hit
        for folder in FUNCTION_FOLDERS
        for path in sorted((SRC / folder).rglob("*.py"))
        for hit in _long_functions(path)
    ]
    assert offenders == [], f"functions over {MAX_FUNCTION_LINES} lines: " + "; ".join(offenders)
