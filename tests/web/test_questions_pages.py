"""The explorer answers the users' questions on the bundled example: 补链招商 on the city page, the panel
template among the downloads, the change against the previous evaluation year on the methodology page."""

from __future__ import annotations

import io

import openpyxl
import pytest
from fastapi.testclient import TestClient

from aicity.web import WebSettings, create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> TestClient:
    from aicity.workflows.classification import classify
    from aicity.workflows.demo import build_demo
    from aicity.workflows.evaluate import evaluate

    run = build_demo(tmp_path_factory.mktemp("questions"))
    classify(run.store, method="rules")
    evaluate(run.store, year=2023, alternatives=())
    evaluate(run.store, year=2024, alternatives=())
    yield TestClient(create_app(run.store, WebSettings()), raise_server_exceptions=False)
    run.store.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_city_page_loads_its_targets_and_never_names_a_local_firm(client, lang):
    page = client.get(f"/cities/330100?lang={lang}").text
    assert 'hx-get="/fragments/cities/330100/targets' in page
    fragment = client.get(f"/fragments/cities/330100/targets?lang={lang}")
    assert fragment.status_code == 200
    text = fragment.text
    assert 'id="targets-table"' in text
    # the bundled firms are a sample: the answer says it is illustrative
    assert ("示意" in text) if lang == "zh" else ("illustrative" in text.lower())
    local = {
        e["name"] for e in client.get("/api/v1/enterprises?city=330100&size=200").json()["data"]
    }
    assert local and not any(name in text for name in local)


def test_the_panel_template_is_offered_for_download(client):
    assert 'id="dl-template"' in client.get("/downloads").text
    response = client.get("/downloads/template.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert {"observations", "indicators", "weights"} <= set(book.sheetnames)


def test_the_methodology_page_compares_with_the_previous_year(client):
    page = client.get("/methodology?lang=en").text
    assert 'id="yearly-table"' in page and "Against the previous evaluation year" in page
    assert page.count("<tr data-unit=") >= 20
