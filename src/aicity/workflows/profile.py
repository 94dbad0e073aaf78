"""``aicity profile CITY``: one unit's profile from a stored run, with the evidence behind each clause and
the facts that move its rank most. The CLI and the explorer call these functions."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from aicity.errors import InputError
from aicity.profiles.evidence import RunEvidence, run_evidence
from aicity.profiles.profile import Profile
from aicity.store import Store
from aicity.store.runs import StoredRun, latest_run_id


@dataclass(frozen=True)
class RankDriver:
    """What one real fact does to the unit's rank: set to the median unit's value, the index is rebuilt
    with the run's own recipe, everything else unchanged."""

    code: str
    name_zh: str
    name_en: str
    value: float
    median: float
    rank: int
    rank_at_median: int

    @property
    def shift(self) -> int:
        """Places lost (positive) or gained (negative) at the median value."""
        return self.rank_at_median - self.rank


def rank_drivers(
    run: StoredRun,
    unit_key: str,
    top: int = 3,
    inputs: tuple | None = None,
) -> list[RankDriver]:
    """The ``top`` real facts whose move to the median value shifts the unit's overall rank most (ties:
    the larger score change first); facts that move it by no place are not listed. Imputed and unscored
    cells are not facts and are not tried. ``inputs``: (framework, recipe) to use instead of the run's own
    (``aicity site`` passes the run's inputs with a persona's weights)."""
    from aicity.index import build
    from aicity.workflows.evaluate_uncertainty import rebuild_inputs

    fw, recipe = inputs if inputs is not None else rebuild_inputs(run)
    data = fw.data
    if unit_key not in data.index:
        return []
    root = fw.root
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        base = build(fw, recipe=recipe)
        rank = int(base.ranks.at[unit_key, root])
        score = float(base.scores.at[unit_key, root])
        found = []
        for code in fw.indicators:
            value = data.at[unit_key, code]
            median = float(data[code].median())
            if pd.isna(value) or np.isclose(value, median):
                continue
            moved = data.copy()
            moved.at[unit_key, code] = median
            result = build(fw, data=moved, recipe=recipe)
            new_rank = result.ranks.at[unit_key, root]
            if pd.isna(new_rank):
                continue
            node = fw.nodes[code]
            found.append(
                (
                    abs(int(new_rank) - rank),
                    abs(float(result.scores.at[unit_key, root]) - score),
                    RankDriver(
                        code,
                        node.name_zh,
                        node.name_en,
                        float(value),
                        median,
                        rank,
                        int(new_rank),
                    ),
                )
            )
    found.sort(key=lambda x: (-x[0], -x[1], x[2].code))
    return [driver for moved, _, driver in found if moved][:top]


@dataclass(frozen=True)
class UnitProfile:
    """A unit's profile as every face shows it: the profile, its evidence, its cells and rank drivers."""

    run_id: str
    profile: Profile
    evidence: RunEvidence
    cells: pd.DataFrame  # the unit's cells: indicator, value, year, flags, status, source_url
    drivers: list[RankDriver] = field(default_factory=list)


def unit_profile(store: Store, city: str, run_id: str | None = None) -> UnitProfile:
    """The profile of a city (name, English name or code) in a stored run (default: the latest city run)."""
    from aicity.workflows.industry_map import resolve_unit
    from aicity.workflows.report import load_report_data

    run_id = run_id or latest_run_id(store, "city")
    if run_id is None:
        raise InputError(
            "the store has no evaluation run",
            fix="run `aicity evaluate` (or `aicity demo`) first",
        )
    _, key, _, _ = resolve_unit(store, city)
    data = load_report_data(store, run_id)
    profile = data.profiles.get(key)
    if profile is None:
        names = ", ".join(p.name_zh for p in list(data.profiles.values())[:8])
        raise InputError(
            f"{city!r} is not a unit of run {run_id}; its units include {names}",
            fix="pass one of the run's cities, or evaluate again after ingesting this city",
        )
    run = data.run
    evidence = run_evidence(run)
    cells = evidence.cells[evidence.cells["unit_key"] == key].copy()
    raw = run.cells
    mine = raw[raw["unit_key"] == key].set_index("indicator")
    cells["source_id"] = cells["indicator"].map(mine["source_id"])
    urls = data.sources.drop_duplicates("source_id").set_index("source_id")
    cells["source_url"] = cells["source_id"].map(urls["url"])
    cells["reliability"] = cells["source_id"].map(urls["reliability"])
    drivers = rank_drivers(run, key) if profile.rank is not None else []
    return UnitProfile(run_id, profile, evidence, cells.reset_index(drop=True), drivers)
