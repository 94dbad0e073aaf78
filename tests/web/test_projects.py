"""The city page and the API city detail show a city's projects, amounts apart by what they are."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from aicity.web import WebSettings, create_app
from aicity.workflows.ingest import ingest_file

from .example_store import XSS, example_store

# sources already in the example store (it sets their ids by hand, so a new one would collide)
PROJECTS = (
    "name,city,enterprise,kind,investment,unit,amount_kind,stage,year,source_url,note\n"
    "鹏城智算,深圳,华为,computing_centre,500000,万元,,under_construction,2022,"
    "https://example.gov.cn/a,总投资50亿元\n"
    f'"{XSS}",深圳,,platform,2,亿元,signed,signed,2024,javascript:alert(2),签约\n'
)


@pytest.fixture(scope="module")
def projects_client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    store = example_store(with_run=False)
    path = Path(tmp_path_factory.mktemp("projects")) / "projects.csv"
    path.write_text(PROJECTS, encoding="utf-8")
    assert ingest_file(store, path, "projects").n_accepted == 2
    return TestClient(create_app(store, WebSettings(warm_up=False)))


def test_the_api_city_detail_lists_projects_and_the_summary(projects_client: TestClient) -> None:
    data = projects_client.get("/api/v1/cities/440300").json()["data"]["projects"]
    items = {p["name"]: p for p in data["items"]}
    assert items["鹏城智算"]["investment_yi"] == 50.0
    assert items["鹏城智算"]["amount_kind"] == "planned"
    assert items["鹏城智算"]["source_url"] == "https://example.gov.cn/a"
    total = next(g for g in data["summary"] if g["dimension"] == "all")
    assert (total["planned_yi"], total["signed_yi"], total["actual_yi"]) == (50.0, 2.0, None)
    empty = projects_client.get("/api/v1/cities/110000").json()["data"]["projects"]
    assert empty["items"] == []


@pytest.mark.parametrize(
    ("lang", "heading", "planned"),
    [("zh", "项目盘点", "（计划）"), ("en", "Projects", "(planned)")],
)
def test_the_city_page_shows_the_projects_block(
    projects_client: TestClient, lang: str, heading: str, planned: str
) -> None:
    html = projects_client.get(f"/cities/440300?lang={lang}").text
    block = html[html.index('id="city-projects"') :]
    assert heading in block and "鹏城智算" in block and planned in block
    assert 'href="https://example.gov.cn/a"' in block
    assert XSS not in html and "&lt;script&gt;" in block  # escaped, never a script
    assert 'href="javascript:' not in block
    assert 'id="city-projects"' not in projects_client.get("/cities/110000").text
