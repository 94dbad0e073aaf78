"""API abuse: SQL-looking values in every path and query parameter, path traversal on the file routes
(encoded too), absurd weights, big bodies, wrong methods and content types. Every answer is the
documented 4xx envelope (or a normal 200), within 2 s, with no traceback, and the store is unchanged."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from aicity.web import WebSettings, create_app
from web.example_store import example_store  # tests/web: the explorer's example store with a run

SQL = ["' OR 1=1 --", "1; DROP TABLE enterprises; --", "110000' UNION SELECT * FROM sources --"]
PATH_ROUTES = [
    "/api/v1/cities/{}",
    "/api/v1/parks/{}",
    "/cities/{}",
    "/parks/{}",
    "/downloads/{}.csv",
]
QUERY_ROUTES = [
    ("/api/v1/parks", "city"),
    ("/api/v1/enterprises", "q"),
    ("/api/v1/enterprises", "city"),
    ("/api/v1/enterprises", "park"),
    ("/api/v1/enterprises", "layer"),
    ("/api/v1/enterprises", "segment"),
    ("/api/v1/enterprises", "page"),
    ("/api/v1/enterprises", "size"),
    ("/api/v1/rankings", "weights"),
    ("/api/v1/rankings", "normalisation"),
    ("/api/v1/rankings", "weighting"),
    ("/api/v1/rankings", "aggregation"),
    ("/api/v1/compare", "cities"),
    ("/enterprises", "q"),
    ("/compare", "c"),
]
TRAVERSAL = [
    "/static/../../pyproject.toml",
    "/static/..%2f..%2fpyproject.toml",
    "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%252f..%252fetc%252fpasswd",
    "/downloads/..%2f..%2fetc%2fpasswd.csv",
    "/downloads/%2e%2e%2fsources.csv",
    "/downloads/report.pdf/../../../etc/passwd",
    "/assets/..%2f..%2fpyproject.toml",
    "/static/vendor/%00htmx.min.js",
]


@pytest.fixture(scope="module")
def abuse_store():
    return example_store()


@pytest.fixture(scope="module")
def api(abuse_store) -> TestClient:
    return TestClient(
        create_app(abuse_store, WebSettings(warm_up=False)), raise_server_exceptions=False
    )


def _answer(client: TestClient, method: str, url: str, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    response = client.request(method, url, **kwargs)
    assert time.perf_counter() - start < 2, url
    assert response.status_code < 500, (url, response.status_code, response.text[:300])
    assert "Traceback" not in response.text and 'File "/' not in response.text
    if response.status_code >= 400:
        body = response.json()
        assert body["ok"] is False and body["status"] == response.status_code and body["error"]
    return response


@pytest.mark.parametrize("value", SQL)
@pytest.mark.parametrize("route", PATH_ROUTES)
def test_sql_in_path_parameters(api: TestClient, abuse_store, route: str, value: str) -> None:
    before = abuse_store.table_counts()
    response = _answer(api, "GET", route.format(value), headers={"accept": "application/json"})
    assert response.status_code in (404, 422)
    assert abuse_store.table_counts() == before


@pytest.mark.parametrize("value", SQL)
@pytest.mark.parametrize(("route", "param"), QUERY_ROUTES)
def test_sql_in_query_parameters(
    api: TestClient, abuse_store, route: str, param: str, value: str
) -> None:
    before = abuse_store.table_counts()
    response = _answer(
        api, "GET", route, params={param: value}, headers={"accept": "application/json"}
    )
    if response.status_code == 200 and route.startswith("/api/"):
        body = response.json()
        assert body.get("ok", True) is True
        if param == "q":  # text search: nothing matches the text, nothing else comes back
            assert body["data"] == []
    else:  # pages answer 404 for a city that does not exist
        assert response.status_code in (200, 400, 404, 422)
    assert abuse_store.table_counts() == before


@pytest.mark.parametrize("url", TRAVERSAL)
def test_path_traversal_is_not_found(api: TestClient, url: str) -> None:
    response = _answer(api, "GET", url, headers={"accept": "application/json"})
    assert response.status_code in (400, 404, 422)
    assert "root:" not in response.text and "[project]" not in response.text


@pytest.mark.parametrize(
    "weights",
    [
        "GROWTH:-1",
        "GROWTH:nan",
        "GROWTH:NaN",
        "GROWTH:inf",
        "GROWTH:-inf",
        "GROWTH:1e308",
        "GROWTH:1e309",
        "GROWTH:0x10",
        "GROWTH:1_000",
        ",".join(["A:1"] * 10_000),  # 10,000 entries: longer than any URL the app reads (414)
        ",".join(f"D{i}:1" for i in range(65)),  # past max_weights (64): 400
        ",".join(["GROWTH:1"] * 2),
        "NOPE:10",
        ":",
        "GROWTH:",
    ],
)
def test_absurd_weights_are_refused(api: TestClient, weights: str) -> None:
    response = _answer(api, "GET", f"/api/v1/rankings?weights={weights}")
    assert response.status_code in (400, 414, 422), (weights[:40], response.text[:200])


def test_a_valid_weight_still_ranks(api: TestClient) -> None:
    assert api.get("/api/v1/rankings").status_code == 200


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@pytest.mark.parametrize(
    "url", ["/api/v1/rankings", "/api/v1/enterprises", "/", "/downloads/cities.csv"]
)
def test_wrong_methods_get_405(api: TestClient, method: str, url: str) -> None:
    response = _answer(api, method, url, headers={"accept": "application/json"})
    assert response.status_code == 405 and response.headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/x-www-form-urlencoded", "text/xml"]
)
def test_a_10mb_body_is_refused_quickly(api: TestClient, content_type: str) -> None:
    body = b"{" + b" " * (10 * 1024 * 1024) + b"}"
    for method in ("POST", "GET"):
        response = _answer(
            api, method, "/api/v1/rankings", content=body, headers={"content-type": content_type}
        )
        assert response.status_code in (200, 405, 413), (method, response.status_code)


def test_odd_accept_and_content_types_keep_the_envelope(api: TestClient) -> None:
    response = _answer(
        api, "GET", "/api/v1/cities/999999x", headers={"accept": "application/xml, */*;q=0.1"}
    )
    assert response.status_code == 422 and response.headers["content-type"].startswith(
        "application/json"
    )
