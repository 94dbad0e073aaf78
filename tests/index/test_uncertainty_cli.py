"""``aicity index uncertainty`` in-process: files written, same seed same output, errors as one line."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from aicity.cli._common import handle_errors
from aicity.cli.main import app

from .asem_case import ASEM_RECIPE, ASEM_SPEC

RECIPE = {"steps": [{name: params} for name, params in ASEM_RECIPE]}
SPEC = ASEM_SPEC


@pytest.fixture
def files(tmp_path: Path, coinr_asem: Path) -> dict[str, Path]:
    (tmp_path / "recipe.yaml").write_text(yaml.safe_dump(RECIPE), encoding="utf-8")
    (tmp_path / "ua.yaml").write_text(yaml.safe_dump(SPEC), encoding="utf-8")
    return {
        "meta": coinr_asem / "input_iMeta.csv",
        "data": coinr_asem / "input_iData.csv",
        "recipe": tmp_path / "recipe.yaml",
        "spec": tmp_path / "ua.yaml",
    }


def _run(files: dict[str, Path], out: Path, *extra: str):
    args = [
        "index",
        "uncertainty",
        "--meta",
        str(files["meta"]),
        "--data",
        str(files["data"]),
        "--recipe",
        str(files["recipe"]),
        "--spec",
        str(files["spec"]),
        "--n",
        "300",
        "--seed",
        "7",
        "--out",
        str(out),
        *extra,
    ]
    return CliRunner().invoke(app, args, catch_exceptions=False)


def test_writes_every_table_and_repeats_with_the_same_seed(
    files: dict[str, Path], tmp_path: Path
) -> None:
    first = _run(files, tmp_path / "a", "--sobol", "--sobol-n", "64")
    assert first.exit_code == 0, first.output
    assert "300 replications" in first.output
    stats = pd.read_csv(tmp_path / "a" / "rank_stats.csv")
    assert list(stats.columns) == ["uCode", "nominal", "mean", "median", "q05", "q95"]
    assert len(stats) == 51
    sens = pd.read_csv(tmp_path / "a" / "sensitivity.csv")
    assert list(sens.columns) == ["assumption", "S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi"]
    assert sens["assumption"].tolist() == [
        "treat.winmax",
        "normalise",
        "weights",
        "aggregate.method",
    ]
    assert not (tmp_path / "a" / "samples.csv").exists()
    samples = pd.read_parquet(tmp_path / "a" / "samples.parquet")
    assert len(samples) == 300 and "aggregate.method" in samples.columns
    assert samples["replication"].tolist() == list(range(1, 301))
    probs = pd.read_csv(tmp_path / "a" / "rank_probabilities.csv")
    assert {"top_1", "top_10", "rank_1", "rank_51"} <= set(probs.columns)
    assert len(pd.read_csv(tmp_path / "a" / "score_stats.csv")) == 51

    second = _run(files, tmp_path / "b", "--sobol", "--sobol-n", "64")
    assert second.exit_code == 0, second.output
    for name in (
        "rank_stats.csv",
        "rank_probabilities.csv",
        "score_stats.csv",
        "samples.parquet",
        "sensitivity.csv",
    ):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_bad_spec_is_one_line_and_non_zero(
    files: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        yaml.safe_dump({"assumptions": [{"path": "weights", "noise": 2, "levels": [2]}]}),
        encoding="utf-8",
    )
    argv = [
        "aicity",
        "index",
        "uncertainty",
        "--meta",
        str(files["meta"]),
        "--data",
        str(files["data"]),
        "--spec",
        str(bad),
        "--out",
        str(tmp_path / "x"),
    ]
    monkeypatch.setattr(sys, "argv", argv)
    assert handle_errors(app) == 2
    err = capsys.readouterr().err.strip()
    # the console wraps long lines at its width; the message itself is a single line
    assert err.startswith("error: ")
    expected = "bad.yaml -> assumptions[0]: noise: Input should be less than 1 (got 2)"
    assert "".join(expected.split()) in "".join(err.split())


def test_charts_are_written_offline(files: dict[str, Path], tmp_path: Path) -> None:
    result = _run(files, tmp_path / "c", "--charts")
    assert result.exit_code == 0, result.output
    png = (tmp_path / "c" / "rank_intervals.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    html = (tmp_path / "c" / "rank_intervals.html").read_text(encoding="utf-8")
    # plotly.js is embedded (the bundle mentions CDN URLs in its code, but nothing is loaded from one)
    assert '<script src="http' not in html and "CHE" in html
    assert len(html) > 1_000_000
