"""Read functions over the core tables (migration 001). Other packages call these, never SQL."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from aicity.errors import StoreError
from aicity.store._store import Store

UNIT_TYPES = ("city", "park", "nation")
NATION_KEY = "CN"  # unit_key of national reference rows (unit_type 'nation')


def sources(store: Store) -> pd.DataFrame:
    """Every source: source_id, url, publisher, title, reliability (A / B / C)."""
    return store.fetch_df("SELECT * FROM sources ORDER BY source_id")


def cities(store: Store) -> pd.DataFrame:
    """Cities keyed by 6-digit admin code: code, name_zh, name_en, province, longitude, latitude."""
    return store.fetch_df("SELECT * FROM cities ORDER BY code")


def parks(store: Store, city_code: str | None = None) -> pd.DataFrame:
    """Parks with their source URL; optionally those of one city."""
    sql = (
        "SELECT p.*, s.url AS source_url FROM parks p LEFT JOIN sources s USING (source_id)"
        + (" WHERE p.city_code = ?" if city_code else "")
        + " ORDER BY p.city_code, p.park_id"
    )
    return store.fetch_df(sql, [city_code] if city_code else None)


def enterprises(
    store: Store, city_code: str | None = None, include_synthetic: bool = True
) -> pd.DataFrame:
    """Enterprises with their source URL; optionally one city's, optionally without synthetic rows."""
    where, params = [], []
    if city_code:
        where.append("e.city_code = ?")
        params.append(city_code)
    if not include_synthetic:
        where.append("NOT e.is_synthetic")
    sql = (
        "SELECT e.*, s.url AS source_url FROM enterprises e LEFT JOIN sources s USING (source_id)"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY e.city_code, e.enterprise_id"
    )
    return store.fetch_df(sql, params or None)


def indicators(store: Store, category: str | None = None) -> pd.DataFrame:
    """The indicator registry: code, name_zh, name_en, unit, direction, definition, category, ..."""
    sql = (
        "SELECT * FROM indicators" + (" WHERE category = ?" if category else "") + " ORDER BY code"
    )
    return store.fetch_df(sql, [category] if category else None)


def observations(
    store: Store,
    unit_type: str | None = None,
    current_only: bool = True,
    indicators: Iterable[str] | None = None,
    kinds: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Observations (long format) with source URL and reliability.

    ``unit_type`` is 'city', 'park' or 'nation' (None: all). ``current_only`` hides values replaced by a
    later ingest (their ``valid_to`` is set); pass False to see the history.
    """
    where: list[str] = []
    params: list[object] = []
    if unit_type is not None:
        if unit_type not in UNIT_TYPES:
            raise StoreError(f"unit_type {unit_type!r} is not one of {', '.join(UNIT_TYPES)}")
        where.append("o.unit_type = ?")
        params.append(unit_type)
    if current_only:
        where.append("o.valid_to IS NULL")
    if indicators is not None:
        codes = list(indicators)
        where.append("list_contains(?, o.indicator)")
        params.append(codes)
    if kinds is not None:
        where.append("list_contains(?, o.kind)")
        params.append(list(kinds))
    sql = (
        "SELECT o.*, s.url AS source_url, s.reliability FROM observations o "
        "LEFT JOIN sources s USING (source_id)"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY o.unit_type, o.unit_key, o.indicator, o.year, o.obs_id"
    )
    return store.fetch_df(sql, params or None)


def ingests(store: Store) -> pd.DataFrame:
    """The ingest log, newest first."""
    return store.fetch_df("SELECT * FROM ingests ORDER BY ingest_id DESC")


def rejected_rows(store: Store, ingest_id: int | None = None) -> pd.DataFrame:
    """Rows kept aside by ingests (file, row, column, value, reason)."""
    sql = "SELECT * FROM rejected_rows" + (" WHERE ingest_id = ?" if ingest_id else "")
    return store.fetch_df(sql + ' ORDER BY ingest_id, "row"', [ingest_id] if ingest_id else None)


def observation_summary(store: Store) -> pd.DataFrame:
    """Per unit type: current facts, superseded (history) rows, distinct indicators, first and last year."""
    return store.fetch_df(
        "SELECT unit_type, count(*) FILTER (WHERE valid_to IS NULL) AS current, "
        "count(*) FILTER (WHERE valid_to IS NOT NULL) AS history, "
        "count(DISTINCT indicator) AS indicators, min(year) AS first_year, max(year) AS last_year "
        "FROM observations GROUP BY unit_type ORDER BY unit_type"
    )
