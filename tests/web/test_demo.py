"""End to end on the bundled example: the store `aicity demo` builds (ingest, classify, inventory, evaluate),
served by the explorer. Slow (it builds the store), so it runs once per session."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from aicity.store import Store
from aicity.web import WebSettings, create_app

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("web-demo")]  # the store is built once


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Store:
    from aicity.workflows.demo import (
        DemoRun,
        classify_firms,
        derive_inventory,
        evaluate_cities,
        ingest_example,
    )

    folder: Path = tmp_path_factory.mktemp("demo")
    with Store.open(folder / "aicity.duckdb") as store:
        run = DemoRun(folder, store)
        for step in (ingest_example, classify_firms, derive_inventory, evaluate_cities):
            step(run)
    store = Store.open(folder / "aicity.duckdb", read_only=True)
    yield store
    store.close()


@pytest.fixture(scope="module")
def demo_client(demo_store: Store) -> TestClient:
    return TestClient(
        create_app(demo_store, WebSettings(warm_up=False)), raise_server_exceptions=False
    )


def test_the_rebuilt_evaluation_equals_the_stored_one(
    demo_store: Store, demo_client: TestClient
) -> None:
    from aicity.store import runs

    live = demo_client.app.state.explorer.live
    stored = runs.run_results(demo_store, live.run_id)
    stored = stored[stored["code"] == live.root].set_index("unit_key")
    ours = live.rank(live.default_methods).set_index("unit_key")
    assert len(ours) == len(stored) >= 20
    np.testing.assert_allclose(ours.loc[stored.index, "score"], stored["score"], rtol=1e-12)


def test_reweighting_the_real_dimensions(demo_client: TestClient) -> None:
    framework = demo_client.get("/api/v1/framework").json()["data"]
    codes = [d["code"] for d in framework["dimensions"]]
    assert len(codes) >= 3
    leaders = set()
    for code in codes:
        weights = ",".join(f"{c}:{100 if c == code else 0}" for c in codes)
        body = demo_client.get("/api/v1/rankings", params={"weights": weights}).json()
        assert body["ok"] is True and len(body["data"]) >= 20
        leaders.add(body["data"][0]["unit_key"])
    assert len(leaders) >= 2  # some dimension crowns another city


def test_city_page_shows_the_inventory_industry_map(demo_client: TestClient) -> None:
    html = demo_client.get("/cities/110000?lang=en").text
    assert 'id="industry-finding"' in html and "Beijing:" in html
    assert "missing link" in html  # segments without a local firm are marked
    zh = demo_client.get("/cities/110000?lang=zh").text
    assert "缺失环节" in zh and 'id="verdict"' in zh


def test_every_city_and_park_page_renders(demo_client: TestClient) -> None:
    for city in demo_client.get("/api/v1/cities").json()["data"]:
        assert demo_client.get(f"/cities/{city['code']}").status_code == 200
    for park in demo_client.get("/api/v1/parks").json()["data"]:
        assert demo_client.get(f"/parks/{park['park_id']}").status_code == 200
