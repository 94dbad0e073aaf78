"""The report's city chapter carries the city's projects: a summary with planned, signed and actual
amounts in their own columns, then each project with its source."""

from __future__ import annotations

from pathlib import Path

from aicity.report.context_cities import city_projects as _city_projects
from aicity.report.render import render_html_text
from aicity.store import Store
from aicity.workflows.ingest import ingest_file
from aicity.workflows.projects import projects_by_city

PROJECTS = (
    "项目名称,城市,类型,投资额,单位,金额口径,阶段,年份,来源,备注\n"
    "海淀智算中心,北京,算力中心,200000,万元,,在建,2024,https://example.gov.cn/hd,总投资20亿元\n"
    "亦庄平台,北京,平台,3,亿元,签约,签约,2025,https://example.com/yz,签约3亿元\n"
)


def _projects(tmp_path: Path) -> dict[str, dict]:
    store = Store.memory()
    path = tmp_path / "projects.csv"
    path.write_text(PROJECTS, encoding="utf-8")
    ingest_file(store, path, "projects")
    return projects_by_city(store)


def test_the_block_keeps_each_amount_kind_in_its_own_column(tmp_path: Path) -> None:
    block = _city_projects(_projects(tmp_path)["110000"], "en")
    assert block["header"][2:] == ["Planned (亿元)", "Signed (亿元)", "Actual (亿元)"]
    total = block["summary"][0]
    assert total[:5] == ["all projects", "2", "20.00", "3.00", "–"]
    assert {i["name"]: i["amount"] for i in block["items"]} == {
        "海淀智算中心": "20 亿元 (planned)",
        "亦庄平台": "3 亿元 (signed)",
    }
    assert _city_projects(None, "zh") is None


def test_the_city_chapter_renders_the_projects(report_data, tmp_path: Path) -> None:
    report_data.projects = _projects(tmp_path)
    html = render_html_text(report_data, "zh", "html")
    chapter = html[html.index('id="city-110000"') :]
    chapter = chapter[: chapter.index("</article>")]
    assert "项目盘点" in chapter and "海淀智算中心" in chapter and "20 亿元（计划）" in chapter
    assert 'href="https://example.gov.cn/hd"' in chapter
    other = html[html.index('id="city-310000"') :]
    assert "项目盘点" not in other[: other.index("</article>")]
