"""`aicity report` and `aicity map china` in-process, on an evaluated example store."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from aicity.cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    from aicity.workflows.demo import build_demo
    from aicity.workflows.evaluate import evaluate

    out = tmp_path_factory.mktemp("demo")
    run = build_demo(out)
    evaluate(run.store, year=2023)
    run.store.close()
    return out / "aicity.duckdb"


def test_report_html_and_excel_in_english(db, tmp_path):
    result = runner.invoke(
        app,
        [
            "report",
            "--db",
            str(db),
            "--lang",
            "en",
            "--format",
            "html,xlsx",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    html = (tmp_path / "report_en_html" / "index.html").read_text(encoding="utf-8")
    assert "City profiles" in html and "Beijing" in html
    assert (tmp_path / "report_en.xlsx").stat().st_size > 0


def test_report_rejects_unknown_format(db, tmp_path):
    result = runner.invoke(
        app, ["report", "--db", str(db), "--format", "docx", "--out", str(tmp_path)]
    )
    assert result.exit_code != 0
    assert "formats must be among" in str(result.exception or result.output)


@pytest.mark.parametrize("name", ["map.png", "map.html"])
def test_map_china(db, tmp_path, name):
    out = tmp_path / name
    result = runner.invoke(app, ["map", "china", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "21 cities" in result.output and out.stat().st_size > 10_000
    if name.endswith(".html"):
        assert "cdn.plot.ly" not in out.read_text(encoding="utf-8")
