"""The JSON API under /api/v1/, in process, on a store with one evaluation run."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def get_ok(client: TestClient, url: str, **params) -> dict:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["ok"] is True
    return body


def test_index_lists_every_route(client: TestClient) -> None:
    routes = get_ok(client, "/api/v1/")["data"]["routes"]
    for path in (
        "/api/v1/cities",
        "/api/v1/cities/{code}",
        "/api/v1/parks",
        "/api/v1/parks/{park_id}",
        "/api/v1/enterprises",
        "/api/v1/framework",
        "/api/v1/runs",
        "/api/v1/rankings",
        "/api/v1/compare",
    ):
        assert path in routes


def test_openapi_schema_describes_the_api(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    rankings = schema["paths"]["/api/v1/rankings"]["get"]
    assert {p["name"] for p in rankings["parameters"]} == {
        "weights",
        "normalisation",
        "weighting",
        "aggregation",
    }
    assert "422" in rankings["responses"] and "400" in rankings["responses"]
    # no page route leaks into the API schema
    assert all(path.startswith("/api/v1/") for path in schema["paths"])


def test_cities(client: TestClient) -> None:
    data = get_ok(client, "/api/v1/cities")["data"]
    assert [c["code"] for c in data] == ["110000", "310000", "330100", "440300", "510100"]
    assert data[0]["name_en"] == "Beijing"


def test_city_detail_carries_sources_parks_and_evaluation(client: TestClient) -> None:
    data = get_ok(client, "/api/v1/cities/440300")["data"]
    assert data["name_zh"] == "深圳"
    assert [p["park_id"] for p in data["parks"]] == ["sz-ns"]
    rd = next(o for o in data["observations"] if o["indicator"] == "rd_intensity")
    assert rd["value"] == 7.5 and rd["source_url"] == "https://example.gov.cn/a"
    evaluation = data["evaluation"]
    assert evaluation["run_id"] == "run-web-1"
    assert evaluation["rank"] == 1 and evaluation["n_units"] == 5
    assert [d["code"] for d in evaluation["dimensions"]] == ["IND", "INN"]
    # strengths, weaknesses and the verdict come from aicity.profiles
    assert [p["code"] for p in evaluation["strengths"]] == ["rd_intensity"]  # first of 5 on R&D
    assert evaluation["strengths"][0]["rank"] == 1 and evaluation["strengths"][0]["value"] == 7.5
    assert "深圳" in evaluation["verdict_zh"] and "Shenzhen" in evaluation["verdict_en"]
    assert (
        "ranked 1 of 5" in evaluation["verdict_en"]
    )  # the verdict speaks of the index, not a dimension
    assert evaluation["observed_share"] == 1.0 and evaluation["ranked"] is True
    assert set(evaluation["coverage"]) == {"real", "total", "by_dimension"}


def test_parks_and_park_detail(client: TestClient) -> None:
    assert len(get_ok(client, "/api/v1/parks")["data"]) == 3
    assert [p["park_id"] for p in get_ok(client, "/api/v1/parks", city="310000")["data"]] == [
        "sh-zj"
    ]
    park = get_ok(client, "/api/v1/parks/sz-ns")["data"]
    assert park["n_enterprises"] == 2
    assert {e["enterprise_id"] for e in park["enterprises"]} == {"dji", "xss"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"baidu", "zhipu", "sensetime", "iflytek", "dji", "xss"}),
        ({"q": "大模型"}, {"baidu", "zhipu"}),
        ({"q": "zhipu"}, {"zhipu"}),  # case-insensitive
        ({"city": "110000"}, {"baidu", "zhipu"}),
        ({"park": "sz-ns"}, {"dji", "xss"}),
        ({"layer": "application"}, {"iflytek", "dji"}),
        ({"segment": "large_models", "city": "110000"}, {"baidu", "zhipu"}),
        ({"synthetic": "false", "park": "sz-ns"}, {"dji"}),
    ],
)
def test_enterprise_filters(client: TestClient, params: dict, expected: set[str]) -> None:
    body = get_ok(client, "/api/v1/enterprises", **params)
    assert {e["enterprise_id"] for e in body["data"]} == expected
    assert body["total"] == len(expected)


def test_enterprise_pagination(client: TestClient) -> None:
    pages = [get_ok(client, "/api/v1/enterprises", size=4, page=p) for p in (1, 2, 3)]
    assert [len(p["data"]) for p in pages] == [4, 2, 0]
    assert pages[0]["pages"] == 2 and pages[0]["total"] == 6
    ids = [e["enterprise_id"] for p in pages for e in p["data"]]
    assert len(ids) == len(set(ids)) == 6


def test_framework_and_runs(client: TestClient) -> None:
    framework = get_ok(client, "/api/v1/framework")["data"]
    assert framework["root"] == "AI"
    assert [(d["code"], d["weight"]) for d in framework["dimensions"]] == [
        ("IND", 0.5),
        ("INN", 0.5),
    ]
    assert framework["methods"] == {
        "normalisation": "minmax",
        "weighting": "nominal",
        "aggregation": "arithmetic_mean",
    }
    runs = get_ok(client, "/api/v1/runs")["data"]
    assert [r["run_id"] for r in runs] == ["run-web-1"]


def test_rankings_default_and_reweighted(client: TestClient) -> None:
    base = get_ok(client, "/api/v1/rankings")
    assert base["weights"] == {"IND": 0.5, "INN": 0.5}
    assert [r["rank"] for r in base["data"]] == [1, 2, 3, 4, 5]
    assert base["data"][0]["rank_low"] == 1.0 and base["data"][0]["rank_high"] == 2.0
    assert base["data"][0]["unit_key"] == "440300"  # Shenzhen leads with equal weights
    industry = get_ok(client, "/api/v1/rankings", weights="IND:100,INN:0")
    assert industry["weights"] == {"IND": 1.0, "INN": 0.0}
    leader = industry["data"][0]
    assert (
        leader["unit_key"] == "110000"
        and leader["baseline_rank"] == 2
        and leader["rank_change"] == 1
    )


def test_rankings_with_methods(client: TestClient) -> None:
    body = get_ok(
        client,
        "/api/v1/rankings",
        normalisation="rank",
        weighting="equal",
        aggregation="topsis",
        weights="IND:30",
    )
    assert (body["normalisation"], body["weighting"], body["aggregation"]) == (
        "rank",
        "equal",
        "topsis",
    )
    assert body["weights"]["IND"] == pytest.approx(30 / 80)
    assert sorted(r["rank"] for r in body["data"]) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("weights", "status", "fragment"),
    [
        # malformed text is refused by the schema (422) ...
        ("IND", 422, "query.weights"),
        ("IND:x", 422, "query.weights"),
        ("IND:inf", 422, "query.weights"),
        ("IND:-1", 422, "query.weights"),
        (",".join(f"D{i}:1" for i in range(65)), 422, "query.weights"),
        # ... well-formed weights that do not fit the stored run are a 400
        ("IND:1,IND:2", 400, "twice"),
        ("FOO:1", 400, "unknown dimension"),
        ("IND:101", 400, "between 0 and 100"),
        ("IND:0,INN:0", 400, "above 0"),
    ],
)
def test_rankings_reject_bad_weights(
    client: TestClient, weights: str, status: int, fragment: str
) -> None:
    response = client.get("/api/v1/rankings", params={"weights": weights})
    assert response.status_code == status
    body = response.json()
    assert body["ok"] is False and body["status"] == status and fragment in body["error"]


def test_weights_text_parser_explains_each_problem() -> None:
    from aicity.web.errors import BadRequest
    from aicity.web.routes.api import parse_weights_text

    assert parse_weights_text("IND:60, INN:40", 64) == {"IND": 60.0, "INN": 40.0}
    assert parse_weights_text(None, 64) == {}
    for text, fragment in (
        ("IND", "CODE:NUMBER"),
        ("IND:x", "needs a number"),
        ("IND:inf", "finite"),
        ("A:1,B:1,C:1", "at most 2"),
    ):
        with pytest.raises(BadRequest, match=fragment):
            parse_weights_text(text, 2)


def test_rankings_reject_impossible_method_combinations(client: TestClient) -> None:
    response = client.get(
        "/api/v1/rankings", params={"normalisation": "zscore", "aggregation": "geometric_mean"}
    )
    assert response.status_code == 400
    assert "geometric_mean needs values > 0" in response.json()["error"]


def test_compare(client: TestClient) -> None:
    data = get_ok(client, "/api/v1/compare", cities="110000,440300")["data"]
    assert [c["code"] for c in data] == ["110000", "440300"]
    assert (
        data[0]["evaluation"]["rank"] == 2
        and data[0]["n_parks"] == 1
        and data[1]["n_enterprises"] == 2
    )
    assert "cells" not in data[0]["evaluation"]
    response = client.get("/api/v1/compare", params={"cities": "110000,999999"})
    assert response.status_code == 404


def test_default_page_size_comes_from_the_settings(run_store) -> None:
    from aicity.web import WebSettings, create_app

    small = TestClient(create_app(run_store, WebSettings(default_page_size=2, warm_up=False)))
    body = small.get("/api/v1/enterprises").json()
    assert body["size"] == 2 and len(body["data"]) == 2 and body["pages"] == 3
