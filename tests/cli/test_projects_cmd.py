"""`aicity ingest --table projects` and `aicity projects` in process: amounts in 亿元, kinds apart."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from aicity.cli.main import app
from aicity.errors import InputError, RowProblems

runner = CliRunner()

PROJECTS = (
    "项目名称,城市,类型,投资额（万元）,阶段,年份,来源\n"
    "智算中心,合肥,算力中心,500000,在建,2024,https://example.gov.cn/a\n"
    "签约项目,合肥,产业项目,30000,签约,2025,https://example.com/b\n"
    "坏行,合肥,工厂,1,在建,2024,https://example.com/c\n"
)


def _store(tmp_path: Path) -> Path:
    path = tmp_path / "projects.csv"
    path.write_text(PROJECTS, encoding="utf-8")
    db = tmp_path / "s.duckdb"
    result = runner.invoke(app, ["ingest", str(path), "--table", "projects", "--db", str(db)])
    assert isinstance(result.exception, RowProblems)  # exit 3: one row rejected
    assert "│ 4   │ kind" in result.output and "工厂" in result.output
    return db


def test_projects_per_city_keep_planned_and_signed_apart(tmp_path: Path) -> None:
    db = _store(tmp_path)
    result = runner.invoke(app, ["projects", "--db", str(db)])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "合肥" in line)
    assert "50.00" in row and "3.00" in row  # 500000 万元 planned, 30000 万元 signed


def test_one_city_lists_its_projects_with_sources(tmp_path: Path) -> None:
    db = _store(tmp_path)
    result = runner.invoke(
        app, ["projects", "--city", "Hefei", "--lang", "en", "--db", str(db), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert '"amount_en": "50 亿元 (planned)"' in result.output
    assert "https://example.gov.cn/a" in result.output
    missing = runner.invoke(app, ["projects", "--city", "北京", "--db", str(db)])
    assert isinstance(missing.exception, InputError) and missing.exception.exit_code == 2
    assert "unknown city" in str(missing.exception)
