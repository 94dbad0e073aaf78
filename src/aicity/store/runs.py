"""Evaluation runs (migration 003): save a run with every stage, score, rank, weight, flag and uncertainty
result, list and load runs, and compare two runs.

A run is written in one transaction: it is either complete or absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from aicity.errors import StoreError
from aicity.store._store import Store

RUN_TABLES = (
    "eval_nodes",
    "eval_units",
    "eval_cells",
    "eval_values",
    "eval_results",
    "eval_weights",
    "eval_flags",
    "eval_coverage",
    "eval_uncertainty",
)

_COLUMNS: dict[str, list[str]] = {
    "eval_nodes": [
        "code",
        "parent",
        "level",
        "position",
        "name_zh",
        "name_en",
        "unit",
        "direction",
        "weight",
        "effective_weight",
        "denominator",
        "definition",
    ],
    "eval_units": [
        "unit_key",
        "unit_type",
        "name_zh",
        "name_en",
        "city_code",
        "longitude",
        "latitude",
        "ranked",
        "real_cells",
        "total_cells",
    ],
    "eval_cells": [
        "unit_key",
        "indicator",
        "obs_id",
        "year",
        "value",
        "unit",
        "source_id",
        "flags",
        "real",
    ],
    "eval_values": ["stage", "unit_key", "code", "value"],
    "eval_results": ["scheme", "unit_key", "code", "level", "score", "rank"],
    "eval_weights": ["scheme", "code", "weight"],
    "eval_flags": ["unit_key", "code", "stage", "flag"],
    "eval_coverage": ["unit_key", "code", "real", "total", "included", "reason"],
    "eval_uncertainty": ["unit_key", "code", "stat", "value"],
}


@dataclass
class RunRecord:
    """Everything one evaluation run stores; each frame has the columns of its table minus run_id."""

    run_id: str
    framework_name: str
    framework_yaml: str
    recipe_yaml: str
    data_hash: str
    version: str
    unit_type: str
    reference_year: int
    max_age: int
    label: str | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


CELL_COLUMNS = _COLUMNS["eval_cells"]  # one selected input cell of a run

# columns added by migration 006, with the value a frame without them means
_DEFAULTS: dict[str, dict[str, object]] = {
    "eval_units": {"ranked": True, "real_cells": None, "total_cells": None},
    "eval_cells": {"real": False},
}


def _frame_for(table: str, run_id: str, frame: pd.DataFrame | None) -> pd.DataFrame:
    columns = _COLUMNS[table]
    if frame is None or frame.empty:
        return pd.DataFrame(columns=["run_id", *columns])
    defaults = {k: v for k, v in _DEFAULTS.get(table, {}).items() if k not in frame.columns}
    if defaults:
        frame = frame.assign(**defaults)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise StoreError(f"{table}: expected columns {columns}, missing {missing} (run {run_id})")
    out = frame[columns].copy()
    out.insert(0, "run_id", run_id)
    return out


def save_run(store: Store, run: RunRecord) -> str:
    """Write a run and all its tables in one transaction; return its id."""
    units = run.tables.get("eval_units")
    nodes = run.tables.get("eval_nodes")
    n_units = 0 if units is None else len(units)
    n_indicators = 0 if nodes is None else int((nodes["level"] == 1).sum())
    with store.transaction():
        if store.fetch_one("SELECT count(*) FROM eval_runs WHERE run_id = ?", [run.run_id]):
            raise StoreError(
                f"run {run.run_id} already exists (run ids are unique; evaluate again)"
            )
        store.execute(
            "INSERT INTO eval_runs (run_id, framework_name, framework_yaml, recipe_yaml, data_hash, version,"
            " unit_type, reference_year, max_age, n_units, n_indicators, label)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run.run_id,
                run.framework_name,
                run.framework_yaml,
                run.recipe_yaml,
                run.data_hash,
                run.version,
                run.unit_type,
                run.reference_year,
                run.max_age,
                n_units,
                n_indicators,
                run.label,
            ],
        )
        for table in RUN_TABLES:
            store.insert_df(table, _frame_for(table, run.run_id, run.tables.get(table)))
    return run.run_id


def save_uncertainty(store: Store, run_id: str, frame: pd.DataFrame, replace: bool = True) -> int:
    """Attach uncertainty/sensitivity results (unit_key, code, stat, value) to an existing run."""
    _require_run(store, run_id)
    rows = _frame_for("eval_uncertainty", run_id, frame)
    with store.transaction():
        if replace and not rows.empty:
            stats = sorted(rows["stat"].unique())
            store.execute(
                "DELETE FROM eval_uncertainty WHERE run_id = ? AND list_contains(?, stat)",
                [run_id, stats],
            )
        return store.insert_df("eval_uncertainty", rows)


def list_runs(store: Store) -> pd.DataFrame:
    """Every run, newest first (no per-run tables)."""
    return store.fetch_df(
        "SELECT run_id, created_at, framework_name, unit_type, reference_year, max_age, n_units,"
        " n_indicators, data_hash, version, label FROM eval_runs ORDER BY created_at DESC, run_id DESC"
    )


def latest_run_id(store: Store, unit_type: str | None = None) -> str:
    """The newest run's id (optionally of one unit type); StoreError when there is none."""
    sql = "SELECT run_id FROM eval_runs" + (" WHERE unit_type = ?" if unit_type else "")
    sql += " ORDER BY created_at DESC, run_id DESC LIMIT 1"
    run_id = store.fetch_one(sql, [unit_type] if unit_type else None)
    if run_id is None:
        what = f"{unit_type} " if unit_type else ""
        raise StoreError(f"no {what}evaluation run in the store (run `aicity evaluate` first)")
    return str(run_id)


def _require_run(store: Store, run_id: str) -> dict:
    meta = store.fetch_df("SELECT * FROM eval_runs WHERE run_id = ?", [run_id])
    if meta.empty:
        known = ", ".join(list_runs(store)["run_id"].head(5)) or "none"
        raise StoreError(f"run {run_id!r} not found in the store (latest runs: {known})")
    return meta.iloc[0].to_dict()


def load_run(store: Store, run_id: str) -> tuple[dict, dict[str, pd.DataFrame]]:
    """A run's metadata and its tables (keyed like ``RUN_TABLES``, without the run_id column)."""
    meta = _require_run(store, run_id)
    tables = {}
    for table in RUN_TABLES:
        order = {
            "eval_nodes": " ORDER BY level, position",
            "eval_results": " ORDER BY scheme, level, code, rank",
        }.get(table, "")
        frame = store.fetch_df(f"SELECT * FROM {table} WHERE run_id = ?{order}", [run_id])
        tables[table] = frame.drop(columns=["run_id"])
    return meta, tables


def run_results(store: Store, run_id: str, scheme: str = "default") -> pd.DataFrame:
    """Scores and ranks of one run and scheme: unit_key, code, level, score, rank."""
    _require_run(store, run_id)
    return store.fetch_df(
        "SELECT unit_key, code, level, score, rank FROM eval_results"
        " WHERE run_id = ? AND scheme = ? ORDER BY level DESC, code, rank",
        [run_id, scheme],
    )


def compare_runs(store: Store, run_a: str, run_b: str, scheme: str = "default") -> pd.DataFrame:
    """Score and rank changes from run A to run B for every unit and node present in either.

    Columns: unit_key, code, level, score_a, score_b, score_change, rank_a, rank_b, rank_change
    (positive rank_change = moved up).
    """
    _require_run(store, run_a)
    _require_run(store, run_b)
    return store.fetch_df(
        """
        WITH a AS (SELECT * FROM eval_results WHERE run_id = ? AND scheme = ?),
             b AS (SELECT * FROM eval_results WHERE run_id = ? AND scheme = ?)
        SELECT coalesce(a.unit_key, b.unit_key) AS unit_key, coalesce(a.code, b.code) AS code,
               coalesce(a.level, b.level) AS level,
               a.score AS score_a, b.score AS score_b, b.score - a.score AS score_change,
               a.rank AS rank_a, b.rank AS rank_b, a.rank - b.rank AS rank_change
        FROM a FULL OUTER JOIN b ON a.unit_key = b.unit_key AND a.code = b.code
        ORDER BY level DESC, code, rank_b NULLS LAST, unit_key
        """,
        [run_a, scheme, run_b, scheme],
    )


def delete_run(store: Store, run_id: str) -> None:
    """Remove a run and all its rows."""
    _require_run(store, run_id)
    with store.transaction():
        for table in (*RUN_TABLES, "eval_runs"):
            store.execute(f"DELETE FROM {table} WHERE run_id = ?", [run_id])
