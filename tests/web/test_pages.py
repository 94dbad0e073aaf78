"""Server-rendered pages, in process: every page in both languages, the live ranking fragment, downloads."""

from __future__ import annotations

import io
import json
import re
from html import unescape

import pandas as pd
import pytest
from fastapi.testclient import TestClient

PAGES = [
    "/",
    "/cities/440300",
    "/parks",
    "/parks/bj-zgc",
    "/compare?c=110000&c=440300",
    "/compare",
    "/enterprises",
    "/methodology",
    "/sources",
    "/downloads",
]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize(
    ("lang", "marker", "switch"), [("zh", 'lang="zh-CN"', "English"), ("en", 'lang="en"', "中文")]
)
def test_every_page_renders_in_both_languages_with_a_switch(
    client: TestClient, url: str, lang: str, marker: str, switch: str
) -> None:
    sep = "&" if "?" in url else "?"
    response = client.get(f"{url}{sep}lang={lang}")
    assert response.status_code == 200
    html = response.text
    assert marker in html
    link = re.search(
        r'<a class="lang-switch" id="lang-switch" href="([^"]+)"[^>]*>([^<]+)</a>', html
    )
    assert link is not None and link.group(2) == switch
    other = "en" if lang == "zh" else "zh"
    assert f"lang={other}" in link.group(1)
    assert response.cookies.get("lang") == lang  # the choice sticks for the next pages


def test_language_cookie_is_remembered(client: TestClient) -> None:
    client.cookies.set("lang", "en")
    assert 'lang="en"' in client.get("/parks").text
    assert "Zhangjiang AI Island" in client.get("/parks").text


def test_overview_has_sliders_methods_table_and_figures(client: TestClient) -> None:
    html = client.get("/?lang=en").text
    assert 'name="w_IND"' in html and 'name="w_INN"' in html
    assert 'value="50"' in html  # equal default shares
    for select in ("normalisation", "weighting", "aggregation"):
        assert f'name="{select}"' in html
    assert 'data-figure="bar-chart"' in html and 'data-figure="map-chart"' in html
    rows = re.findall(r'<tr data-unit="(\d+)">', html)
    assert rows[:2] == ["440300", "110000"]
    assert 'id="reset" href="/?lang=en"' in html
    assert "/assets/plotly.min.js" in html and "/static/vendor/htmx.min.js" in html


def test_shared_url_reproduces_the_settings(client: TestClient) -> None:
    html = client.get("/?w_IND=100&w_INN=0&lang=en").text
    rows = re.findall(r'<tr data-unit="(\d+)">', html)
    assert rows[0] == "110000"
    assert 'name="w_IND" min="0" max="100" step="1" value="100"' in html
    api_style = client.get("/?weights=IND:100,INN:0").text
    assert re.findall(r'<tr data-unit="(\d+)">', api_style)[0] == "110000"


def test_ranking_fragment_recomputes_and_updates_the_url(client: TestClient) -> None:
    response = client.get(
        "/fragments/ranking",
        params={
            "w_IND": "100",
            "w_INN": "0",
            "manual": "1",
            "normalisation": "minmax",
            "lang": "en",
        },
    )
    assert response.status_code == 200
    assert response.headers["HX-Replace-Url"].startswith("/?")
    assert "w_IND=100" in response.headers["HX-Replace-Url"]
    assert "manual" not in response.headers["HX-Replace-Url"]
    html = response.text
    assert "<html" not in html  # a fragment, not a page
    assert re.findall(r'<tr data-unit="(\d+)">', html)[0] == "110000"
    attribute = re.search(r'<div id="ranking-data" hidden data-chart="([^"]*)"', html).group(1)
    data = json.loads(unescape(attribute))
    assert data["bar"]["y"][-1] == "Beijing"  # bars run bottom-up: the leader last
    assert len(data["map"]["color"]) == len(data["map"]["size"]) == 5
    assert max(data["map"]["color"]) == 100.0  # Beijing, first on industry
    assert 'id="share-link" hx-swap-oob="true"' in html


def test_changing_the_weighting_method_resets_the_sliders(client: TestClient) -> None:
    html = client.get(
        "/fragments/ranking",
        params={"w_IND": "90", "w_INN": "10", "manual": "0", "weighting": "equal"},
    ).text
    assert 'id="sliders" hx-swap-oob="true"' in html
    assert 'name="w_IND" min="0" max="100" step="1" value="50"' in html
    assert (
        "w_IND"
        not in client.get("/fragments/ranking", params={"w_IND": "90", "manual": "0"}).headers[
            "HX-Replace-Url"
        ]
    )


def test_bad_slider_values_are_a_400_page(client: TestClient) -> None:
    response = client.get("/?w_IND=abc", headers={"accept": "text/html"})
    assert response.status_code == 400
    assert "weight of IND: a number expected" in response.text
    assert client.get("/?w_IND=500").status_code == 400
    assert client.get("/?normalisation=magic").status_code == 400


def test_city_page_has_profile_radar_parks_industry_map_and_sources(client: TestClient) -> None:
    html = client.get("/cities/440300?lang=zh").text
    assert '<h1 id="city-name">深圳</h1>' in html
    assert 'id="city-rank">1 / 5<' in html
    assert 'data-figure="radar-chart"' in html
    assert 'id="verdict"' in html and "R&amp;D经费投入强度: 排名 1/5" in html
    assert 'href="/parks/sz-ns"' in html
    assert "应用层" in html and "大疆 DJI" in html  # industry map: layer then firm tile
    assert "https://example.gov.cn/a" in html  # the source of the R&D figure


def test_park_page(client: TestClient) -> None:
    html = client.get("/parks/sz-ns?lang=en").text
    assert '<h1 id="park-name">Nanshan park</h1>' in html
    assert "大疆 DJI" in html and 'href="/cities/440300"' in html


def test_compare_page(client: TestClient) -> None:
    html = client.get("/compare?c=110000&c=440300&lang=en").text
    assert 'id="compare-table"' in html and 'data-figure="radar-chart"' in html
    assert html.count('type="checkbox" name="c"') == 5
    assert client.get("/compare?c=110000&c=310000&c=440300&c=330100&c=510100").status_code == 400
    assert client.get("/compare?c=999999&c=110000").status_code == 404


def test_enterprise_search_page_paginates(client: TestClient) -> None:
    first = client.get("/enterprises?size=4&lang=en").text
    assert 'id="ent-total">6 results' in first
    assert 'id="ent-next"' in first and 'id="ent-prev"' not in first
    second = client.get("/enterprises?size=4&page=2&lang=en").text
    assert 'id="ent-prev"' in second and "Page 2 of 2" in second
    filtered = client.get("/enterprises?layer=application&city=&park=&segment=&q=").text
    assert "科大讯飞 iFlytek" in filtered and "百度 Baidu" not in filtered


def test_method_selectors_speak_the_readers_language(client: TestClient) -> None:
    zh = client.get("/?lang=zh").text
    assert (
        ">最小-最大标准化</option>" in zh
        and ">熵权法</option>" in zh
        and ">几何平均</option>" in zh
    )
    assert ">minmax</option>" not in zh and ">arithmetic_mean</option>" not in zh
    assert 'id="note-aggregation"' in zh and "短板" in zh
    en = client.get("/?lang=en").text
    assert ">Min-max</option>" in en and ">Entropy weights</option>" in en
    assert 'value="minmax"' in en  # the codes stay the values a link carries


def test_methodology_and_sources_pages(client: TestClient) -> None:
    method = client.get("/methodology?lang=en").text
    assert "run-web-1" in method and "R&amp;D intensity" in method and "Min-max" in method
    assert "最小-最大标准化" in client.get("/methodology?lang=zh").text
    sources = client.get("/sources?lang=en").text
    assert 'id="gaps-table"' in sources
    # the run's coverage table: one status per indicator x city, with its legend
    assert 'id="coverage-table"' in sources and 'data-status="real"' in sources
    assert "indicator left out" in sources or "real, stale" in sources
    # ai_enterprises has no value for Chengdu: it is named as a gap
    gap_row = re.search(r"<tr><td>AI enterprises.*?</tr>", sources, re.S).group(0)
    assert "4 / 5" in gap_row and "Chengdu" in gap_row


def test_downloads(client: TestClient) -> None:
    html = client.get("/downloads").text
    for name in ("cities", "enterprises", "ranking", "dimension_scores", "cells"):
        assert f'href="/downloads/{name}.csv"' in html
    csv = client.get("/downloads/ranking.csv")
    assert csv.headers["content-disposition"] == 'attachment; filename="ranking.csv"'
    assert csv.content.startswith("\ufeff".encode())
    frame = pd.read_csv(io.BytesIO(csv.content), encoding="utf-8-sig", dtype={"unit_key": str})
    assert list(frame["unit_key"])[:2] == ["440300", "110000"]
    xlsx = client.get("/downloads/aicity.xlsx")
    sheets = pd.read_excel(io.BytesIO(xlsx.content), sheet_name=None, engine="openpyxl")
    assert {"cities", "enterprises", "ranking"} <= set(sheets)
    assert client.get("/downloads/nothing.csv").status_code == 404
    assert client.get("/downloads/report.pdf").status_code == 404


def test_report_pdf_is_served_from_the_reports_folder(run_store, tmp_path) -> None:
    from aicity.web import WebSettings, create_app

    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.7 test")
    client = TestClient(create_app(run_store, WebSettings(report_dir=str(tmp_path), warm_up=False)))
    assert 'id="dl-report"' in client.get("/downloads").text
    response = client.get("/downloads/report.pdf")
    assert response.status_code == 200 and response.content == b"%PDF-1.7 test"


def test_assets_come_from_installed_packages(client: TestClient) -> None:
    plotly_js = client.get("/assets/plotly.min.js")
    assert plotly_js.status_code == 200 and len(plotly_js.content) > 1_000_000
    assert plotly_js.headers["content-type"].startswith("text/javascript")
    font = client.get("/assets/NotoSansSC-Regular.otf")
    assert font.status_code == 200 and font.content[:4] == b"OTTO"
    htmx = client.get("/static/vendor/htmx.min.js")
    assert htmx.status_code == 200 and b"htmx" in htmx.content[:2000]


def test_overview_without_an_evaluation_explains_what_to_run(core_client: TestClient) -> None:
    html = core_client.get("/?lang=en").text
    assert 'id="no-run"' in html and "aicity demo" in html


def test_htmx_requests_get_the_json_envelope_on_errors(client: TestClient) -> None:
    response = client.get(
        "/fragments/ranking",
        params={"normalisation": "zscore", "aggregation": "geometric_mean"},
        headers={"HX-Request": "true", "accept": "text/html"},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and "geometric_mean needs values > 0" in body["error"]
