"""Which observation fills each unit x indicator cell of an evaluation, and what the cell is flagged.

Per cell: the latest observation at or before the reference year and at most ``max_age`` years older than
it (flags never go stale: a designation stays until revoked); only observations whose scope (their ``unit``
text) matches the indicator's unit in the framework; plan targets are never actuals. Cells are flagged
``missing``, ``imputed``, ``stale`` (older than the reference year), ``estimate``, ``unverified``,
``lower_bound``, ``derived`` and ``absent_flag`` (a designation not found = 0).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aicity.errors import InputError
from aicity.io.outlets import grade
from aicity.store import Store
from aicity.store import core as store_core
from aicity.store.runs import CELL_COLUMNS
from aicity.workflows.evaluate_specs import derive_inputs, indicator_specs
from aicity.workflows.selection import indicator_year, scope_base, scope_matches

RELIABILITY_ORDER = {"A": 3, "B": 2, "C": 1}
# a designation written as text (a flag cell, a yes/no setting)
YES_WORDS = ("yes", "true", "1", "是")
NO_WORDS = ("no", "false", "0", "否")
# reasons a unit's observations were passed over; they explain a missing cell, never a chosen one
PASSED_OVER = ("other_scope", "other_year")


@dataclass(frozen=True)
class _Rule:
    """What one indicator accepts: its code, whether it is a designation (flag), its unit and scopes."""

    code: str
    is_flag: bool
    wanted: str
    accepted: list[str] | None

    @classmethod
    def of(cls, indicator: dict) -> _Rule:
        is_flag = indicator.get("value_type") == "flag" or indicator.get("unit") == "flag"
        return cls(
            str(indicator["code"]),
            is_flag,
            str(indicator.get("unit") or ""),
            indicator.get("scopes"),
        )

    def in_scope(self, group: pd.DataFrame) -> pd.DataFrame:
        return group[[scope_matches(u, self.wanted, self.accepted) for u in group["unit"]]]


def _flag_value(row: pd.Series) -> float:
    """Flags are stored as 1/0 or yes/no text."""
    if pd.notna(row.get("value")):
        return float(row["value"])
    text = str(row.get("value_text") or "").strip().lower()
    return 1.0 if text in YES_WORDS else 0.0 if text in NO_WORDS else np.nan


def select_cells(
    observations: pd.DataFrame, units: list[str], indicators: list[dict], year: int, max_age: int
) -> pd.DataFrame:
    """One row per unit x indicator: the chosen observation (or none), its flags and whether it is real.

    A number indicator takes all its values from one year (``indicator_year``); a value of another year
    is left out (flag ``other_year``) rather than mixed in. Flags (designations) keep their own dates.
    """
    obs = observations[observations["kind"] != "plan_target"].copy()
    if "source_url" not in obs.columns:
        obs["source_url"] = None
    by_key = {k: g for k, g in obs.groupby(["unit_key", "indicator"], sort=False)}
    by_indicator = {k: g for k, g in obs.groupby("indicator", sort=False)}
    rows = []
    for ind in indicators:
        rule = _Rule.of(ind)
        the_year = None
        if not rule.is_flag and rule.code in by_indicator:
            the_year = indicator_year(rule.in_scope(by_indicator[rule.code]), year, max_age)
        for unit in units:
            group = by_key.get((unit, rule.code))
            rows.append(_cell(unit, rule, group, year, max_age, the_year))
    return pd.DataFrame(rows, columns=CELL_COLUMNS)


def _cell(
    unit: str,
    rule: _Rule,
    group: pd.DataFrame | None,
    year: int,
    max_age: int,
    the_year: int | None,
) -> dict:
    flags: list[str] = []
    if group is None:
        return _empty_cell(unit, rule, flags)
    in_scope = rule.in_scope(group)
    if in_scope.empty and len(group):
        flags.append("other_scope")
    years = in_scope["year"]
    if rule.is_flag:
        # a designation not held at a later date was not held earlier either
        not_held = pd.to_numeric(in_scope["value"], errors="coerce").eq(0)
        usable = in_scope[years.isna() | (years <= year) | not_held]
    else:
        usable = in_scope[(years <= year) & (years >= year - max_age)]
        if the_year is not None:
            if len(usable) and not (usable["year"] == the_year).any():
                flags.append("other_year")
            usable = usable[usable["year"] == the_year]
    if not len(usable):
        return _empty_cell(unit, rule, flags)
    return _chosen_cell(unit, rule, _best(usable), flags, year)


def _best(usable: pd.DataFrame) -> pd.Series:
    """Latest year first; among equals prefer actual, verified, sourced, reliable, exact values."""
    ranked = usable.assign(
        _y=usable["year"].fillna(-1),
        _k=(usable["kind"] == "actual").astype(int),
        _v=usable["verified"].astype(bool).astype(int),
        _u=usable["source_url"].fillna("").astype(str).str.strip().ne("").astype(int),
        _r=usable["reliability"].map(RELIABILITY_ORDER).fillna(0),
        _lb=~usable["unit"].astype(str).str.contains("lower bound", case=False),
    ).sort_values(["_y", "_k", "_v", "_u", "_r", "_lb", "obs_id"], ascending=False)
    return ranked.iloc[0]


def _empty_cell(unit: str, rule: _Rule, flags: list[str]) -> dict:
    """No usable observation: a designation not found counts 0 (unless only other scopes were found)."""
    row = {
        "unit_key": unit,
        "indicator": rule.code,
        "obs_id": None,
        "year": None,
        "source_id": None,
        "real": False,
    }
    if rule.is_flag and "other_scope" not in flags:
        return {**row, "value": 0.0, "unit": "flag", "flags": "absent_flag"}
    return {**row, "value": np.nan, "unit": rule.wanted, "flags": " ".join(["missing", *flags])}


def _chosen_cell(unit: str, rule: _Rule, chosen: pd.Series, flags: list[str], year: int) -> dict:
    value = _flag_value(chosen) if rule.is_flag else float(chosen["value"])
    if not rule.is_flag and pd.notna(chosen["year"]) and int(chosen["year"]) < year:
        flags.append("stale")
    if chosen["kind"] == "estimate":
        flags.append("estimate")
    if rule.code.startswith("inv_"):
        flags.append("derived")
    elif not bool(chosen["verified"]):
        flags.append("unverified")
    has_url = bool(str(chosen.get("source_url") or "").strip()) and not (
        isinstance(chosen.get("source_url"), float)
    )
    if not has_url:
        flags.append("no_source")
    elif grade(str(chosen.get("source_url"))).outlet_type == "content_farm":
        # scored (it has a source), but the page is a copy on a content farm: shown per cell
        flags.append("weak_source")
    unit_text = str(chosen["unit"])
    if "lower bound" in unit_text.lower():
        flags.append("lower_bound")
    if (
        "sample" in unit_text.lower()
        or "sample" in str(chosen.get("kind"))
        or "sample firm list" in str(chosen.get("note") or "")
    ):
        flags.append("sample")
    real = (
        has_url
        and bool(chosen["verified"])
        and chosen["kind"] == "actual"
        and "sample" not in flags
        and not pd.isna(value)
    )
    return {
        "unit_key": unit,
        "indicator": rule.code,
        "obs_id": int(chosen["obs_id"]),
        "year": None if pd.isna(chosen["year"]) else int(chosen["year"]),
        "value": value,
        "unit": unit_text,
        "source_id": None if pd.isna(chosen["source_id"]) else int(chosen["source_id"]),
        "flags": " ".join(f for f in flags if f not in PASSED_OVER),
        "real": bool(real),
    }


def derive_cells(cells: pd.DataFrame, indicators: list[dict], extra: pd.DataFrame) -> pd.DataFrame:
    """Fill missing cells of indicators with a ``derive`` rule from two other selected cells of the same
    year; the derived cell keeps every input flag plus ``derived`` and is real only if both inputs are."""
    cells = cells.copy()
    parts = (
        pd.concat([cells, extra])
        .drop_duplicates(["unit_key", "indicator"])
        .set_index(["unit_key", "indicator"])
    )
    for ind in indicators:
        rule = ind.get("derive")
        if not rule:
            continue
        mask = (cells["indicator"] == ind["code"]) & cells["value"].isna()
        for i in cells.index[mask]:
            unit = cells.at[i, "unit_key"]
            key_num, key_den = (unit, rule["numerator"]), (unit, rule["denominator"])
            if key_num not in parts.index or key_den not in parts.index:
                continue
            num, den = parts.loc[key_num], parts.loc[key_den]
            if pd.isna(num["value"]) or pd.isna(den["value"]) or not den["value"]:
                continue
            if num["year"] != den["year"]:
                cells.at[i, "flags"] = (str(cells.at[i, "flags"]) + " years_differ").strip()
                continue
            flags = {*str(num["flags"]).split(), *str(den["flags"]).split()} - {""}
            cells.at[i, "value"] = (
                float(num["value"]) / float(den["value"]) * float(rule.get("scale", 1))
            )
            cells.at[i, "year"] = num["year"]
            cells.at[i, "flags"] = " ".join(sorted(flags | {"derived"}))
            cells.at[i, "real"] = bool(num["real"]) and bool(den["real"])
    return cells


def helper_specs(store: Store, codes: list[str]) -> list[dict]:
    """Indicator rules for codes the framework does not score (denominators, derive inputs): the unit the
    store's indicator registry gives them, without its qualifier."""
    registry = store_core.indicators(store).set_index("code")
    return [
        {"code": c, "unit": scope_base(registry.at[c, "unit"]) if c in registry.index else ""}
        for c in codes
    ]


def city_cells(
    store: Store, units: pd.DataFrame, indicators: list[dict], year: int, max_age: int
) -> pd.DataFrame:
    """Cells of ``from_city`` indicators: the value of the unit's city, flagged ``city_level``."""
    city_obs = store_core.observations(
        store, unit_type="city", indicators=[str(i["code"]) for i in indicators]
    )
    cities = sorted(set(units["city_code"].dropna()))
    by_city = select_cells(city_obs, cities, indicators, year, max_age)
    merged = units[["unit_key", "city_code"]].merge(
        by_city.rename(columns={"unit_key": "city_code"}), on="city_code", how="left"
    )
    merged["flags"] = (merged["flags"].fillna("") + " city_level").str.strip()
    return merged.drop(columns=["city_code"])


def reference_year_of(observations: pd.DataFrame, codes: list[str], max_age: int = 3) -> int:
    """Default reference year: the year whose age window (``max_age`` years back) lets the most
    unit x indicator cells be filled with actual observations; ties go to the later year."""
    obs = observations[
        observations["indicator"].isin(codes) & (observations["kind"] == "actual")
    ].dropna(subset=["year"])
    this_year = dt.date.today().year
    obs = obs[obs["year"] <= this_year]
    if obs.empty:
        return this_year
    years = obs["year"].astype(int)
    best_year, best_count = this_year, -1
    for candidate in sorted(set(years)):
        window = obs[(years <= candidate) & (years >= candidate - max_age)]
        count = len(window.drop_duplicates(["unit_key", "indicator"]))
        if count >= best_count:
            best_year, best_count = candidate, count
    return int(best_year)


def evaluation_units(store: Store, unit_type: str) -> pd.DataFrame:
    """The units an evaluation of ``unit_type`` ranks (cities, or parks placed at their city)."""
    if unit_type == "city":
        cities = store_core.cities(store)
        return pd.DataFrame(
            {
                "unit_key": cities["code"],
                "unit_type": "city",
                "name_zh": cities["name_zh"],
                "name_en": cities["name_en"],
                "city_code": cities["code"],
                "longitude": cities["longitude"],
                "latitude": cities["latitude"],
            }
        )
    parks = store_core.parks(store)
    cities = store_core.cities(store).set_index("code")
    return pd.DataFrame(
        {
            "unit_key": parks["park_id"],
            "unit_type": "park",
            "name_zh": parks["name_zh"],
            "name_en": parks["name_en"],
            "city_code": parks["city_code"],
            "longitude": parks["city_code"].map(cities["longitude"]),
            "latitude": parks["city_code"].map(cities["latitude"]),
        }
    )


def data_hash(cells: pd.DataFrame) -> str:
    """SHA-256 of the selected input cells (unit, indicator, observation, year, value)."""
    canonical = cells.sort_values(["unit_key", "indicator"])[
        ["unit_key", "indicator", "obs_id", "year", "value"]
    ]
    return hashlib.sha256(canonical.to_csv(index=False).encode("utf-8")).hexdigest()


# ----- every cell of one evaluation -------------------------------------------------------------------
@dataclass
class Selection:
    """The cells an evaluation found: its units, the framework's cells and the helper cells beside them."""

    unit_type: str
    year: int
    units: pd.DataFrame
    cells: pd.DataFrame  # CELL_COLUMNS, one row per unit x framework indicator
    helper_cells: pd.DataFrame  # denominators and derive inputs the framework does not score
    codes: list[str]  # the framework's indicators
    denominators: list[str]

    @property
    def keys(self) -> list[str]:
        return list(self.units["unit_key"])


def gather_cells(
    store: Store,
    spec: dict,
    unit_type: str,
    year: int | None,
    max_age: int,
    carry_forward: bool | None,
) -> Selection:
    """Every cell the evaluation of ``spec`` scores: own cells, city context, derived and carried values."""
    indicators = indicator_specs(spec)
    codes = [str(i["code"]) for i in indicators]
    denominators = sorted({str(i["denominator"]) for i in indicators if i.get("denominator")})
    helpers = [c for c in [*denominators, *derive_inputs(indicators)] if c not in codes]
    obs = store_core.observations(store, unit_type=unit_type, indicators=codes + helpers)
    units = evaluation_units(store, unit_type)
    if units.empty:
        table = "cities" if unit_type == "city" else "parks"
        raise InputError(
            f"the store has no {table}",
            fix=f"run `aicity demo`, or `aicity ingest FILE --table {table}` then "
            "`aicity ingest FILE --table observations`",
        )
    if obs.empty:
        raise InputError(
            f"the store has no observations of framework {spec.get('name')!r}'s indicators",
            fix="run `aicity demo`, or `aicity ingest FILE --table observations`",
        )
    year = reference_year_of(obs, codes, max_age) if year is None else int(year)
    own = [i for i in indicators if not i.get("from_city")]
    inherited = [i for i in indicators if i.get("from_city")]
    cells = select_cells(obs, list(units["unit_key"]), own, year, max_age)
    if unit_type == "park":
        units, cells = _parks_with_data(units, cells)
    if inherited:
        cells = pd.concat(
            [cells, city_cells(store, units, inherited, year, max_age)], ignore_index=True
        )
    keys = list(units["unit_key"])
    specs = helper_specs(store, helpers)
    helper_cells = select_cells(obs, keys, specs, year, max_age) if specs else cells.iloc[0:0]
    cells = derive_cells(cells, indicators, helper_cells)
    if spec.get("carry_forward") if carry_forward is None else carry_forward:
        from aicity.workflows.series import carry_forward as carry

        cells = carry(cells, obs, own, year, max_age)
    cells = cells.reset_index(drop=True)
    return Selection(unit_type, year, units, cells, helper_cells, codes, denominators)


def _parks_with_data(units: pd.DataFrame, cells: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Only the parks with data of their own are evaluated; the city context alone ranks nothing."""
    has_data = cells[cells["value"].notna() & ~cells["flags"].str.contains("absent_flag")]
    units = units[units["unit_key"].isin(set(has_data["unit_key"]))].reset_index(drop=True)
    if units.empty:
        raise InputError(
            "no park has data of its own for this framework",
            fix="run `aicity inventory` or ingest park observations first",
        )
    return units, cells[cells["unit_key"].isin(list(units["unit_key"]))]
