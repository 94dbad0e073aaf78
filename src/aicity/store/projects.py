"""Reads of the projects table (migration 009). Writes go through ``aicity.store.ingest``."""

from __future__ import annotations

import pandas as pd

from aicity.store._store import Store
from aicity.store.inventory import _firms_select, latest_run


def projects(store: Store, city_code: str | None = None) -> pd.DataFrame:
    """Every project with its source URL (optionally one city's), by city, year and name."""
    sql = (
        "SELECT p.*, s.url AS source_url FROM projects p LEFT JOIN sources s USING (source_id)"
        + (" WHERE p.city_code = ?" if city_code else "")
        + " ORDER BY p.city_code, p.year NULLS LAST, p.name, p.project_id"
    )
    return store.fetch_df(sql, [city_code] if city_code else None)


def count_projects(store: Store) -> int:
    return int(store.fetch_one("SELECT count(*) FROM projects"))


def firm_layers(store: Store, classify_run_id: int | None = None) -> pd.DataFrame:
    """Every firm's id, name, city and final layer (the latest classification, else its label): what
    a project's firm is matched against."""
    rid = classify_run_id if classify_run_id is not None else latest_run(store, "classify")
    sql, _ = _firms_select(rid)
    return store.fetch_df(
        f"SELECT f.enterprise_id, e.name, f.city_code, f.layer FROM ({sql}) f "
        "JOIN enterprises e USING (enterprise_id) ORDER BY f.enterprise_id"
    )
