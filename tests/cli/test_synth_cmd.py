"""`aicity synth enterprises` in-process."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from aicity.cli._common import handle_errors
from aicity.cli.main import app
from aicity.errors import RowProblems
from aicity.store import Store

runner = CliRunner()


def test_writes_parquet_and_appends_to_the_store(tmp_path: Path):
    out, db = tmp_path / "f.parquet", tmp_path / "s.duckdb"
    result = runner.invoke(
        app,
        [
            "synth",
            "enterprises",
            "--rows",
            "250",
            "--seed",
            "3",
            "--out",
            str(out),
            "--into-db",
            str(db),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "250 SYNTHETIC firms written" in result.output and "250 firms appended" in result.output
    frame = pd.read_parquet(out)
    assert len(frame) == 250 and frame["is_synthetic"].all()
    with Store.open(db, read_only=True) as store:
        assert store.fetch_one("SELECT count(*) FROM enterprises WHERE is_synthetic") == 250


def test_bad_output_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.setattr(
        "sys.argv",
        ["aicity", "synth", "enterprises", "--rows", "5", "--out", str(tmp_path / "f.txt")],
    )
    assert handle_errors(app) == 2
    err = capsys.readouterr().err
    assert "expected an output ending .parquet or .csv" in err and "Traceback" not in err


def test_appending_the_same_firms_twice_is_refused_and_adds_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    out, db = tmp_path / "f.parquet", tmp_path / "s.duckdb"
    args = [
        "synth",
        "enterprises",
        "--rows",
        "40",
        "--seed",
        "5",
        "--out",
        str(out),
        "--into-db",
        str(db),
    ]
    assert runner.invoke(app, args).exit_code == 0
    monkeypatch.setattr("sys.argv", ["aicity", *args])
    assert handle_errors(app) != 0
    err = capsys.readouterr().err
    assert "40 enterprise ids are already in the store" in err and "Traceback" not in err
    with Store.open(db, read_only=True) as store:
        assert store.fetch_one("SELECT count(*) FROM enterprises") == 40


def test_synth_then_ingest_round_trips(tmp_path: Path):
    """What the project writes it reads back: synth writes city_code and city, ingest takes one."""
    out, db = tmp_path / "f.parquet", tmp_path / "s.duckdb"
    made = runner.invoke(app, ["synth", "enterprises", "--rows", "300", "--out", str(out)])
    assert made.exit_code == 0, made.output
    got = runner.invoke(app, ["ingest", str(out), "--table", "enterprises", "--db", str(db)])
    assert got.exit_code == 0, got.output
    assert "300 accepted, 0 rejected" in " ".join(got.output.split())
    with Store.open(db, read_only=True) as store:
        assert store.fetch_one("SELECT count(*) FROM enterprises WHERE city_code IS NULL") == 0


def test_two_city_columns_that_disagree_reject_the_row_with_the_reason(tmp_path: Path):
    data, db = tmp_path / "f.csv", tmp_path / "s.duckdb"
    data.write_text(
        "name,city_code,city\n甲科技有限公司,110000,北京\n乙科技有限公司,110000,上海\n"
        "丙科技有限公司,,杭州\n",
        encoding="utf-8",
    )
    got = runner.invoke(app, ["ingest", str(data), "--table", "enterprises", "--db", str(db)])
    # row problems (exit 3 from the console script): accepted rows written, the rest kept aside
    assert isinstance(got.exception, RowProblems), got.output
    with Store.open(db, read_only=True) as store:
        cities = dict(store.fetch_df("SELECT name, city_code FROM enterprises").values.tolist())
        rejected = store.fetch_df("SELECT * FROM rejected_rows")
    assert cities == {"甲科技有限公司": "110000", "丙科技有限公司": "330100"}
    assert rejected["row"].tolist() == [3]
    assert rejected["reason"].tolist() == [
        "columns 'city_code' and 'city' both mean 'city' and disagree: 110000 vs 上海"
    ]
