"""Yearly series: carrying a unit's own last real value forward (before cross-sectional imputation), and
comparing two runs (rank and score change per unit, both runs' rank intervals, who moved most).

Carry-forward (``aicity evaluate --carry-forward`` or ``carry_forward: true`` in a framework): a number
indicator takes its values from one year (the year most units have); a unit with no real value for that
year keeps its own latest real value (sourced, verified, actual, in the indicator's scope) from an earlier
year within ``max_age`` of the reference year. The cell is flagged ``stale carried`` and scored as real;
a unit without such a value of its own is imputed as before. Values never move from one unit to another.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from aicity.io.outlets import grade
from aicity.store import Store

CARRIED = "carried"


def _real_rows(frame: pd.DataFrame) -> pd.Series:
    url = frame["source_url"].fillna("").astype(str).str.strip() != ""
    sample = frame["unit"].astype(str).str.contains("sample", case=False) | frame.get(
        "note", pd.Series("", index=frame.index)
    ).fillna("").astype(str).str.contains("sample firm list")
    return (
        url
        & frame["verified"].fillna(False).astype(bool)
        & (frame["kind"] == "actual")
        & frame["value"].notna()
        & ~sample
    )


def carry_forward(
    cells: pd.DataFrame,
    observations: pd.DataFrame,
    indicators: list[dict],
    year: int,
    max_age: int,
) -> pd.DataFrame:
    """``cells`` with each not-real cell of a number indicator filled from the same unit's latest real
    observation older than the indicator's year (and no older than ``year - max_age``)."""
    from aicity.workflows.selection import indicator_year, scope_matches

    if cells.empty or observations.empty:
        return cells
    cells = cells.copy()
    obs = observations[observations["kind"] != "plan_target"]
    if "source_url" not in obs.columns:
        obs = obs.assign(source_url=None)
    for ind in indicators:
        code = str(ind["code"])
        if ind.get("value_type") == "flag" or ind.get("unit") == "flag" or ind.get("from_city"):
            continue  # designations never go stale; a city's value is the city's to carry
        wanted, accepted = str(ind.get("unit") or ""), ind.get("scopes")
        group = obs[obs["indicator"] == code]
        if group.empty:
            continue
        group = group[[scope_matches(u, wanted, accepted) for u in group["unit"]]]
        the_year = indicator_year(group, year, max_age)
        if the_year is None:
            continue
        years = group["year"]
        earlier = group[(years < the_year) & (years >= year - max_age) & _real_rows(group)]
        if earlier.empty:
            continue
        reliability = earlier["reliability"].map({"A": 3, "B": 2, "C": 1}).fillna(0)
        latest = (
            earlier.assign(_r=reliability)
            .sort_values(["year", "_r", "obs_id"], ascending=False)
            .drop_duplicates("unit_key")
            .set_index("unit_key")
        )
        targets = cells.index[
            (cells["indicator"] == code)
            & ~cells["real"].fillna(False).astype(bool)
            & cells["unit_key"].isin(latest.index)
        ]
        for i in targets:
            chosen = latest.loc[cells.at[i, "unit_key"]]  # the cell's own unit, never another's
            flags = ["stale", CARRIED]
            if grade(str(chosen["source_url"])).outlet_type == "content_farm":
                flags.append("weak_source")
            if "lower bound" in str(chosen["unit"]).lower():
                flags.append("lower_bound")
            cells.at[i, "obs_id"] = int(chosen["obs_id"])
            cells.at[i, "year"] = int(chosen["year"])
            cells.at[i, "value"] = float(chosen["value"])
            cells.at[i, "unit"] = str(chosen["unit"])
            cells.at[i, "source_id"] = (
                None if pd.isna(chosen["source_id"]) else int(chosen["source_id"])
            )
            cells.at[i, "flags"] = " ".join(flags)
            cells.at[i, "real"] = True
    return cells


# ----- comparing two runs ---------------------------------------------------------------------------------
@dataclass
class RunComparison:
    run_a: dict  # the runs' metadata (run_id, reference_year, framework_name, data_hash, ...)
    run_b: dict
    code: str  # the node compared (the index)
    table: pd.DataFrame  # one row per unit, see ``compare_series``
    changes: pd.DataFrame  # every node's change (store.runs.compare_runs)

    @property
    def same_data(self) -> bool:
        return self.run_a["data_hash"] == self.run_b["data_hash"]

    @property
    def has_intervals(self) -> bool:
        return bool(self.table[["q05_a", "q05_b"]].notna().any().all())

    def moved_most(self, n: int = 5) -> pd.DataFrame:
        """The units whose rank changed most (ties: the larger score change first)."""
        moved = self.table[self.table["rank_change"].fillna(0) != 0]
        order = moved.assign(
            _r=moved["rank_change"].abs(), _s=moved["score_change"].abs().fillna(0)
        ).sort_values(["_r", "_s"], ascending=False)
        return order.drop(columns=["_r", "_s"]).head(n)


def arrow(rank_change: object) -> str:
    """↑ moved up, ↓ moved down, → unchanged, · not ranked in one of the runs."""
    if rank_change is None or pd.isna(rank_change):
        return "·"
    return "↑" if rank_change > 0 else "↓" if rank_change < 0 else "→"


def compare_series(store: Store, run_a: str, run_b: str, scheme: str = "default") -> RunComparison:
    """Rank and score change of the index per unit from run A (earlier) to run B (later).

    ``table`` columns: unit_key, name_zh, name_en, rank_a, rank_b, rank_change (positive = moved up),
    score_a, score_b, score_change, q05_a, q95_a, q05_b, q95_b (90% rank intervals where the run stores
    an uncertainty analysis), arrow, beyond_intervals (True when the two intervals do not overlap: the
    move is larger than either year's uncertainty; None without intervals).
    """
    from aicity.store.runs import compare_runs, load_run

    stored_a, stored_b = load_run(store, run_a), load_run(store, run_b)
    changes = compare_runs(store, run_a, run_b, scheme=scheme)
    code = stored_b.index_code
    overall = changes[changes["code"] == code].copy()
    names = pd.concat([stored_b.units, stored_a.units]).drop_duplicates("unit_key")
    names = names.set_index("unit_key")
    overall.insert(1, "name_zh", overall["unit_key"].map(names["name_zh"]))
    overall.insert(2, "name_en", overall["unit_key"].map(names["name_en"]))
    for suffix, stored in (("a", stored_a), ("b", stored_b)):
        intervals = stored.intervals(code)
        for i, column in ((0, f"q05_{suffix}"), (1, f"q95_{suffix}")):
            values = {unit: bounds[i] for unit, bounds in intervals.items()}
            overall[column] = overall["unit_key"].map(values).astype(float)
    overall["arrow"] = [arrow(c) for c in overall["rank_change"]]
    up = overall["q95_b"] < overall["q05_a"]
    down = overall["q05_b"] > overall["q95_a"]
    known = overall[["q05_a", "q95_a", "q05_b", "q95_b"]].notna().all(axis=1)
    overall["beyond_intervals"] = np.where(known, up | down, None)
    table = overall.drop(columns=["code", "level"]).reset_index(drop=True)
    table = table.sort_values(["rank_b", "rank_a"], na_position="last").reset_index(drop=True)
    # every node's change, with names, and the index rows' intervals
    extra = ["q05_a", "q95_a", "q05_b", "q95_b", "arrow", "beyond_intervals"]
    changes = changes.assign(
        name_zh=changes["unit_key"].map(names["name_zh"]),
        name_en=changes["unit_key"].map(names["name_en"]),
    ).merge(overall[["unit_key", "code", *extra]], on=["unit_key", "code"], how="left")
    return RunComparison(stored_a.meta, stored_b.meta, code, table, changes)
