"""CLI test fixtures: the bundled example evaluated through the CLI, once per module that asks for it."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import run_ok


@pytest.fixture(scope="module")
def evaluated_example(tmp_path_factory) -> Path:
    """A store of the bundled example, firms classified by the rules, cities evaluated for 2023."""
    out = tmp_path_factory.mktemp("example")
    run_ok(["demo", "--out", str(out), "--store-only"])
    db = out / "aicity.duckdb"
    run_ok(["classify", "--db", str(db), "--method", "rules"])
    run_ok(["evaluate", "--db", str(db), "--year", "2023", "--top", "0"])
    return db
