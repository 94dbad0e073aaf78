"""Security: CSP allowing only the app's origin, escaping of every value, read-only store, safe links."""

from __future__ import annotations

import base64
import hashlib

import pytest
from fastapi.testclient import TestClient

from aicity.web.security import CONTENT_SECURITY_POLICY, EMPTY_STYLE_HASH

PAGES = [
    "/",
    "/cities/440300",
    "/parks",
    "/parks/sz-ns",
    "/compare?c=110000&c=440300",
    "/enterprises",
    "/enterprises?q=script",
    "/methodology",
    "/sources",
    "/downloads",
]


def test_csp_allows_only_self() -> None:
    directives = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    for name, value in directives.items():
        if name == "style-src":  # self, plus exactly the empty style attribute plotly writes
            assert value == f"'self' 'unsafe-hashes' {EMPTY_STYLE_HASH}"
            continue
        assert value in ("'self'", "'none'"), (name, value)
    digest = base64.b64encode(hashlib.sha256(b"").digest()).decode()
    assert f"'sha256-{digest}'" == EMPTY_STYLE_HASH
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.parametrize(
    "url", [*PAGES, "/api/v1/cities", "/static/app.css", "/assets/plotly.min.js"]
)
def test_security_headers_on_every_response(core_client: TestClient, url: str) -> None:
    response = core_client.get(url)
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("url", PAGES)
def test_pages_escape_data_and_have_no_inline_script(
    core_client: TestClient, url: str, xss: str
) -> None:
    html = core_client.get(url).text
    assert xss not in html
    # every <script> either loads a file from this origin or carries JSON data
    for chunk in html.split("<script")[1:]:
        tag = chunk.split(">", 1)[0]
        assert 'src="/' in tag or 'type="application/json"' in tag, tag


def test_firm_named_like_a_script_shows_as_text(core_client: TestClient, xss: str) -> None:
    html = core_client.get("/enterprises?q=script").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    api = core_client.get("/api/v1/enterprises?q=script").json()
    assert api["data"][0]["name"] == xss  # JSON keeps the raw text; the page escapes it


def test_javascript_urls_never_become_links(core_client: TestClient) -> None:
    html = core_client.get("/sources").text
    assert 'href="javascript:' not in html
    assert "javascript:alert(2)" in html  # shown, as text


def test_store_is_never_written(core_store, core_client: TestClient) -> None:
    before = core_store.table_counts()
    for url in [*PAGES, "/api/v1/cities", "/api/v1/enterprises?q=x", "/downloads/cities.csv"]:
        core_client.get(url)
    assert core_store.table_counts() == before


def test_query_text_is_data_not_sql(core_client: TestClient) -> None:
    body = core_client.get("/api/v1/enterprises", params={"q": "' OR 1=1 --"}).json()
    assert body["ok"] is True and body["total"] == 0
