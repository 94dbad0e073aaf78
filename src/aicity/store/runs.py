"""Evaluation runs (migration 003): save a run with every stage, score, rank, weight, flag and uncertainty
result, list and load runs, and compare two runs.

A run is written in one transaction: it is either complete or absent.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from aicity.errors import StoreError
from aicity.store._store import Store

# a run's frames, each stored in the table ``eval_<frame>`` (RunRecord and StoredRun carry them by these names)
RUN_FRAMES = (
    "nodes",
    "units",
    "cells",
    "values",
    "results",
    "weights",
    "flags",
    "coverage",
    "uncertainty",
)
RUN_TABLES = tuple(f"eval_{frame}" for frame in RUN_FRAMES)

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
    """Everything one evaluation run stores; each frame has the columns of its table minus run_id.

    A frame left ``None`` is stored as an empty table. Writers set the frames by name; only the store
    knows which table each goes to (``tables``).
    """

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
    nodes: pd.DataFrame | None = None
    units: pd.DataFrame | None = None
    cells: pd.DataFrame | None = None
    values: pd.DataFrame | None = None
    results: pd.DataFrame | None = None
    weights: pd.DataFrame | None = None
    flags: pd.DataFrame | None = None
    coverage: pd.DataFrame | None = None
    uncertainty: pd.DataFrame | None = None

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The frames that are set, keyed by their table name (``eval_cells``...)."""
        frames = {f"eval_{name}": getattr(self, name) for name in RUN_FRAMES}
        return {table: frame for table, frame in frames.items() if frame is not None}


CELL_COLUMNS = _COLUMNS["eval_cells"]  # one selected input cell of a run
COVERAGE_COLUMNS = _COLUMNS["eval_coverage"]  # one unit's (or indicator's) coverage in a run

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
    units, nodes = run.units, run.nodes
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
        for name, table in zip(RUN_FRAMES, RUN_TABLES, strict=True):
            store.insert_df(table, _frame_for(table, run.run_id, getattr(run, name)))
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


@dataclass(frozen=True)
class StoredRun:
    """One stored evaluation run, as the report, the explorer, the API and the CLI read it.

    ``meta`` is the ``eval_runs`` row; the frames are the run's tables without their run_id column.
    Derived views (ranking, intervals, dimensions) are computed here once, so no reader re-derives them.
    """

    meta: dict
    nodes: pd.DataFrame
    units: pd.DataFrame
    cells: pd.DataFrame
    values: pd.DataFrame
    results: pd.DataFrame
    weights: pd.DataFrame
    flags: pd.DataFrame
    coverage: pd.DataFrame
    uncertainty: pd.DataFrame

    @classmethod
    def from_tables(cls, meta: dict, tables: dict[str, pd.DataFrame]) -> StoredRun:
        """From frames keyed like ``RUN_TABLES`` (a RunRecord's, or a test's); missing ones are empty."""
        frames = {
            table: tables.get(table, pd.DataFrame(columns=_COLUMNS[table])) for table in RUN_TABLES
        }
        return cls(meta, *(frames[t] for t in RUN_TABLES))

    # ----- the run's identity ---------------------------------------------------------------------
    @property
    def run_id(self) -> str:
        return str(self.meta["run_id"])

    @property
    def unit_type(self) -> str:
        return str(self.meta.get("unit_type") or "city")

    @property
    def reference_year(self) -> int:
        return int(self.meta["reference_year"])

    @property
    def recipe_yaml(self) -> str:
        """The recipe the run was built with (``Recipe.from_yaml`` rebuilds it)."""
        return str(self.meta.get("recipe_yaml") or "")

    @property
    def framework_yaml(self) -> str:
        return str(self.meta.get("framework_yaml") or "")

    @property
    def has_evidence_rules(self) -> bool:
        """Runs made under the evidence rules store each unit's and indicator's coverage."""
        return len(self.coverage) > 0 and "real" in self.cells.columns

    # ----- the framework as evaluated --------------------------------------------------------------
    @property
    def index_code(self) -> str:
        nodes = self.nodes
        return str(nodes.loc[nodes["level"] == nodes["level"].max(), "code"].iloc[0])

    @property
    def dimensions(self) -> pd.DataFrame:
        return self.nodes[self.nodes["level"] == 2].sort_values("position")

    @property
    def indicators(self) -> pd.DataFrame:
        return self.nodes[self.nodes["level"] == 1].sort_values("position")

    # ----- results ---------------------------------------------------------------------------------
    def schemes(self) -> list[str]:
        """The run's recipes: ``default`` first, then the alternatives."""
        return list(dict.fromkeys(["default", *self.results["scheme"]]))

    def ranking(self, scheme: str = "default") -> pd.DataFrame:
        """One row per ranked unit, best first: unit_key, rank, index score, one column per dimension
        score/rank, and the uncertainty interval (rank_q05, rank_q95, ...) when it was run."""
        results = self.results[self.results["scheme"] == scheme]
        keep = [self.index_code, *self.dimensions["code"]]
        subset = results[results["code"].isin(keep)]
        score = subset.pivot_table(
            index="unit_key", columns="code", values="score", aggfunc="first"
        )
        rank = subset.pivot_table(index="unit_key", columns="code", values="rank", aggfunc="first")
        out = pd.DataFrame(index=score.index)
        out["score"] = score[self.index_code]
        out["rank"] = rank[self.index_code]
        for code in self.dimensions["code"]:
            out[f"{code}_score"] = score.get(code)
            out[f"{code}_rank"] = rank.get(code)
        unc = self.uncertainty
        if len(unc):
            mine = unc[(unc["code"] == self.index_code) & unc["unit_key"].notna()]
            wide = mine.pivot_table(
                index="unit_key", columns="stat", values="value", aggfunc="first"
            )
            for stat in ("rank_q05", "rank_q95", "rank_median", "score_q05", "score_q95"):
                if stat in wide.columns:
                    out[stat] = wide[stat]
        out = out.reset_index().sort_values(["rank", "unit_key"], na_position="last")
        return out.reset_index(drop=True)

    def intervals(self, code: str | None = None) -> dict[str, tuple[float, float]]:
        """unit_key -> (rank_q05, rank_q95) of a node (default: the index) where uncertainty was run."""
        unc = self.uncertainty
        if unc.empty:
            return {}
        mine = unc[(unc["code"] == (code or self.index_code)) & unc["unit_key"].notna()]
        wide = mine.pivot_table(index="unit_key", columns="stat", values="value", aggfunc="first")
        if not {"rank_q05", "rank_q95"} <= set(wide.columns):
            return {}
        return {
            str(u): (float(lo), float(hi))
            for u, lo, hi in zip(wide.index, wide["rank_q05"], wide["rank_q95"], strict=True)
        }

    def sensitivity(self) -> pd.DataFrame:
        """Per-assumption sensitivity indices (code, S1, ST) when the uncertainty run stored them."""
        unc = self.uncertainty
        rows = unc[unc["unit_key"].isna() & unc["stat"].isin(["S1", "ST"])] if len(unc) else unc
        if rows.empty:
            return pd.DataFrame(columns=["code", "S1", "ST"])
        return rows.pivot_table(
            index="code", columns="stat", values="value", aggfunc="first"
        ).reset_index()


def load_run(store: Store, run_id: str) -> StoredRun:
    """A stored run as one typed object (its tables without the run_id column)."""
    meta = _require_run(store, run_id)
    tables = {}
    for table in RUN_TABLES:
        order = {
            "eval_nodes": " ORDER BY level, position",
            "eval_results": " ORDER BY scheme, level, code, rank",
        }.get(table, "")
        frame = store.fetch_df(f"SELECT * FROM {table} WHERE run_id = ?{order}", [run_id])
        tables[table] = frame.drop(columns=["run_id"])
    return StoredRun.from_tables(meta, tables)


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
