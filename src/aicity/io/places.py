"""Validation of the places tables: cities (by admin code or name) and AI industrial parks (their ids,
names and the firm count their text states). Column-at-a-time like every table's validation
(``aicity.io.tables``)."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from aicity.io.checks import (
    Context,
    _duplicates,
    _present,
    _Problems,
    _resolve_city,
    _text,
    _years,
    map_unique,
    slugify,
)
from aicity.io.cities import CityResolver
from aicity.io.numbers import parse_numbers


def validate_cities(
    frame: pd.DataFrame, units: dict[str, str], ctx: Context, problems: _Problems
) -> pd.DataFrame:
    code_text = _text(frame, "code")
    name = _text(frame, "name_zh")
    source = code_text.fillna(name)
    codes, reasons = ctx.resolver.resolve(source)
    problems.add(
        _present(source) & codes.isna().to_numpy(),
        "code" if "code" in frame else "name_zh",
        source,
        reasons,
    )
    problems.add(~_present(source), "name_zh", source, "missing city code and name")
    # a code and a name that disagree are a problem, not a silent choice
    if "code" in frame and "name_zh" in frame:
        by_name, _ = ctx.resolver.resolve(name)
        clash = (
            _present(name)
            & by_name.notna().to_numpy()
            & codes.notna().to_numpy()
            & (by_name != codes).fillna(False).to_numpy()
        )
        problems.add(clash, "name_zh", name, "name and code point to different cities")
    ref = pd.DataFrame(
        [ctx.resolver.city(c).__dict__ if ctx.resolver.city(c) else {} for c in codes.fillna("")],
        index=frame.index,
    )
    out = pd.DataFrame({"code": codes})
    out["name_zh"] = name.fillna(
        ref.get("short_zh", pd.Series(pd.NA, index=frame.index)).astype("string")
    )
    out["name_en"] = _text(frame, "name_en").fillna(
        ref.get("name_en", pd.Series(pd.NA, index=frame.index)).astype("string")
    )
    out["province"] = _text(frame, "province").fillna(
        ref.get("province", pd.Series(pd.NA, index=frame.index)).astype("string")
    )
    for col, low, high in (("longitude", 73.0, 136.0), ("latitude", 3.0, 54.0)):
        given = _text(frame, col)
        parsed = parse_numbers(given)
        problems.add(parsed.bad, col, given, "expected a number")
        values = pd.Series(parsed.value, index=frame.index)
        outside = values.notna() & ((values < low) | (values > high))
        problems.add(outside.to_numpy(), col, given, f"value out of range for China ({low}-{high})")
        fallback = ref.get(col, pd.Series(np.nan, index=frame.index)).astype("float64")
        out[col] = values.where(values.notna(), fallback)
    out["source_url"] = _text(frame, "source_url")
    _duplicates(out[["code"]], problems, "code", source, "city")
    return out


def validate_parks(
    frame: pd.DataFrame, units: dict[str, str], ctx: Context, problems: _Problems
) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    out["city_code"] = _resolve_city(frame, "city", ctx, problems)
    out["name_zh"] = _text(frame, "name_zh")
    problems.add(~_present(out["name_zh"]), "name_zh", out["name_zh"], "missing park name")
    out["name_en"] = _text(frame, "name_en")
    given_id = _text(frame, "park_id")
    city_en = map_unique(out["city_code"], _city_english(ctx.resolver)).fillna("")
    label = out["name_en"].fillna(out["name_zh"].map(_pinyin_or_empty))
    derived = (city_en.astype("string") + " " + label.fillna("")).map(
        lambda t: slugify(t)[:60].strip("-")
    )
    out["park_id"] = given_id.fillna(derived.astype("string"))
    bad_id = (
        _present(given_id)
        & ~given_id.str.fullmatch(r"[a-z0-9][a-z0-9\-]*").fillna(False).to_numpy()
    )
    problems.add(bad_id, "park_id", given_id, "park_id must be a lower-case slug (a-z, 0-9, -)")
    out["district"] = _text(frame, "district")
    out["focus"] = _text(frame, "focus")
    out["opened"] = _years(_text(frame, "opened"), problems, "opened")
    firms_text = _text(frame, "firms")
    out["firms"] = firms_text.map(
        lambda t: firm_count(t)[0] if isinstance(t, str) else None
    ).astype("Int64")
    out["firms_text"] = firms_text
    out["source_url"] = _text(frame, "source_url")
    out["note"] = _text(frame, "note")
    _duplicates(out[["park_id"]], problems, "park_id", out["park_id"], "park")
    return out


def _city_english(resolver: CityResolver) -> Callable[[object], str]:
    def english(code: object) -> str:
        city = resolver.city(code) if isinstance(code, str) else None
        return city.name_en if city else ""

    return english


def _pinyin_or_empty(text: object) -> str:
    if not isinstance(text, str):
        return ""
    from pypinyin import lazy_pinyin

    return " ".join(lazy_pinyin(text))


def firm_count(text: str) -> tuple[int | None, int | None, str]:
    """Leading firm count of a park's 'firms' text ('132 (2022)', '~90', '600+ AI firms (2024)').

    Returns (count, year, kind) or (None, None, '') when the text is a range or not a count of firms.
    """
    clause = text.split(";")[0].strip()
    match = re.match(r"^(~)?(\d[\d,]*)\+?(?:\s|$)", clause)
    if not match or re.search(r"project|institute|\bof\b|\d-\d", clause):
        return None, None, ""
    year = re.search(r"\b(1[89]\d\d|20\d\d)\b", clause)
    kind = "plan_target" if "expected" in clause else ("estimate" if match.group(1) else "actual")
    return int(match.group(2).replace(",", "")), int(year.group(1)) if year else None, kind
