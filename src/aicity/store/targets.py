"""SQL of 招商 targeting (``aicity targets``): firms counted by city and final segment, a city's own firm
names, and the candidate firms of a segment elsewhere. A firm's final segment is the classify run's, else
the label given in the input (as in ``aicity.store.inventory``)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from aicity.store._store import Store

_FINAL = (
    "FROM enterprises e LEFT JOIN classifications c "
    "ON c.enterprise_id = e.enterprise_id AND c.run_id = ? "
)


def _coverage(coverage: str | None) -> tuple[str, list[Any]]:
    return (" AND e.coverage = ?", [coverage]) if coverage else ("", [])


def segment_counts(store: Store, classify_run_id: int | None, coverage: str | None) -> pd.DataFrame:
    """city_code, segment, n: firms of one coverage kind (None: all) by city and final segment; firms
    with no segment count under segment NULL (they are in the city's total)."""
    where, params = _coverage(coverage)
    return store.fetch_df(
        "SELECT e.city_code, coalesce(c.segment, nullif(e.segment, '')) AS segment, count(*) AS n "
        + _FINAL
        + "WHERE e.city_code IS NOT NULL"
        + where
        + " GROUP BY ALL ORDER BY ALL",
        [classify_run_id, *params],
    )


def city_firms(store: Store, city_code: str) -> pd.DataFrame:
    """Every firm of the city, of any coverage kind: enterprise_id, name, credit_code."""
    return store.fetch_df(
        "SELECT enterprise_id, name, credit_code FROM enterprises WHERE city_code = ? "
        "ORDER BY enterprise_id",
        [city_code],
    )


def segment_candidates(
    store: Store,
    classify_run_id: int | None,
    segments: list[str],
    city_code: str,
    coverage: str | None,
    per_segment: int,
) -> pd.DataFrame:
    """Up to ``per_segment`` firms of each segment outside the city, of one coverage kind (None: all),
    the most confident classification first (then the larger, then by name)."""
    if not segments:
        return pd.DataFrame()
    where, params = _coverage(coverage)
    marks = ", ".join("?" for _ in segments)
    return store.fetch_df(
        "SELECT * FROM ("
        "SELECT e.enterprise_id, e.name, e.city_code, e.park_id, e.credit_code, "
        "coalesce(c.layer, nullif(e.layer, '')) AS layer, "
        "coalesce(c.segment, nullif(e.segment, '')) AS segment, "
        "CASE WHEN c.enterprise_id IS NULL THEN 1.0 ELSE c.confidence END AS confidence, "
        "coalesce(c.method, 'input') AS method, "
        "coalesce(c.explanation, 'label given in the input') AS explanation, "
        "e.description, e.note, e.size, e.size_unit, e.founded, e.is_synthetic, e.coverage, "
        "s.url AS source_url, "
        "row_number() OVER (PARTITION BY coalesce(c.segment, nullif(e.segment, '')) "
        "ORDER BY (CASE WHEN c.enterprise_id IS NULL THEN 1.0 ELSE c.confidence END) DESC NULLS LAST, "
        "e.size DESC NULLS LAST, e.name, e.enterprise_id) AS pos "
        + _FINAL
        + "LEFT JOIN sources s ON s.source_id = e.source_id "
        f"WHERE coalesce(c.segment, nullif(e.segment, '')) IN ({marks}) "
        "AND e.city_code IS DISTINCT FROM ?" + where + ") WHERE pos <= ? ORDER BY segment, pos",
        [classify_run_id, *segments, city_code, *params, per_segment],
    )
