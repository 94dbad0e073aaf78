"""Bring your own panel: what the store holds for a framework (the coverage grid), per indicator x unit:
what the evaluation would find (the same cell selection and evidence rules: real, stale, unverified, no
source, other scope / year, missing).

The template workbook for the user's data is ``panel_template`` (its sheets ``panel_columns``); a framework
from a weights sheet is ``panel_framework``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from aicity.errors import InputError
from aicity.store import Store
from aicity.store import core as store_core
from aicity.workflows.cells import (
    derive_cells,
    evaluation_units,
    helper_specs,
    reference_year_of,
    select_cells,
)
from aicity.workflows.coverage import coverage_floors
from aicity.workflows.evaluate_specs import derive_inputs, indicator_specs, load_framework_spec
from aicity.workflows.series import carry_forward as carry

COVERAGE_STATUSES = (
    "real",
    "stale",
    "unverified",
    "no_source",
    "other_scope",
    "other_year",
    "missing",
)
COVERAGE_NAMES = {
    "real": ("可核实", "real"),
    "stale": ("可核实（早于参考年）", "real, older than the reference year"),
    "unverified": ("未核实/估计/样本", "unverified, estimate or sample"),
    "no_source": ("无来源", "no source"),
    "other_scope": ("口径/单位不符", "other unit or scope"),
    "other_year": ("其他年份", "another year than the indicator's"),
    "missing": ("缺失", "missing"),
}


@dataclass
class StoreCoverage:
    framework: str
    reference_year: int
    cells: pd.DataFrame  # indicator, unit_key, status, value, year, flags
    indicators: (
        pd.DataFrame
    )  # code, name_zh, name_en, real, n_units, share, scored (passes the floor)
    units: pd.DataFrame  # unit_key, name_zh, name_en
    floor: float

    def matrix(self, names: str = "name_zh") -> pd.DataFrame:
        """Indicators (rows, by name) x units (columns, by name) of statuses."""
        wide = self.cells.pivot(index="indicator", columns="unit_key", values="status")
        wide = wide.reindex(
            index=list(self.indicators["code"]), columns=list(self.units["unit_key"])
        )
        wide.columns = list(self.units[names].fillna(self.units["unit_key"]))
        frame = wide.reset_index(names="indicator")
        frame.insert(1, "name_zh", list(self.indicators["name_zh"]))
        frame.insert(2, "name_en", list(self.indicators["name_en"]))
        frame.insert(3, "real", list(self.indicators["real"]))
        return frame


def coverage_status(flags: str, real: bool, has_value: bool) -> str:
    words = flags.split()
    if real:
        return "stale" if "stale" in words else "real"
    if has_value and "absent_flag" not in words:
        return "no_source" if "no_source" in words else "unverified"
    for reason in ("other_scope", "other_year"):
        if reason in words:
            return reason
    return "missing"


def store_coverage(
    store: Store,
    framework: str | Path | None = None,
    year: int | None = None,
    max_age: int = 3,
    carry_forward: bool | None = None,
) -> StoreCoverage:
    """What the evaluation would find in the store for each indicator x unit of ``framework``."""
    spec, _ = load_framework_spec(framework)
    unit_type = spec.get("unit_type", "city")
    indicators = [i for i in indicator_specs(spec) if not i.get("from_city")]
    codes = [str(i["code"]) for i in indicators]
    inputs = [c for c in derive_inputs(indicators) if c not in codes]
    obs = store_core.observations(store, unit_type=unit_type, indicators=codes + inputs)
    units = evaluation_units(store, unit_type)
    if units.empty:
        raise InputError(
            f"no {unit_type} units in the store",
            fix="ingest the template's cities sheet first (aicity ingest panel.xlsx --table cities --sheet cities)",
        )
    year = reference_year_of(obs, codes, max_age) if year is None else int(year)
    keys = list(units["unit_key"])
    cells = select_cells(obs, keys, indicators, year, max_age)
    if inputs:
        helpers = select_cells(obs, keys, helper_specs(store, inputs), year, max_age)
        cells = derive_cells(cells, indicators, helpers)
    if carry_forward if carry_forward is not None else bool(spec.get("carry_forward")):
        cells = carry(cells, obs, indicators, year, max_age)
    flags = cells["flags"].fillna("").astype(str)
    cells = cells.assign(
        flags=flags,
        status=[
            coverage_status(f, bool(r), pd.notna(v))
            for f, r, v in zip(flags, cells["real"], cells["value"], strict=True)
        ],
    )
    n = len(keys)
    floor = coverage_floors(spec)["indicator"]
    real = cells[cells["status"].isin(["real", "stale"])].groupby("indicator").size()
    summary = pd.DataFrame(
        {
            "code": codes,
            "name_zh": [str(i.get("name_zh") or i["code"]) for i in indicators],
            "name_en": [str(i.get("name_en") or i["code"]) for i in indicators],
            "real": [int(real.get(c, 0)) for c in codes],
        }
    )
    summary["n_units"] = n
    summary["share"] = summary["real"] / n if n else 0.0
    summary["scored"] = summary["share"] >= floor
    return StoreCoverage(
        framework=str(spec.get("name")),
        reference_year=year,
        cells=cells[["indicator", "unit_key", "status", "value", "year", "flags"]],
        indicators=summary,
        units=units[["unit_key", "name_zh", "name_en"]].reset_index(drop=True),
        floor=floor,
    )
