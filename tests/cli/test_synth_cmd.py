"""`aicity synth enterprises` in-process."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from aicity.cli._common import handle_errors
from aicity.cli.main import app
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
