"""`aicity ingest`, `aicity demo` and `aicity info` in-process, with their exit codes and messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from aicity.cli._common import handle_errors
from aicity.cli.main import app
from aicity.store import Store, observations

runner = CliRunner()


def _exit_code(args: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    """Run through the same error mapping as the console script (one-line errors, exit codes)."""
    monkeypatch.setattr("sys.argv", ["aicity", *args])
    return handle_errors(app)


def test_ingest_ok_then_unchanged(tmp_path: Path) -> None:
    data = tmp_path / "o.csv"
    data.write_text("city,indicator,value,year\n北京,gdp,43760.7,2023\n", encoding="utf-8")
    db = tmp_path / "s.duckdb"
    first = runner.invoke(app, ["ingest", str(data), "--table", "observations", "--db", str(db)])
    assert first.exit_code == 0, first.output
    assert "1 accepted, 0 rejected" in first.output
    second = runner.invoke(app, ["ingest", str(data), "--table", "observations", "--db", str(db)])
    assert second.exit_code == 0 and "unchanged" in second.output


def test_row_problems_exit_3_and_strict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "o.csv"
    data.write_text("city,indicator,value\n北京,gdp,1\nAtlantis,gdp,2\n", encoding="utf-8")
    db = tmp_path / "s.duckdb"
    strict = _exit_code(
        ["ingest", str(data), "-t", "observations", "--db", str(db), "--strict"], monkeypatch
    )
    assert strict == 3
    assert "nothing written (--strict)" in capsys.readouterr().err
    with Store.open(db) as store:
        assert observations(store).empty
    code = _exit_code(["ingest", str(data), "-t", "observations", "--db", str(db)], monkeypatch)
    out = capsys.readouterr()
    assert code == 3
    assert "1 rows rejected" in out.err and "unknown city 'Atlantis'" in out.err
    with Store.open(db) as store:
        assert len(observations(store)) == 1
    # the same file again: nothing added, and the earlier rejection is still reported (exit 3)
    again = _exit_code(["ingest", str(data), "-t", "observations", "--db", str(db)], monkeypatch)
    out = capsys.readouterr()
    assert again == 3 and "unchanged" in out.out and "1 rows were rejected then" in out.out


def test_file_problems_exit_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "o.csv"
    data.write_text("city,value\n北京,1\n", encoding="utf-8")
    code = _exit_code(
        ["ingest", str(data), "-t", "observations", "--db", str(tmp_path / "s.duckdb")], monkeypatch
    )
    err = capsys.readouterr().err
    assert code == 2
    assert (
        err.count("\n") == 1 and "missing required column 'indicator'" in err and str(data) in err
    )
    assert "Traceback" not in err


def test_markup_in_data_is_shown_literally(tmp_path: Path) -> None:
    data = tmp_path / "o.csv"
    data.write_text("city,indicator,value\n[bold]北京[/bold],gdp,1\n", encoding="utf-8")
    result = runner.invoke(
        app, ["ingest", str(data), "-t", "observations", "--db", str(tmp_path / "s.duckdb")]
    )
    assert "[bold]北京[/bold]" in result.output


@pytest.mark.slow  # the demo grows with the pipeline (later issues append steps)
def test_demo_and_info(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "aicity.duckdb").exists() and (out / "coverage.csv").exists()
    assert "coverage" in result.output and "北京" in result.output
    with Store.open(out / "aicity.duckdb", read_only=True) as store:
        counts = store.table_counts()
        assert counts["cities"] == 21 and counts["parks"] == 38 and counts["enterprises"] == 77
        assert counts["rejected_rows"] == 0
        obs = observations(store)
    obs = obs[obs["file"].astype("string").str.startswith("example/").fillna(False)]
    assert set(obs["kind"]) == {"actual", "estimate", "plan_target"}
    assert (~obs["verified"]).sum() >= 7
    assert obs["unit_type"].value_counts()["nation"] == 14
    info = runner.invoke(app, ["info", "--db", str(out / "aicity.duckdb")])
    assert info.exit_code == 0, info.output
    assert (
        "observations" in info.output
        and "sources" in info.output
        and "rejected rows: 0" in info.output
    )


def test_info_on_missing_store_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _exit_code(["info", "--db", str(tmp_path / "none.duckdb")], monkeypatch) == 2
    assert "no store found" in capsys.readouterr().err


def test_info_lists_rejected_rows(tmp_path: Path) -> None:
    data = tmp_path / "o.csv"
    data.write_text(
        "city,indicator,value,year\n北京,gdp,1,2023\n北京,gdp,abc,2022\n", encoding="utf-8"
    )
    db = tmp_path / "s.duckdb"
    runner.invoke(app, ["ingest", str(data), "-t", "observations", "--db", str(db)])
    result = runner.invoke(app, ["info", "--db", str(db), "--rejected"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "rejected rows: 1" in result.output and "expected a number" in result.output
    assert "2023-2023" in result.output and "schema version" in result.output
