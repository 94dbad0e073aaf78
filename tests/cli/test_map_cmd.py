"""`aicity map industry` in-process on the bundled example's real firms."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aicity.cli._common import handle_errors
from aicity.cli.main import app
from aicity.cli.map_cmd import map_app

runner = CliRunner()
_spec = importlib.util.spec_from_file_location(
    "wf_inventory_tests_cli",
    Path(__file__).resolve().parents[1] / "workflows" / "test_inventory.py",
)
_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_mod)


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("map") / "s.duckdb"
    _mod.example_store(path).close()
    assert runner.invoke(app, ["classify", "--db", str(path), "--method", "rules"]).exit_code == 0
    assert runner.invoke(app, ["inventory", "--db", str(path), "--year", "2025"]).exit_code == 0
    return path


def test_map_industry_svg_and_html(db: Path, tmp_path: Path):
    out = tmp_path / "hz.svg"
    result = runner.invoke(
        app, ["map", "industry", "--db", str(db), "--city", "杭州", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "杭州：" in result.output and "map written" in result.output
    # the bundled firms are a sample: empty segments are not called missing links
    assert "no listed firm (a sample list: illustrative" in result.output
    assert out.exists() and out.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    html = tmp_path / "bj.html"
    result = runner.invoke(
        app,
        [
            "map",
            "industry",
            "--db",
            str(db),
            "--city",
            "Beijing",
            "--lang",
            "en",
            "--out",
            str(html),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Beijing: illustrative, drawn from 14 classified firms" in html.read_text(
        encoding="utf-8"
    )


def test_map_group_is_extensible_and_errors_are_one_line(
    db: Path, tmp_path: Path, monkeypatch, capsys
):
    assert "industry" in {c.name for c in map_app.registered_commands}
    monkeypatch.setattr(
        "sys.argv",
        [
            "aicity",
            "map",
            "industry",
            "--db",
            str(db),
            "--city",
            "Atlantis",
            "--out",
            str(tmp_path / "x.svg"),
        ],
    )
    assert handle_errors(app) == 2
    err = capsys.readouterr().err
    assert "unknown city 'Atlantis'" in err and "Traceback" not in err


def test_all_cities_one_map_each(db: Path, tmp_path: Path):
    result = runner.invoke(
        app,
        [
            "map",
            "industry",
            "--db",
            str(db),
            "--city",
            "all",
            "--out",
            str(tmp_path / "maps" / "x.svg"),
        ],
    )
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "maps").glob("industry-map-*.svg"))
    assert len(files) >= 15 and any("北京" in f.name for f in files)
    assert f"{len(files)} maps written" in result.output
