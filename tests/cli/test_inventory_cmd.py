"""`aicity inventory` in-process (DuckDB; the Spark engine is tested in tests/inventory)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from aicity.cli._common import handle_errors
from aicity.cli.main import app
from aicity.store import Store
from aicity.store import inventory as sinv

runner = CliRunner()


def test_inventory_writes_observations_and_lists_runs(tmp_path: Path):
    db, out = tmp_path / "s.duckdb", tmp_path / "f.parquet"
    assert (
        runner.invoke(
            app, ["synth", "enterprises", "--rows", "300", "--out", str(out), "--into-db", str(db)]
        ).exit_code
        == 0
    )
    assert runner.invoke(app, ["classify", "--db", str(db), "--method", "rules"]).exit_code == 0
    result = runner.invoke(app, ["inventory", "--db", str(db), "--year", "2025"])
    assert result.exit_code == 0, result.output
    assert "inventory run 2 (duckdb) from classify run 1: 300 firms" in result.output
    assert "anchor firms: size >=" in result.output
    text = " ".join(result.output.split())
    assert "left out of every indicator: 0 not AI firms," in text and " unclassified" in text
    # a person reads city names; codes only on request
    assert "北京" in result.output and "110000" not in result.output
    assert "sample-kind" not in result.output  # a (synthetic) registry: no illustrative warning
    with Store.open(db, read_only=True) as store:
        obs = sinv.derived_observations(store)
    assert len(obs) > 500 and obs["note"].eq("derived from inventory run 2").all()
    # a synthetic registry stands for a registry export: its counts carry no sample mark
    with Store.open(db, read_only=True) as store:
        assert sinv.coverage_counts(store) == {"registry": 300}
    listed = runner.invoke(app, ["inventory", "--db", str(db), "--list"])
    assert listed.exit_code == 0, listed.output
    assert "run 1: classify (rules), 300 firms" in listed.output
    assert "run 2: inventory (duckdb), 300 firms" in listed.output
    coded = runner.invoke(app, ["inventory", "--db", str(db), "--year", "2025", "--codes"])
    assert coded.exit_code == 0 and "110000" in coded.output


def test_empty_store_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    db = tmp_path / "e.duckdb"
    Store.open(db).close()  # an existing store with no firms (a missing store is another error)
    monkeypatch.setattr("sys.argv", ["aicity", "inventory", "--db", str(db)])
    assert handle_errors(app) == 2
    err = capsys.readouterr().err
    assert "the store has no enterprises to inventory" in err and "Traceback" not in err
