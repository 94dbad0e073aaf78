"""The red-team suite (issue #19): hostile text, API abuse, store faults and hostile files, each with its
outcome asserted. Fast parts run in `make test`; parts marked ``redteam`` (big files, slow) run in
`make redteam`.

Hostile stores are built the way a user builds one: CSV files through ``aicity ingest``'s workflow."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from aicity.store import Store
from aicity.web import WebSettings, create_app
from aicity.workflows.ingest import ingest_file

BIG = "长" * 350_000  # about 1 MB of UTF-8
PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "attr": '"><img src=x onerror=alert(1)>',
    "quote": "' onmouseover='alert(1)' x='",
    "jsurl": "javascript:alert(1)",
    "formula": '=HYPERLINK("http://x","y")',
    "plus": "+1+2",
    "rtl": "\u202egnp.exe",  # RIGHT-TO-LEFT OVERRIDE
    "control": "a\x07b\x1b[31mc\x0bd",
    "big": BIG,
}


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def hostile_store(folder: Path) -> Store:
    """Parks and firms whose every text field (name, focus, business scope, note, source URL) carries
    one payload, ingested from CSV."""
    store = Store.memory()
    parks = write_csv(
        folder / "parks.csv",
        ["park_id", "园区", "城市", "主导产业", "备注", "来源"],
        [
            [f"p-{key}", f"园区{key}{text}", "北京", text, text, _url(key, text)]
            for key, text in PAYLOADS.items()
        ],
    )
    firms = write_csv(
        folder / "firms.csv",
        ["企业名称", "城市", "经营范围", "备注", "来源"],
        [[f"{key}{text}", "北京", text, text, _url(key, text)] for key, text in PAYLOADS.items()],
    )
    for path, table in ((parks, "parks"), (firms, "enterprises")):
        result = ingest_file(store, path, table)
        assert result.n_accepted == len(PAYLOADS), result.rejected
    return store


def _url(key: str, text: str) -> str:
    return text if key == "jsurl" else f"https://example.com/{key}"


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return hostile_store(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="session")
def hostile_client(hostile: Store) -> TestClient:
    return TestClient(
        create_app(hostile, WebSettings(warm_up=False)), raise_server_exceptions=False
    )
