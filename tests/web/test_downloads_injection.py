"""Formula injection in the downloads: a firm or park named like a spreadsheet formula is text in
/downloads/aicity.xlsx (a string cell, never a formula) and starts with ' in /downloads/<table>.csv;
numbers, negative ones included, stay numbers."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from aicity.store import Store
from aicity.web import WebSettings, create_app

from .example_store import fill_core

PAYLOADS = ['=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "-2+3", "\tx", "\rx"]


@pytest.fixture(scope="module")
def injection_client() -> TestClient:
    store = Store.memory()
    fill_core(store)
    ids = [f"inj-{i}" for i in range(len(PAYLOADS))]
    store.insert_df(
        "enterprises",
        pd.DataFrame(
            {
                "enterprise_id": ids,
                "name": PAYLOADS,
                # "\tx" and "\rx" are one firm name once white space is normalised: other cities
                "city_code": ["110000", "310000", "440300", "330100", "510100", "110000"],
                "park_id": [None] * len(PAYLOADS),
                "layer": ["technology"] * len(PAYLOADS),
                "segment": ["large_models"] * len(PAYLOADS),
                "founded": [2020] * len(PAYLOADS),
                "description": PAYLOADS,
                "source_id": [1] * len(PAYLOADS),
                "is_synthetic": [True] * len(PAYLOADS),
            }
        ),
    )
    store.insert_df(
        "parks",
        pd.DataFrame(
            {
                "park_id": ids,
                "city_code": ["330100"] * len(PAYLOADS),
                "name_zh": PAYLOADS,
                "name_en": PAYLOADS,
                "district": ["西湖区"] * len(PAYLOADS),
                "focus": PAYLOADS,
                "opened": [2020] * len(PAYLOADS),
                "firms": [10] * len(PAYLOADS),
                "firms_text": PAYLOADS,
                "source_id": [1] * len(PAYLOADS),
                "note": [""] * len(PAYLOADS),
            }
        ),
    )
    store.insert_df(
        "observations",
        pd.DataFrame(
            [
                {
                    "unit_type": "city",
                    "unit_key": "510100",
                    "indicator": "ai_enterprises",
                    "year": 2022,
                    "value": -1.5,
                    "unit": "家",
                    "kind": "estimate",
                    "verified": False,
                    "source_id": 1,
                }
            ]
        ),
    )
    app = create_app(store, WebSettings(warm_up=False))
    return TestClient(app, raise_server_exceptions=False)


def _csv_rows(client: TestClient, table: str) -> list[dict[str, str]]:
    response = client.get(f"/downloads/{table}.csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize(
    ("table", "column", "key"),
    [("enterprises", "name", "enterprise_id"), ("parks", "name_zh", "park_id")],
)
def test_csv_download_prefixes_formula_like_text(injection_client, table, column, key) -> None:
    rows = _csv_rows(injection_client, table)
    cells = [row[column] for row in rows if row[column].lstrip("'") in PAYLOADS]
    assert sorted(cells) == sorted("'" + p for p in PAYLOADS)
    # ordinary text is not touched
    assert any(row[column] in ("百度 Baidu", "中关村科学城") for row in rows)
    # every row survives (the CR inside a value is quoted and does not split a row)
    assert sum(row[key].startswith("inj-") for row in rows) == len(PAYLOADS)


def test_csv_download_keeps_negative_numbers(injection_client) -> None:
    rows = _csv_rows(injection_client, "observations")
    values = [row["value"] for row in rows if row["unit_key"] == "510100" and row["year"] == "2022"]
    assert values == ["-1.5"]


@pytest.fixture(scope="module")
def workbook(injection_client):
    import openpyxl

    response = injection_client.get("/downloads/aicity.xlsx")
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _cells(sheet, column: str):
    header = [c.value for c in sheet[1]]
    col = header.index(column) + 1
    return [row[col - 1] for row in sheet.iter_rows(min_row=2)]


@pytest.mark.parametrize(("sheet", "column"), [("enterprises", "name"), ("parks", "name_zh")])
def test_xlsx_download_writes_formula_like_text_as_text(workbook, sheet, column) -> None:
    cells = [
        c for c in _cells(workbook[sheet], column) if c.value.replace("_x000D_", "\r") in PAYLOADS
    ]
    assert len(cells) == len(PAYLOADS)
    for cell in cells:
        assert cell.data_type == "s", (cell.coordinate, cell.value)
        assert cell.quotePrefix, cell.value  # Excel's ' prefix: stays text even when edited
    assert {c.value for c in cells} >= {'=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "-2+3"}


def test_xlsx_download_has_no_formula_and_keeps_numbers(workbook) -> None:
    formulas = [
        (ws.title, c.coordinate)
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]
    assert formulas == []
    sheet = workbook["observations"]
    values = _cells(sheet, "value")
    negative = [c for c in values if c.value == -1.5]
    assert len(negative) == 1 and negative[0].data_type == "n"
    assert not negative[0].quotePrefix
