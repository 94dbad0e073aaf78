"""Store writes used by the ingest workflow: sources, entity upserts, observation history."""

from __future__ import annotations

import json
from datetime import datetime

import pandas as pd

from aicity.store import Store, cities, observations, sources
from aicity.store import ingest as store_ingest


def test_source_ids_grades_and_reuse() -> None:
    store = Store.memory()
    urls = pd.Series(
        ["https://www.gov.cn/a", "https://news.example.com/b", None, "https://news.example.com/b"]
    )
    ids = store_ingest.source_ids(store, urls)
    assert ids.isna().tolist() == [False, False, True, False] and ids[1] == ids[3]
    grades = sources(store).set_index("url")["reliability"]
    assert grades["https://www.gov.cn/a"] == "A" and grades["https://news.example.com/b"] == "B"
    # a worse grade given later replaces the stored one; the id stays
    again = store_ingest.source_ids(
        store, pd.Series(["https://news.example.com/b"]), pd.Series(["C"])
    )
    assert again[0] == ids[1]
    assert sources(store).set_index("url")["reliability"]["https://news.example.com/b"] == "C"


def test_upsert_entities_counts_only_real_changes() -> None:
    store = Store.memory()
    frame = pd.DataFrame(
        {
            "code": ["110000", "120000"],
            "name_zh": ["北京", "天津"],
            "name_en": ["Beijing", "Tianjin"],
            "province": ["北京市", "天津市"],
            "longitude": [116.4, 117.2],
            "latitude": [39.9, 39.1],
        }
    )
    assert store_ingest.upsert_entities(store, "cities", frame) == (2, 0, 0)
    assert store_ingest.upsert_entities(store, "cities", frame) == (0, 0, 2)
    changed = frame.assign(name_en=["Peking", "Tianjin"])
    counted = store_ingest.upsert_entities(store, "cities", changed)
    assert (counted.new, counted.updated, counted.unchanged, counted.changed) == (0, 1, 1, 1)
    assert cities(store).set_index("code")["name_en"].to_dict() == {
        "110000": "Peking",
        "120000": "Tianjin",
    }


def test_merge_observations_history() -> None:
    store = Store.memory()
    base = pd.DataFrame(
        {
            "unit_type": ["city"],
            "unit_key": ["110000"],
            "indicator": ["gdp"],
            "year": [2023],
            "kind": ["actual"],
            "source_id": [None],
            "unit": ["亿元"],
            "value": [1.0],
            "value_text": [None],
            "verified": [True],
            "note": [None],
            "row": [2],
        }
    )
    t1, t2 = datetime(2026, 1, 1), datetime(2026, 2, 1)
    assert store_ingest.merge_observations(store, base, 1, "a.csv", None, t1) == 1
    assert store_ingest.merge_observations(store, base, 2, "a.csv", None, t2) == 0
    assert (
        store_ingest.merge_observations(store, base.assign(value=[2.0]), 3, "a.csv", None, t2) == 1
    )
    history = observations(store, current_only=False)
    assert history["value"].tolist() == [1.0, 2.0]
    assert history["valid_to"].tolist()[0] == pd.Timestamp(t2) and pd.isna(
        history["valid_to"].tolist()[1]
    )
    # the file no longer states the fact: it is closed, not deleted
    other = base.assign(indicator=["rd_intensity"], unit=["%"])
    store_ingest.merge_observations(store, other, 4, "a.csv", None, datetime(2026, 3, 1))
    assert observations(store)["indicator"].tolist() == ["rd_intensity"]
    assert len(observations(store, current_only=False)) == 3


def test_replaced_entity_rows_stay_in_history() -> None:
    store = Store.memory()
    frame = pd.DataFrame({"code": ["110000"], "name_zh": ["北京"], "name_en": ["Beijing"]})
    store_ingest.upsert_entities(store, "cities", frame, ingest_id=1)
    store_ingest.upsert_entities(store, "cities", frame.assign(name_en=["Peking"]), ingest_id=2)
    history = store_ingest.entity_history(store, "cities")
    assert history["entity_key"].tolist() == ["110000"] and history["ingest_id"].tolist() == [2]
    assert json.loads(history["old_row"].iloc[0])["name_en"] == "Beijing"


def test_upsert_entities_writes_only_the_kept_rows() -> None:
    import numpy as np

    store = Store.memory()
    frame = pd.DataFrame(
        {
            "code": ["110000", "120000", "310000"],
            "name_zh": ["北京", "天津", "上海"],
            "name_en": ["Beijing", "Tianjin", "Shanghai"],
        }
    )
    keep = np.array([True, False, True])
    assert store_ingest.upsert_entities(store, "cities", frame, keep=keep) == (2, 0, 0)
    assert sorted(cities(store)["code"]) == ["110000", "310000"]
    # the comparison path (rows already stored) filters the same way
    changed = frame.assign(name_en=["Peking", "Tientsin", "Shanghai"])
    assert store_ingest.upsert_entities(store, "cities", changed, keep=keep) == (0, 1, 1)
    stored = cities(store).set_index("code")["name_en"].to_dict()
    assert stored == {"110000": "Peking", "310000": "Shanghai"}
