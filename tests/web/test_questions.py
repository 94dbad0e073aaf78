"""The users' questions in the explorer and the API (issue 16): `/api/v1/site`, the overview's persona
picker (its link keeps the persona), `/api/v1/cities/{code}/targets`."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from aicity.web import WebSettings, create_app


@pytest.fixture(scope="module")
def demo_client(tmp_path_factory):
    from aicity.workflows.demo import build_demo
    from aicity.workflows.evaluate import evaluate

    demo = build_demo(tmp_path_factory.mktemp("questions"))
    evaluate(demo.store, year=2023, alternatives=())
    app = create_app(demo.store, WebSettings(warm_up=False))
    yield TestClient(app, raise_server_exceptions=False)
    demo.store.close()


def test_site_api_shape(demo_client):
    response = demo_client.get("/api/v1/site?persona=application_vendor")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    data = body["data"]
    assert data["persona"]["name"] == "application_vendor" and data["replications"] == 200
    cities = data["cities"]
    assert [c["position"] for c in cities] == list(range(1, len(cities) + 1))
    assert all(c["rank_low"] is not None for c in cities)
    removed = {r["unit_key"] for r in data["removed"]}
    assert removed and not (removed & {c["unit_key"] for c in cities})
    listed = demo_client.get("/api/v1/personas").json()["data"]
    assert [p["name"] for p in listed] == ["chip_startup", "model_company", "application_vendor"]


def test_site_api_refuses_unknown_personas_and_paths(demo_client):
    unknown = demo_client.get("/api/v1/site?persona=investor")
    assert unknown.status_code == 400 and "persona must be one of" in unknown.json()["error"]
    path = demo_client.get("/api/v1/site?persona=../etc/passwd.yaml")
    assert path.status_code == 422
    assert demo_client.get("/api/v1/site").status_code == 422


def test_the_overview_persona_picker_and_its_link(demo_client):
    page = demo_client.get("/?persona=application_vendor&lang=en")
    assert page.status_code == 200
    html = page.text
    assert 'id="persona-picker"' in html and 'name="persona"' in html
    assert '<option value="application_vendor"' in html and "selected>AI application vendor" in html
    assert 'id="persona-note"' in html and "removed by a hard filter" in html
    assert "90% rank interval (persona&#39;s weights)" in html
    table = html.split('id="ranking-table"')[1]
    assert 'data-unit="210100"' not in table  # Shenyang: GDP below the persona's 10,000
    assert 'data-unit="110000"' in table
    fragment = demo_client.get(
        "/fragments/ranking?persona=application_vendor&lang=zh&manual=0&normalisation=minmax"
    )
    assert fragment.status_code == 200
    assert "persona=application_vendor" in fragment.headers["HX-Replace-Url"]
    assert 'id="share-link"' in fragment.text and "persona=application_vendor" in fragment.text
    assert "按硬性条件剔除" in fragment.text
    plain = demo_client.get("/")
    assert 'id="persona-picker"' in plain.text and 'id="persona-note"' not in plain.text


def test_targets_api_shape(demo_client, client):
    response = demo_client.get("/api/v1/cities/330100/targets?top=2&per_segment=3")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["illustrative"] is True and data["basis"] == "sample"
    assert any("Illustrative" in n for n in data["notes_en"])
    assert any("示意" in n for n in data["notes_zh"])
    assert len(data["gaps"]) == 2
    for gap in data["gaps"]:
        assert len(gap["candidates"]) <= 3
        assert all(c["city_code"] != "330100" for c in gap["candidates"])
    assert demo_client.get("/api/v1/cities/999999/targets").status_code == 404
    assert demo_client.get("/api/v1/cities/330100/targets?per_segment=0").status_code == 422
    # the explorer's small example store: a framework without the persona's indicators
    refused = client.get("/api/v1/site?persona=chip_startup")
    assert refused.status_code == 400 and "not an indicator" in refused.json()["error"]
