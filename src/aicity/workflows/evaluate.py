"""Evaluate cities (or parks) from the store with a framework and recipe, and store the run.

Cell selection, per unit x indicator: the latest observation at or before the reference year and at most
``max_age`` years older than it (flags never go stale: a designation stays until revoked); only observations
whose scope (their ``unit`` text) matches the indicator's unit in the framework; plan targets are never
actuals. Cells are flagged ``missing``, ``imputed``, ``stale`` (older than the reference year), ``estimate``,
``unverified``, ``lower_bound``, ``derived`` and ``absent_flag`` (a designation not found = 0).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.resources as resources
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

import aicity
from aicity.errors import ConfigError, InputError
from aicity.index.framework import NODE_KEYS
from aicity.io.outlets import grade
from aicity.store import Store
from aicity.store import core as store_core
from aicity.store.runs import CELL_COLUMNS, RunRecord, StoredRun, save_run
from aicity.workflows.selection import (
    indicator_year,
    scope_base,
    scope_matches,
)

DEFAULT_FRAMEWORK = "china_ai_20"
ALTERNATIVE_RECIPES = ("entropy", "ahp", "geometric")


@dataclass
class Evaluation:
    run_id: str
    record: RunRecord
    result: Any  # aicity.index.IndexResult of the default recipe


# ----- loading the framework and recipes -----------------------------------------------------------------
def _package_text(*parts: str) -> str:
    return resources.files("aicity.data.frameworks").joinpath("/".join(parts)).read_text("utf-8")


def load_framework_spec(framework: str | Path | None) -> tuple[dict, str]:
    """The framework YAML as a dict plus its text: a bundled name (``china_ai_20``) or a file path."""
    name = DEFAULT_FRAMEWORK if framework is None else str(framework)
    path = Path(name)
    if path.suffix in (".yaml", ".yml"):
        if not path.exists():
            raise ConfigError(
                "framework file not found (give a .yaml path or a bundled name)", path=name
            )
        text = path.read_text(encoding="utf-8")
    else:
        try:
            text = _package_text(f"{name}.yaml")
        except FileNotFoundError:
            raise ConfigError(
                f"unknown framework {name!r}; bundled: {DEFAULT_FRAMEWORK} (or pass a .yaml file)",
                path="--framework",
            ) from None
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}".replace("\n", " "), path=name) from None
    if not isinstance(spec, dict) or not isinstance(spec.get("nodes"), list):
        raise ConfigError("expected a mapping with a list 'nodes'", path=name)
    return spec, text


def load_recipe_text(recipe: str | Path | None) -> str:
    """Recipe YAML text: a bundled name (default, entropy, ahp, geometric) or a file path."""
    name = "default" if recipe is None else str(recipe)
    path = Path(name)
    if path.suffix in (".yaml", ".yml"):
        if not path.exists():
            raise ConfigError("recipe file not found", path=name)
        return path.read_text(encoding="utf-8")
    try:
        return _package_text("recipes", f"{name}.yaml")
    except FileNotFoundError:
        raise ConfigError(
            f"unknown recipe {name!r}; bundled: default, {', '.join(ALTERNATIVE_RECIPES)} (or a .yaml file)",
            path="--recipe",
        ) from None


def _indicator_specs(spec: dict) -> list[dict]:
    return [n for n in spec["nodes"] if int(n.get("level", 1) or 1) == 1 and n.get("code")]


def engine_spec(spec: dict) -> dict:
    """The framework dict with only the keys the index engine reads (ours are kept for the evaluation)."""
    clean = {k: v for k, v in spec.items() if k in ("name", "levels", "unit_type", "index")}
    clean["nodes"] = [{k: v for k, v in n.items() if k in NODE_KEYS} for n in spec["nodes"]]
    return clean


# ----- cell selection ----------------------------------------------------------------------------------
def _flag_value(row: pd.Series) -> float:
    """Flags are stored as 1/0 or yes/no text."""
    if pd.notna(row.get("value")):
        return float(row["value"])
    text = str(row.get("value_text") or "").strip().lower()
    return (
        1.0
        if text in ("yes", "true", "1", "是")
        else 0.0
        if text in ("no", "false", "0", "否")
        else np.nan
    )


def select_cells(
    observations: pd.DataFrame, units: list[str], indicators: list[dict], year: int, max_age: int
) -> pd.DataFrame:
    """One row per unit x indicator: the chosen observation (or none), its flags and whether it is real.

    A number indicator takes all its values from one year (``indicator_year``); a value of another year
    is left out (flag ``other_year``) rather than mixed in. Flags (designations) keep their own dates.
    """
    obs = observations.copy()
    obs = obs[obs["kind"] != "plan_target"]
    if "source_url" not in obs.columns:
        obs["source_url"] = None
    rows = []
    by_key = {k: g for k, g in obs.groupby(["unit_key", "indicator"], sort=False)}
    by_indicator = {k: g for k, g in obs.groupby("indicator", sort=False)}
    for ind in indicators:
        code = str(ind["code"])
        is_flag = ind.get("value_type") == "flag" or ind.get("unit") == "flag"
        wanted = str(ind.get("unit") or "")
        accepted = ind.get("scopes")
        the_year = None
        if not is_flag and code in by_indicator:
            group_all = by_indicator[code]
            in_scope_all = group_all[
                [scope_matches(u, wanted, accepted) for u in group_all["unit"]]
            ]
            the_year = indicator_year(in_scope_all, year, max_age)
        for unit in units:
            group = by_key.get((unit, code))
            flags: list[str] = []
            chosen = None
            if group is not None:
                in_scope = group[[scope_matches(u, wanted, accepted) for u in group["unit"]]]
                if in_scope.empty and len(group):
                    flags.append("other_scope")
                years = in_scope["year"]
                if is_flag:
                    # a designation not held at a later date was not held earlier either
                    not_held = pd.to_numeric(in_scope["value"], errors="coerce").eq(0)
                    usable = in_scope[years.isna() | (years <= year) | not_held]
                else:
                    usable = in_scope[(years <= year) & (years >= year - max_age)]
                    if the_year is not None:
                        if len(usable) and not (usable["year"] == the_year).any():
                            flags.append("other_year")
                        usable = usable[usable["year"] == the_year]
                if len(usable):
                    # latest year first; among equals prefer actual, verified, reliable sources
                    ranked = usable.assign(
                        _y=usable["year"].fillna(-1),
                        _k=(usable["kind"] == "actual").astype(int),
                        _v=usable["verified"].astype(bool).astype(int),
                        _u=usable["source_url"]
                        .fillna("")
                        .astype(str)
                        .str.strip()
                        .ne("")
                        .astype(int),
                        _r=usable["reliability"].map({"A": 3, "B": 2, "C": 1}).fillna(0),
                        _lb=~usable["unit"].astype(str).str.contains("lower bound", case=False),
                    ).sort_values(["_y", "_k", "_v", "_u", "_r", "_lb", "obs_id"], ascending=False)
                    chosen = ranked.iloc[0]
            if chosen is None:
                if is_flag and "other_scope" not in flags:
                    rows.append(
                        {
                            "unit_key": unit,
                            "indicator": code,
                            "obs_id": None,
                            "year": None,
                            "value": 0.0,
                            "unit": "flag",
                            "source_id": None,
                            "flags": "absent_flag",
                            "real": False,
                        }
                    )
                    continue
                rows.append(
                    {
                        "unit_key": unit,
                        "indicator": code,
                        "obs_id": None,
                        "year": None,
                        "value": np.nan,
                        "unit": wanted,
                        "source_id": None,
                        "flags": " ".join(["missing", *flags]),
                        "real": False,
                    }
                )
                continue
            value = _flag_value(chosen) if is_flag else float(chosen["value"])
            if not is_flag and pd.notna(chosen["year"]) and int(chosen["year"]) < year:
                flags.append("stale")
            if chosen["kind"] == "estimate":
                flags.append("estimate")
            if code.startswith("inv_"):
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
            if "lower bound" in str(chosen["unit"]).lower():
                flags.append("lower_bound")
            if (
                "sample" in str(chosen["unit"]).lower()
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
            flags = [f for f in flags if f not in ("other_scope", "other_year")]
            rows.append(
                {
                    "unit_key": unit,
                    "indicator": code,
                    "obs_id": int(chosen["obs_id"]),
                    "year": None if pd.isna(chosen["year"]) else int(chosen["year"]),
                    "value": value,
                    "unit": str(chosen["unit"]),
                    "source_id": None if pd.isna(chosen["source_id"]) else int(chosen["source_id"]),
                    "flags": " ".join(flags),
                    "real": bool(real),
                }
            )
    return pd.DataFrame(rows, columns=CELL_COLUMNS)


def _derive_cells(cells: pd.DataFrame, indicators: list[dict], extra: pd.DataFrame) -> pd.DataFrame:
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


def _city_cells(
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


# ----- evidence rules: coverage floors ------------------------------------------------------------------
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
    """Who and what has enough real data: computed once per run, stored with it (``eval_coverage``)."""

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
        return pd.DataFrame(
            rows, columns=["unit_key", "code", "real", "total", "included", "reason"]
        )


def assess_coverage(
    cells: pd.DataFrame, spec: dict, units: list[str], floors: dict[str, float]
) -> Coverage:
    """Apply the floors: an indicator with real data for fewer than ``floors['indicator']`` of the units
    is left out; a unit with real data for fewer than ``floors['unit']`` of the scored indicators is not
    ranked; a ranked unit below ``floors['dimension']`` in a dimension gets no score for it."""
    indicators = _indicator_specs(spec)
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


def _spec_without(spec: dict, left_out: set[str]) -> dict:
    """The framework without the left-out indicators (and any parent left with no children)."""
    nodes = [n for n in spec["nodes"] if str(n.get("code")) not in left_out]
    while True:
        parents = {str(n.get("parent")) for n in nodes}
        empty = [
            n for n in nodes if int(n.get("level", 1) or 1) > 1 and str(n["code"]) not in parents
        ]
        if not empty:
            break
        gone = {str(n["code"]) for n in empty}
        nodes = [n for n in nodes if str(n["code"]) not in gone]
    return {**spec, "nodes": nodes}


def _blank_dimensions(results: pd.DataFrame, below: set[tuple[str, str]]) -> pd.DataFrame:
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


def _units(store: Store, unit_type: str) -> pd.DataFrame:
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


# ----- the run ------------------------------------------------------------------------------------------
def evaluate(
    store: Store,
    framework: str | Path | None = None,
    recipe: str | Path | None = None,
    year: int | None = None,
    max_age: int = 3,
    alternatives: tuple[str, ...] | None = ALTERNATIVE_RECIPES,
    unit_type: str | None = None,
    label: str | None = None,
    carry_forward: bool | None = None,
) -> Evaluation:
    """Run the framework on the store's data, store the run (with alternative recipes), return it.

    ``carry_forward`` (default: the framework's ``carry_forward`` setting, else off): before imputation,
    a unit without a real value for an indicator's year keeps its own latest earlier real value within
    ``max_age``, flagged ``stale carried`` (see ``aicity.workflows.series``)."""
    from aicity.index import Framework, Recipe, build

    if max_age < 0:
        raise ConfigError(f"max age must be 0 or more years, got {max_age}", path="--max-age")
    spec, framework_text = load_framework_spec(framework)
    unit_type = unit_type or spec.get("unit_type", "city")
    indicators = _indicator_specs(spec)
    codes = [str(i["code"]) for i in indicators]
    denominators = sorted({str(i["denominator"]) for i in indicators if i.get("denominator")})
    derive_inputs = sorted(
        {
            str(i["derive"][k])
            for i in indicators
            if i.get("derive")
            for k in ("numerator", "denominator")
        }
    )
    helpers = [c for c in [*denominators, *derive_inputs] if c not in codes]
    obs = store_core.observations(store, unit_type=unit_type, indicators=codes + helpers)
    units = _units(store, unit_type)
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
    registry = store_core.indicators(store).set_index("code")
    helper_specs = [
        {"code": c, "unit": scope_base(registry.at[c, "unit"]) if c in registry.index else ""}
        for c in helpers
    ]
    own = [i for i in indicators if not i.get("from_city")]
    inherited = [i for i in indicators if i.get("from_city")]
    keys = list(units["unit_key"])
    cells = select_cells(obs, keys, own, year, max_age)
    if unit_type == "park":
        # evaluate only the parks with data of their own; the city context alone ranks nothing
        has_data = cells[cells["value"].notna() & ~cells["flags"].str.contains("absent_flag")]
        units = units[units["unit_key"].isin(set(has_data["unit_key"]))].reset_index(drop=True)
        if units.empty:
            raise InputError(
                "no park has data of its own for this framework",
                fix="run `aicity inventory` or ingest park observations first",
            )
        keys = list(units["unit_key"])
        cells = cells[cells["unit_key"].isin(keys)]
    if inherited:
        cells = pd.concat(
            [cells, _city_cells(store, units, inherited, year, max_age)], ignore_index=True
        )
    helper_cells = (
        select_cells(obs, keys, helper_specs, year, max_age) if helper_specs else cells.iloc[0:0]
    )
    cells = _derive_cells(cells, indicators, helper_cells)
    if spec.get("carry_forward") if carry_forward is None else carry_forward:
        from aicity.workflows.series import carry_forward as carry

        cells = carry(cells, obs, own, year, max_age)
    cells = cells.reset_index(drop=True)
    floors = coverage_floors(spec)
    coverage = assess_coverage(cells, spec, keys, floors)
    scored_codes = [c for c in codes if coverage.indicator_included[c]]
    if not scored_codes:
        raise InputError(
            f"no indicator of framework {spec.get('name')!r} has real data for "
            f"{floors['indicator']:.0%} of the {unit_type} units",
            fix="ingest sourced observations, or lower coverage_floor.indicator in the framework",
        )
    ranked_keys = [k for k in keys if coverage.unit_ranked[k]]
    if len(ranked_keys) < 2:
        raise InputError(
            f"fewer than 2 {unit_type} units have real data for {floors['unit']:.0%} of the scored cells",
            fix="ingest more sourced observations, or lower coverage_floor.unit in the framework",
        )
    left_out = set(codes) - set(scored_codes)
    scored_spec = _spec_without(spec, left_out) if left_out else spec
    # only real cells are scored: unverified, URL-less, estimated or sample values stay in the cells table
    # (shown in the appendix) but enter the index as gaps, imputed and flagged
    real_values = cells["value"].where(cells["real"].astype(bool))
    wide = (
        cells.assign(value=real_values)
        .pivot(index="unit_key", columns="indicator", values="value")
        .reindex(index=ranked_keys, columns=scored_codes)
    )
    for den in denominators:
        source = cells if den in codes else helper_cells
        den_cells = source[source["indicator"] == den].set_index("unit_key")
        wide[den] = den_cells["value"].where(den_cells["real"].astype(bool)).reindex(ranked_keys)
    data = wide.copy()
    data.index.name = "uCode"
    data = data.reset_index()
    names = units.set_index("unit_key")["name_zh"]
    data.insert(1, "uName", names.reindex(ranked_keys).to_numpy())
    spec_for_engine = scored_spec
    fw = Framework.from_yaml(engine_spec(spec_for_engine), data=data)
    recipe_text = load_recipe_text(recipe)
    default_recipe = Recipe.from_yaml(recipe_text)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # all-missing columns (e.g. no inventory run yet) warn inside numpy; they are flagged per cell instead
        warnings.simplefilter("ignore", RuntimeWarning)
        result = build(fw, recipe=default_recipe)
        schemes = {"default": result}
        for name in alternatives or ():
            alternative = Recipe.from_yaml(load_recipe_text(name))
            try:
                schemes[name] = build(fw, recipe=alternative)
            except ConfigError:
                # an alternative written for the full framework (AHP over its three dimensions) does
                # not fit once the floors leave a dimension out: that scheme is not stored
                if scored_spec is spec:
                    raise
    dropped_dimensions = coverage.dimensions_below_floor()

    # flags raised by the pipeline (imputation) go back onto the cells
    pipeline_flags = result.flags
    if len(pipeline_flags):
        imputed = pipeline_flags[pipeline_flags["flag"].astype(str).str.startswith("imputed")]
        pairs = set(zip(imputed["uCode"].astype(str), imputed["iCode"].astype(str), strict=False))
        cells["flags"] = [
            (f + " imputed").strip() if (u, c) in pairs and "imputed" not in f else f
            for u, c, f in zip(cells["unit_key"], cells["indicator"], cells["flags"], strict=True)
        ]
    units = units.assign(
        ranked=units["unit_key"].map(coverage.unit_ranked).astype(bool),
        real_cells=units["unit_key"].map(coverage.unit_real).astype(int),
        total_cells=len(scored_codes),
    )
    record = _record(
        fw,
        spec,
        framework_text,
        default_recipe.to_yaml(),
        units,
        cells,
        schemes,
        unit_type,
        year,
        max_age,
        label,
    )
    record.results = _blank_dimensions(record.results, dropped_dimensions)
    record.coverage = coverage.table()
    save_run(store, record)
    return Evaluation(run_id=record.run_id, record=record, result=result)


def _record(
    fw, spec, framework_text, recipe_yaml, units, cells, schemes, unit_type, year, max_age, label
):
    result = schemes["default"]
    extras = {str(n["code"]): n for n in spec["nodes"]}
    effective = result.effective_weights.set_index("iCode")["EffWeight"]
    positions: dict[int, int] = {}
    nodes = []
    for code, node in fw.nodes.items():
        position = positions.get(node.level, 0)
        positions[node.level] = position + 1
        extra = extras.get(code, {})
        nodes.append(
            {
                "code": code,
                "parent": node.parent,
                "level": node.level,
                "position": position,
                "name_zh": node.name_zh,
                "name_en": node.name_en,
                "unit": node.unit or None,
                "direction": node.direction if node.level == 1 else None,
                "weight": float(result.weights.get(code, node.weight)),
                "effective_weight": float(effective.get(code, np.nan)),
                "denominator": node.denominator,
                "definition": extra.get("definition"),
            }
        )
    values = []
    for stage, frame in result.stages.items():
        long = frame.rename_axis("unit_key").reset_index().melt(id_vars="unit_key", var_name="code")
        long.insert(0, "stage", stage)
        values.append(long)
    results = []
    for scheme, res in schemes.items():
        scores = (
            res.scores.rename_axis("unit_key")
            .reset_index()
            .melt(id_vars="unit_key", var_name="code", value_name="score")
        )
        ranks = (
            res.ranks.rename_axis("unit_key")
            .reset_index()
            .melt(id_vars="unit_key", var_name="code", value_name="rank")
        )
        merged = scores.merge(ranks, on=["unit_key", "code"])
        merged["level"] = merged["code"].map(lambda c: fw.nodes[c].level)
        merged["rank"] = merged["rank"].astype("Int64")
        merged.insert(0, "scheme", scheme)
        results.append(merged)
    weights = pd.concat(
        [
            pd.DataFrame(
                {"scheme": scheme, "code": list(res.weights), "weight": list(res.weights.values())}
            )
            for scheme, res in schemes.items()
        ]
    )
    flags = result.flags.rename(columns={"uCode": "unit_key", "iCode": "code"})
    created = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    return RunRecord(
        run_id=f"{spec.get('name', 'run')}-{unit_type}-{year}-{created}-{uuid.uuid4().hex[:6]}",
        framework_name=str(spec.get("name", "framework")),
        framework_yaml=framework_text,
        recipe_yaml=recipe_yaml,
        data_hash=data_hash(cells),
        version=aicity.__version__,
        unit_type=unit_type,
        reference_year=year,
        max_age=max_age,
        label=label,
        nodes=pd.DataFrame(nodes),
        units=units,
        cells=cells,
        values=pd.concat(values, ignore_index=True),
        results=pd.concat(results),
        weights=weights,
        flags=flags if len(flags) else None,
    )


# ----- uncertainty of a stored run ---------------------------------------------------------------------
def rebuild_inputs(run: StoredRun):
    """The framework (with the run's input data) and recipe of a stored run, ready to rebuild or perturb."""
    from aicity.index import Framework, Recipe

    spec = yaml.safe_load(run.framework_yaml)
    cells = run.cells
    unit_table = run.units
    if "ranked" in unit_table.columns:
        unit_table = unit_table[unit_table["ranked"].fillna(True).astype(bool)]
    units = unit_table["unit_key"].tolist()
    coverage = run.coverage
    if len(coverage):
        # a run made under the evidence rules: only its real cells and scored indicators are rebuilt
        indicator_rows = coverage[coverage["unit_key"] == ""]
        spec = _spec_without(
            spec, set(indicator_rows["code"][~indicator_rows["included"].astype(bool)])
        )
        cells = cells.assign(value=cells["value"].where(cells["real"].astype(bool)))
    scored = [str(i["code"]) for i in _indicator_specs(spec)]
    cells = cells[cells["indicator"].isin(scored)]
    wide = cells.pivot(index="unit_key", columns="indicator", values="value").reindex(units)
    values = run.values
    helpers = values[(values["stage"] == "input") & values["unit_key"].isin(units)]
    if len(helpers):
        wide = wide.join(helpers.pivot(index="unit_key", columns="code", values="value"))
    for indicator in _indicator_specs(spec):
        den = indicator.get("denominator")
        if den and den not in wide.columns:
            raise InputError(
                f"run {run.run_id} lacks denominator column {den!r}",
                fix="evaluate again to store a complete run",
            )
    wide.index.name = "uCode"
    fw = Framework.from_yaml(engine_spec(spec), data=wide.reset_index())
    return fw, Recipe.from_yaml(run.recipe_yaml)


def load_uncertainty_spec(spec: str | Path | None = None):
    from aicity.index.uncertainty import UncertaintySpec

    if spec is not None:
        return UncertaintySpec.from_yaml(spec)
    text = _package_text("uncertainty.yaml")
    return UncertaintySpec.from_dict(
        yaml.safe_load(text), source="aicity/data/frameworks/uncertainty.yaml"
    )


def run_uncertainty_for(
    store: Store,
    run_id: str,
    n: int = 1000,
    seed: int = 1,
    sobol_n: int | None = 256,
    spec: str | Path | None = None,
    progress=None,
) -> pd.DataFrame:
    """Uncertainty (and, with ``sobol_n``, Sobol sensitivity) analysis of a stored run; results are stored
    in ``eval_uncertainty`` and returned (unit_key, code, stat, value).

    Per unit of the target: rank_nominal, rank_median, rank_mean, rank_q05, rank_q95, score_q05,
    score_median, score_q95. Per assumption (unit_key NULL, code = assumption name): S1, ST.
    """
    from aicity.index.uncertainty import run_sensitivity, run_uncertainty
    from aicity.index.uncertainty.engine import EngineModel
    from aicity.store.runs import load_run, save_uncertainty

    fw, recipe = rebuild_inputs(load_run(store, run_id))
    ua_spec = load_uncertainty_spec(spec)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        model = EngineModel(fw, recipe, target=ua_spec.target)
        ua = run_uncertainty(model, ua_spec, n, seed, progress=progress)
        sa = run_sensitivity(model, ua_spec, sobol_n, seed) if sobol_n else None
    target = ua.target
    rows = []
    rank_stats = ua.rank_stats()
    for stat, column in (
        ("rank_nominal", "nominal"),
        ("rank_mean", "mean"),
        ("rank_median", "median"),
        ("rank_q05", "q05"),
        ("rank_q95", "q95"),
    ):
        rows.append(
            pd.DataFrame(
                {
                    "unit_key": rank_stats["uCode"].astype(str),
                    "code": target,
                    "stat": stat,
                    "value": rank_stats[column].astype(float),
                }
            )
        )
    score_stats = ua.score_stats()
    for stat, column in (("score_q05", "q05"), ("score_median", "median"), ("score_q95", "q95")):
        rows.append(
            pd.DataFrame(
                {
                    "unit_key": score_stats["uCode"].astype(str),
                    "code": target,
                    "stat": stat,
                    "value": score_stats[column].astype(float),
                }
            )
        )
    rows.append(
        pd.DataFrame(
            {"unit_key": [None], "code": [target], "stat": ["replications"], "value": [float(n)]}
        )
    )
    if sa is not None:
        for stat in ("S1", "ST"):
            rows.append(
                pd.DataFrame(
                    {
                        "unit_key": None,
                        "code": sa["assumption"].astype(str),
                        "stat": stat,
                        "value": sa[stat].astype(float),
                    }
                )
            )
    frame = pd.concat(rows, ignore_index=True)
    save_uncertainty(store, run_id, frame)
    return frame
