"""The evidence rules of an evaluation: coverage floors decide which indicators are scored, which units
ranked, and which of a ranked unit's dimensions get a score (shares of real cells; defaults 2/3 each)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from aicity.errors import ConfigError
from aicity.store.runs import COVERAGE_COLUMNS
from aicity.workflows.evaluate_specs import indicator_specs

DEFAULT_FLOORS = {"indicator": 2 / 3, "unit": 2 / 3, "dimension": 2 / 3}


def coverage_floors(spec: dict) -> dict[str, float]:
    """The framework's ``coverage_floor`` settings (shares of real cells), defaults 2/3 each."""
    given = spec.get("coverage_floor") or {}
    if not isinstance(given, dict) or set(given) - set(DEFAULT_FLOORS):
        raise ConfigError(
            f"coverage_floor takes {sorted(DEFAULT_FLOORS)} (shares from 0 to 1), got {given!r}",
            path="framework",
        )
    floors = {**DEFAULT_FLOORS, **{k: _share(v) for k, v in given.items()}}
    bad = {k: v for k, v in floors.items() if not 0 <= v <= 1}
    if bad:
        raise ConfigError(f"coverage_floor shares must be from 0 to 1, got {bad}", path="framework")
    return floors


def _share(value: object) -> float:
    """A share written as 0.5 or as a fraction "2/3"."""
    text = str(value).strip()
    try:
        if "/" in text:
            top, bottom = text.split("/", 1)
            return float(top) / float(bottom)
        return float(text)
    except (ValueError, ZeroDivisionError):
        raise ConfigError(
            f"coverage_floor: expected a share like 0.5 or 2/3, got {value!r}", path="framework"
        ) from None


@dataclass
class Coverage:
    """Who and what has enough real data: computed once per run, stored with it (``RunRecord.coverage``)."""

    floors: dict[str, float]
    indicator_real: dict[str, int]
    indicator_included: dict[str, bool]
    unit_real: dict[str, int]
    unit_ranked: dict[str, bool]
    dimension_real: dict[tuple[str, str], tuple[int, int]]  # (unit, dimension) -> (real, total)
    n_units: int

    def dimensions_below_floor(self) -> set[tuple[str, str]]:
        return {
            key
            for key, (real, total) in self.dimension_real.items()
            if total and real / total < self.floors["dimension"]
        }

    def table(self) -> pd.DataFrame:
        rows = [
            {
                "unit_key": "",
                "code": code,
                "real": real,
                "total": self.n_units,
                "included": self.indicator_included[code],
                "reason": None
                if self.indicator_included[code]
                else f"real data for {real} of {self.n_units} units, below the floor of "
                f"{self.floors['indicator']:.0%}",
            }
            for code, real in self.indicator_real.items()
        ]
        below = self.dimensions_below_floor()
        for (unit, dim), (real, total) in self.dimension_real.items():
            ranked = self.unit_ranked[unit]
            included = ranked and (unit, dim) not in below
            reason = None
            if not ranked:
                reason = "unit not ranked: insufficient data"
            elif not included:
                reason = f"real data for {real} of {total} indicators, below the floor"
            rows.append(
                {
                    "unit_key": unit,
                    "code": dim,
                    "real": real,
                    "total": total,
                    "included": included,
                    "reason": reason,
                }
            )
        return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)


def assess_coverage(
    cells: pd.DataFrame, spec: dict, units: list[str], floors: dict[str, float]
) -> Coverage:
    """Apply the floors: an indicator with real data for fewer than ``floors['indicator']`` of the units
    is left out; a unit with real data for fewer than ``floors['unit']`` of the scored indicators is not
    ranked; a ranked unit below ``floors['dimension']`` in a dimension gets no score for it."""
    indicators = indicator_specs(spec)
    parent = {str(i["code"]): str(i.get("parent")) for i in indicators}
    real = cells[cells["unit_key"].isin(units)].assign(real=lambda f: f["real"].astype(bool))
    by_indicator = real.groupby("indicator")["real"].sum()
    n = len(units)
    indicator_real = {c: int(by_indicator.get(c, 0)) for c in parent}
    included = {c: n > 0 and indicator_real[c] / n >= floors["indicator"] for c in parent}
    scored = [c for c in parent if included[c]]
    scored_cells = real[real["indicator"].isin(scored)]
    per_unit = scored_cells.groupby("unit_key")["real"].sum()
    unit_real = {u: int(per_unit.get(u, 0)) for u in units}
    ranked = {u: bool(scored) and unit_real[u] / len(scored) >= floors["unit"] for u in units}
    dimension_real: dict[tuple[str, str], tuple[int, int]] = {}
    dims = sorted({parent[c] for c in scored})
    real_pairs = set(
        zip(
            scored_cells["unit_key"][scored_cells["real"]],
            scored_cells["indicator"][scored_cells["real"]],
            strict=True,
        )
    )
    for u in units:
        for d in dims:
            members = [c for c in scored if parent[c] == d]
            dimension_real[(u, d)] = (sum((u, c) in real_pairs for c in members), len(members))
    return Coverage(floors, indicator_real, included, unit_real, ranked, dimension_real, n)


def blank_dimensions(results: pd.DataFrame, below: set[tuple[str, str]]) -> pd.DataFrame:
    """No score or rank for a unit's dimension below the floor; the others re-ranked without it."""
    if not below:
        return results
    results = results.copy()
    mask = pd.Series(
        [(u, c) in below for u, c in zip(results["unit_key"], results["code"], strict=True)],
        index=results.index,
    )
    results.loc[mask, "score"] = np.nan
    codes = {c for _, c in below}
    for _key, group in results[results["code"].isin(codes)].groupby(["scheme", "code"]):
        new_rank = group["score"].rank(ascending=False, method="min")
        results.loc[group.index, "rank"] = new_rank.astype("Int64")
    return results
