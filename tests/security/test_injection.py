"""Hostile text in every text field, ingested from CSV, then read back through the web pages, the API's
JSON, the CSV and XLSX downloads: nothing executes, nothing is cut, formulas stay text."""

from __future__ import annotations

import csv
import io
import re
import time

import openpyxl
import pytest
from fastapi.testclient import TestClient

from aicity.store import Store

from .conftest import BIG, PAYLOADS

PAGES = [
    "/",
    "/parks",
    "/parks/p-script",
    "/parks/p-big",
    "/enterprises",
    "/sources",
    "/cities/110000",
]
LIVE_MARKUP = ["<script>alert", "<img src=x"]  # payload text may show, escaped; never as a tag


def test_every_payload_is_stored_exactly_as_given(hostile: Store) -> None:
    names = set(hostile.fetch_df("SELECT name FROM enterprises")["name"])
    assert names == {f"{key}{text}" for key, text in PAYLOADS.items()}
    focus = set(hostile.fetch_df("SELECT focus FROM parks")["focus"])
    assert focus == set(PAYLOADS.values())  # 1 MB kept whole, control characters kept


@pytest.mark.parametrize("url", PAGES)
def test_pages_show_payloads_as_text_in_time(hostile_client: TestClient, url: str) -> None:
    start = time.perf_counter()
    response = hostile_client.get(url)
    assert time.perf_counter() - start < 2
    assert response.status_code == 200
    html = response.text
    for markup in LIVE_MARKUP:
        assert markup not in html, markup
    # no attribute a payload could open: every quote inside a tag belongs to the template
    for tag in re.findall(r"<[a-z][^>]*>", html):
        assert "alert(" not in tag, tag
    assert 'href="javascript:' not in html.lower()
    for chunk in html.split("<script")[1:]:  # scripts only from files, or JSON data
        opening = chunk.split(">", 1)[0]
        assert 'src="/' in opening or 'type="application/json"' in opening


def test_a_1mb_text_is_shown_whole_not_cut(hostile_client: TestClient) -> None:
    assert BIG in hostile_client.get("/parks/p-big").text


def test_api_json_returns_the_exact_text(hostile_client: TestClient) -> None:
    response = hostile_client.get("/api/v1/enterprises", params={"size": 50})
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-content-type-options"] == "nosniff"
    names = {row["name"] for row in response.json()["data"]}
    assert names == {f"{key}{text}" for key, text in PAYLOADS.items()}


@pytest.mark.parametrize("table", ["enterprises", "parks"])
def test_csv_downloads_are_attachments_with_formulas_defused(
    hostile_client: TestClient, table: str
) -> None:
    response = hostile_client.get(f"/downloads/{table}.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers.get("content-disposition", "")
    assert response.headers["x-content-type-options"] == "nosniff"
    csv.field_size_limit(1 << 24)  # the 1 MB cell
    cells = [cell for row in csv.reader(io.StringIO(response.text)) for cell in row]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or _number(cell), cell
    assert "'" + PAYLOADS["formula"] in cells and "'" + PAYLOADS["plus"] in cells
    assert BIG in cells and PAYLOADS["rtl"] in cells  # nothing cut


def test_xlsx_download_holds_text_cells_only(hostile_client: TestClient) -> None:
    response = hostile_client.get("/downloads/aicity.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))  # opens: no invalid XML
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    assert any(PAYLOADS["formula"] in t for t in texts)


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
