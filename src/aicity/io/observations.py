"""Validation of the indicator registry and of observations (facts), wide and year-column files
melted to one fact per filled cell first. Column-at-a-time like every table's validation
(``aicity.io.tables``)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from aicity.io._arrow import clean_text
from aicity.io.checks import (
    FALSE,
    TRUE,
    Context,
    _booleans,
    _duplicates,
    _match_parks,
    _present,
    _Problems,
    _text,
    _years,
)
from aicity.io.cities import is_nation
from aicity.io.headers import split_header_unit
from aicity.io.numbers import conversion_factors, parse_numbers
from aicity.io.read import RawTable

KINDS = {
    "actual": "actual",
    "estimate": "estimate",
    "plan_target": "plan_target",
    "实际": "actual",
    "实际值": "actual",
    "估计": "estimate",
    "估算": "estimate",
    "估计值": "estimate",
    "plan": "plan_target",
    "target": "plan_target",
    "规划目标": "plan_target",
    "目标": "plan_target",
    "规划": "plan_target",
}
VALUE_TYPES = {"number", "flag", "rank", "text"}
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def melt_wide(
    raw: RawTable, frame: pd.DataFrame, rows: np.ndarray, unknown: list[str], ctx: Context
) -> tuple[pd.DataFrame, np.ndarray, dict[str, str], list[str]]:
    """A wide observations file (one column per indicator, e.g. ``GDP（亿元）``) to long rows.

    Columns named by an indicator's code, Chinese or English name (a bracketed unit is kept as the
    fact's unit) become facts; empty cells are simply absent facts. Row numbers stay the file's.
    """
    wide: list[tuple[str, str, str | None]] = []
    for column in unknown:
        name, unit = split_header_unit(column)
        code = _resolve_indicators(pd.Series([name], dtype="string"), ctx.indicators).iloc[0]
        if isinstance(code, str):
            wide.append((column, code, unit))
    if not wide:
        return frame, rows, {}, unknown
    parts, part_rows = [], []
    for column, code, unit in wide:
        cells = clean_text(raw.frame[column]).reset_index(drop=True)
        present = cells.notna().to_numpy()
        part = frame.reset_index(drop=True)[present].copy()
        part["indicator"] = code
        part["value"] = cells[present].to_numpy()
        part["_column"] = column
        if unit and "unit" not in part:
            part["unit"] = unit
        parts.append(part)
        part_rows.append(rows[present])
    long = pd.concat(parts, ignore_index=True)
    long_rows = np.concatenate(part_rows)
    order = np.argsort(long_rows, kind="stable")
    remaining = [c for c in unknown if c not in {w[0] for w in wide}]
    return long.iloc[order].reset_index(drop=True), long_rows[order], {}, remaining


def melt_years(
    raw: RawTable, frame: pd.DataFrame, rows: np.ndarray, unknown: list[str]
) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Year columns (城市, 指标, 2021, 2022, ...; '2023年' too) to one fact per filled cell."""
    years = [
        (c, m.group(1)) for c in unknown if (m := re.fullmatch(r"\s*((?:19|20)\d\d)\s*年?\s*", c))
    ]
    if not years:
        return frame, rows, unknown
    parts, part_rows = [], []
    base = frame.reset_index(drop=True)
    for column, year in years:
        cells = clean_text(raw.frame[column]).reset_index(drop=True)
        present = cells.notna().to_numpy()
        part = base[present].copy()
        part["year"] = year
        part["value"] = cells[present].to_numpy()
        part["_column"] = column
        parts.append(part)
        part_rows.append(rows[present])
    long = pd.concat(parts, ignore_index=True)
    long_rows = np.concatenate(part_rows)
    order = np.argsort(long_rows, kind="stable")
    remaining = [c for c in unknown if c not in {y[0] for y in years}]
    return long.iloc[order].reset_index(drop=True), long_rows[order], remaining


def _resolve_indicators(values: pd.Series, registry: pd.DataFrame) -> pd.Series:
    lookup: dict[str, str] = {}
    for row in registry.itertuples():
        for alias in [
            row.name_en,
            row.name_zh,
            *(str(row.raw_names).split(";") if isinstance(row.raw_names, str) else []),
        ]:
            if isinstance(alias, str) and alias:
                lookup.setdefault(alias.strip().lower(), row.code)
        lookup[row.code] = row.code
    uniques = values.dropna().unique()
    answers = {u: lookup.get(u, lookup.get(u.lower())) for u in uniques}
    return values.map(answers).astype("string")


def validate_observations(
    frame: pd.DataFrame, units: dict[str, str], ctx: Context, problems: _Problems
) -> pd.DataFrame:
    """One fact per row: indicator, place, value in the indicator's unit, year, kind, provenance. A
    row's reasons come in the order of these steps."""
    out = pd.DataFrame(index=frame.index)
    indicator_text = _text(frame, "indicator")
    code = _indicator_codes(indicator_text, ctx.indicators, problems)
    out["indicator"] = code
    out["unit_type"], out["unit_key"] = _places(frame, ctx, problems)
    value_text = _text(frame, "value")
    out["value"], out["value_text"], out["unit"] = _values(
        value_text, _text(frame, "unit"), code, units, ctx.indicators, problems
    )
    out["year"] = _years(_text(frame, "year"), problems, "year", low=1900)
    kind_text = _text(frame, "kind")
    kind = kind_text.str.lower().map(KINDS).astype("string")
    problems.add(
        _present(kind_text) & kind.isna().to_numpy(),
        "kind",
        kind_text,
        "expected actual, estimate or plan_target",
    )
    out["kind"] = kind.fillna("actual")
    out["verified"] = _booleans(_text(frame, "verified"), problems, "verified", True)
    out["source_url"] = _text(frame, "source_url")
    rel = _text(frame, "source_reliability").str.upper()
    problems.add(
        _present(rel) & ~rel.isin(["A", "B", "C"]).fillna(False).to_numpy(),
        "source_reliability",
        rel,
        "expected A, B or C",
    )
    out["source_reliability"] = rel
    out["note"] = _text(frame, "note")
    key = out[["unit_type", "unit_key", "indicator", "year", "kind", "source_url", "unit"]]
    _duplicates(
        key,
        problems,
        "indicator",
        indicator_text,
        "fact (same place, indicator, year, kind, source and scope)",
    )
    return out


def _indicator_codes(
    indicator_text: pd.Series, registry: pd.DataFrame, problems: _Problems
) -> pd.Series:
    """Registry codes of the indicator cells (by code, Chinese or English name, or a raw name)."""
    code = _resolve_indicators(indicator_text, registry)
    problems.add(
        _present(indicator_text) & code.isna().to_numpy(),
        "indicator",
        indicator_text,
        "unknown indicator (expected a registry code such as gdp; add new ones with --table indicators)",
    )
    problems.add(~_present(indicator_text), "indicator", indicator_text, "missing indicator")
    return code


def _places(frame: pd.DataFrame, ctx: Context, problems: _Problems) -> tuple[pd.Series, pd.Series]:
    """(unit_type, unit_key) of each fact: a city (its code), a park (its id) or the country (CN)."""
    city_text = _text(frame, "city")
    park_text = _text(frame, "park")
    given_type = _text(frame, "unit_type").str.lower()
    nation = city_text.map(is_nation).fillna(False).astype(bool)
    unit_type = given_type.fillna(
        pd.Series(
            np.where(park_text.notna(), "park", np.where(nation, "nation", "city")),
            index=frame.index,
            dtype="string",
        )
    )
    problems.add(
        ~unit_type.isin(["city", "park", "nation"]).to_numpy(),
        "unit_type",
        given_type,
        "expected city, park or nation",
    )
    is_city = (unit_type == "city").to_numpy()
    is_park = (unit_type == "park").to_numpy()
    codes, reasons = ctx.resolver.resolve(city_text.where(is_city))
    problems.add(is_city & codes.isna().to_numpy(), "city", city_text, reasons)
    park_ids = _match_parks(park_text.where(is_park), codes, ctx)
    problems.add(
        is_park & park_ids.isna().to_numpy(),
        "park",
        park_text,
        "unknown park (ingest it first with --table parks, or give its park_id)",
    )
    unit_key = pd.Series(pd.NA, index=frame.index, dtype="string")
    unit_key[is_city] = codes[is_city]
    unit_key[is_park] = park_ids[is_park]
    unit_key[(unit_type == "nation").to_numpy()] = "CN"
    return unit_type, unit_key


def _values(
    value_text: pd.Series,
    unit_text: pd.Series,
    code: pd.Series,
    units: dict[str, str],
    registry: pd.DataFrame,
    problems: _Problems,
) -> tuple[np.ndarray, pd.Series, pd.Series]:
    """(value, value_text, unit) by the indicator's value type: numbers and ranks converted to the
    indicator's unit and checked against its bounds, flags as 1/0, text kept as text."""
    info = (
        registry.set_index("code")
        if not registry.empty
        else pd.DataFrame(columns=["value_type", "unit", "min_value", "max_value"])
    )
    value_type = code.map(info["value_type"]).fillna("number")
    problems.add(~_present(value_text), "value", value_text, "missing value")
    unit_given = unit_text.fillna(units.get("value", pd.NA))
    numeric = value_type.isin(["number", "rank"]).to_numpy()
    parsed = parse_numbers(value_text.where(numeric))
    problems.add(
        numeric & parsed.bad,
        "value",
        value_text,
        "expected a number such as 1,234, 3.5, 12% or 3.5亿元",
    )
    canonical = code.map(info["unit"]).astype("string")
    factors, unit_reasons = conversion_factors(unit_given, parsed.base, canonical)
    problems.add(
        numeric & unit_reasons.notna().to_numpy() & ~parsed.bad,
        "unit",
        unit_given.fillna(parsed.base),
        unit_reasons,
    )
    values = parsed.value * factors
    flag = (value_type == "flag").to_numpy()
    if flag.any():
        values = np.where(flag, _flags(value_text, flag, problems), values)
    text = (value_type == "text").to_numpy()
    values = np.where(text, np.nan, values)
    _bounds(values, value_text, code, info, problems)
    return values, value_text.where(text), unit_given.fillna(canonical)


def _flags(value_text: pd.Series, flag: np.ndarray, problems: _Problems) -> np.ndarray:
    """yes/no cells as 1.0/0.0 (NaN otherwise); an unreadable cell of a flag indicator is a problem."""
    lowered = value_text.str.lower()
    flags = np.where(
        lowered.isin(TRUE).fillna(False),
        1.0,
        np.where(lowered.isin(FALSE).fillna(False), 0.0, np.nan),
    )
    problems.add(
        flag & np.isnan(flags) & _present(value_text),
        "value",
        value_text,
        "expected yes/no (是/否, 1/0) for a flag",
    )
    return flags


def _bounds(
    values: np.ndarray,
    value_text: pd.Series,
    code: pd.Series,
    info: pd.DataFrame,
    problems: _Problems,
) -> None:
    """Values outside the indicator's [min_value, max_value] are problems, naming the range."""
    low = code.map(info["min_value"]).astype("float64").to_numpy()
    high = code.map(info["max_value"]).astype("float64").to_numpy()
    vals = np.asarray(values, dtype="float64")
    outside = (~np.isnan(vals)) & (
        ((~np.isnan(low)) & (vals < low)) | ((~np.isnan(high)) & (vals > high))
    )
    bounds = (
        "["
        + pd.Series(low).astype("string").fillna("")
        + ", "
        + pd.Series(high).astype("string").fillna("")
        + "]"
    )
    problems.add(
        outside,
        "value",
        value_text,
        pd.Series("value out of range " + bounds.to_numpy(), index=value_text.index),
    )


def validate_indicators(
    frame: pd.DataFrame, units: dict[str, str], ctx: Context, problems: _Problems
) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    out["code"] = _text(frame, "code")
    problems.add(
        ~out["code"].str.fullmatch(_CODE.pattern).fillna(False).to_numpy(),
        "code",
        out["code"],
        "indicator code must be ASCII snake_case (a-z, 0-9, _), e.g. rd_intensity",
    )
    for col in ("name_zh", "name_en"):
        out[col] = _text(frame, col)
        problems.add(~_present(out[col]), col, out[col], f"missing {col}")
    out["unit"] = _text(frame, "unit")
    direction_text = _text(frame, "direction")
    direction = pd.to_numeric(
        direction_text.fillna("1").str.replace("+", "", regex=False), errors="coerce"
    )
    problems.add(
        ~direction.isin([1, -1]).to_numpy(), "direction", direction_text, "expected 1 or -1"
    )
    out["direction"] = direction.where(direction.isin([1, -1])).astype("Int64")
    out["definition"] = _text(frame, "definition")
    out["category"] = _text(frame, "category")
    vt = _text(frame, "value_type").str.lower().fillna("number")
    problems.add(
        ~vt.isin(list(VALUE_TYPES)).to_numpy(),
        "value_type",
        vt,
        f"expected one of {', '.join(sorted(VALUE_TYPES))}",
    )
    out["value_type"] = vt
    for col in ("min_value", "max_value"):
        given = _text(frame, col)
        parsed = parse_numbers(given)
        problems.add(parsed.bad, col, given, "expected a number")
        out[col] = parsed.value
    out["raw_names"] = _text(frame, "raw_names")
    _duplicates(out[["code"]], problems, "code", out["code"], "indicator code")
    return out
