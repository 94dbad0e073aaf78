"""Every error answers with the one envelope {"ok": false, "error": ..., "status": ...}."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from aicity.errors import InputError, StoreError
from aicity.web import WebSettings, create_app


def assert_envelope(response, status: int) -> dict:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["ok"] is False
    assert body["status"] == status
    assert isinstance(body["error"], str) and body["error"]
    assert "Traceback" not in body["error"]
    return body


@pytest.mark.parametrize(
    ("url", "status", "fragment"),
    [
        ("/api/v1/nothing-here", 404, "not found"),
        ("/api/v1/cities/999999", 404, "999999"),
        ("/api/v1/parks/no-such-park", 404, "no-such-park"),
        ("/api/v1/cities/12ab", 422, "path.code"),
        ("/api/v1/enterprises?size=0", 422, "query.size"),
        ("/api/v1/enterprises?size=501", 422, "query.size"),
        ("/api/v1/enterprises?page=-1", 422, "query.page"),
        ("/api/v1/enterprises?layer=roof", 422, "query.layer"),
        ("/api/v1/enterprises?q=" + "x" * 101, 422, "query.q"),
        ("/api/v1/compare", 422, "query.cities"),
        ("/api/v1/compare?cities=110000", 422, "query.cities"),
        ("/api/v1/compare?cities=110000,110000", 400, "2 to 4"),
        ("/api/v1/compare?cities=110000,310000,440300,330100,510100", 422, "query.cities"),
        ("/api/v1/rankings", 503, "no evaluation"),
    ],
)
def test_api_errors_use_the_envelope(
    core_client: TestClient, url: str, status: int, fragment: str
) -> None:
    body = assert_envelope(core_client.get(url), status)
    assert fragment in body["error"]


def test_validation_errors_list_every_problem(core_client: TestClient) -> None:
    body = assert_envelope(core_client.get("/api/v1/enterprises?size=0&page=0"), 422)
    assert {e["where"] for e in body["errors"]} == {"query.size", "query.page"}
    assert "and 1 more" in body["error"]


def test_writes_are_refused_with_405(core_client: TestClient) -> None:
    for method in ("post", "put", "delete", "patch"):
        response = getattr(core_client, method)("/api/v1/cities")
        body = assert_envelope(response, 405)
        assert "read-only" in body["error"]


def test_too_long_url_is_414(core_client: TestClient) -> None:
    body = assert_envelope(core_client.get("/api/v1/cities?x=" + "a" * 5000), 414)
    assert "4096" in body["error"]


def test_unexpected_error_is_500_envelope_without_traceback(core_store) -> None:
    app: FastAPI = create_app(core_store, WebSettings(warm_up=False))

    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    client = TestClient(app, raise_server_exceptions=False)
    body = assert_envelope(client.get("/api/v1/boom"), 500)
    assert "secret internals" not in body["error"]
    assert "RuntimeError" in body["error"]
    # the security headers are on error responses too
    assert "content-security-policy" in client.get("/api/v1/boom").headers


def test_library_errors_map_to_statuses(core_store) -> None:
    app: FastAPI = create_app(core_store, WebSettings(warm_up=False))

    @app.get("/api/v1/bad-input")
    def bad_input() -> None:
        raise InputError("a number expected", file="x.csv", row=3, column="value")

    @app.get("/api/v1/no-store")
    def no_store() -> None:
        raise StoreError("locked")

    client = TestClient(app, raise_server_exceptions=False)
    body = assert_envelope(client.get("/api/v1/bad-input"), 400)
    assert body["error"] == "x.csv, row 3, column 'value': a number expected"
    assert_envelope(client.get("/api/v1/no-store"), 503)


def test_browsers_get_an_html_error_page_with_the_same_message(core_client: TestClient) -> None:
    response = core_client.get("/cities/999999", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "999999" in response.text and 'id="error-message"' in response.text
    # the same address asked for by a script gets JSON
    assert_envelope(core_client.get("/cities/999999", headers={"accept": "application/json"}), 404)
