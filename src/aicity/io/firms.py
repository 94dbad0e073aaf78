"""Validation of an enterprises (firm list) table, in named steps: who the firm is, its park, its layer
and segment labels, its size. Column-at-a-time like every table's validation (``aicity.io.tables``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aicity.io._arrow import coalesce
from aicity.io.checks import (
    Context,
    _booleans,
    _coverage_kinds,
    _match_parks,
    _present,
    _Problems,
    _resolve_city,
    _text,
    _years,
    hex_ids,
    map_unique,
)
from aicity.io.credit import credit_code_problems, firm_name_key
from aicity.io.numbers import parse_numbers
from aicity.layers import LAYER_NAMES_ZH, LAYERS

# a layer as a file may write it: its code or its Chinese name (any case)
LAYER_SPELLINGS: dict[str, str] = {
    **{code: code for code in LAYERS},
    **{zh: code for code, zh in LAYER_NAMES_ZH.items()},
}


def validate_enterprises(
    frame: pd.DataFrame, units: dict[str, str], ctx: Context, problems: _Problems
) -> pd.DataFrame:
    """One row per firm: identity, park, labels, founding year, size, provenance. A row's reasons come
    in the order of these steps."""
    out = pd.DataFrame(index=frame.index)
    given_id = _identity(frame, out, ctx, problems)
    _park(frame, out, ctx)
    layer, segment = _labels(frame, ctx, problems)
    out["layer"] = layer
    out["segment"] = segment
    # a label's source: as stated in the file, else "given"; no label, no source
    labelled = (layer.notna() | segment.notna()).to_numpy()
    label_source = coalesce(_text(frame, "label_source"), "given")
    out["label_source"] = label_source.where(labelled) if not labelled.all() else label_source
    out["founded"] = _years(_text(frame, "founded"), problems, "founded")
    out["description"] = _text(frame, "description")
    _size(frame, out, units, problems)
    out["source_url"] = _text(frame, "source_url")
    out["note"] = _text(frame, "note")
    out["is_synthetic"] = _booleans(_text(frame, "is_synthetic"), problems, "is_synthetic", False)
    out["coverage"] = _coverage_kinds(_text(frame, "coverage"), problems, ctx.firm_coverage)
    out["_key_shown"] = coalesce(given_id, out["name"])  # what a duplicate's rejection shows
    return out


def _identity(
    frame: pd.DataFrame, out: pd.DataFrame, ctx: Context, problems: _Problems
) -> pd.Series:
    """name, city_code, credit_code and enterprise_id into ``out``; returns the id the file gave."""
    out["name"] = _text(frame, "name")
    problems.add(~_present(out["name"]), "name", out["name"], "missing enterprise name")
    out["city_code"] = _resolve_city(frame, "city", ctx, problems)
    credit = _text(frame, "credit_code").str.upper()
    reasons = credit_code_problems(credit)
    problems.add(reasons.notna().to_numpy(), "credit_code", credit, reasons)
    out["credit_code"] = credit
    given_id = _text(frame, "enterprise_id")
    derived = credit.copy()
    needs_id = (given_id.isna() & credit.isna()).to_numpy()
    if needs_id.any():  # no id and no credit code: a stable id from normalised name and city
        names = firm_name_key(out["name"][needs_id])
        basis = pd.DataFrame({"n": names.fillna(""), "c": out["city_code"][needs_id].fillna("")})
        derived[needs_id] = hex_ids(basis, "ent-").to_numpy()
    out["enterprise_id"] = coalesce(given_id, derived)
    return given_id


def _park(frame: pd.DataFrame, out: pd.DataFrame, ctx: Context) -> None:
    """park_id (the park the text names in the firm's city, if known) and the text as given."""
    park_text = _text(frame, "park")
    out["park_id"] = (
        _match_parks(park_text, out["city_code"], ctx)
        if park_text.notna().any()
        else pd.Series(pd.NA, index=frame.index, dtype="string")
    )
    out["park_text"] = park_text


def _labels(frame: pd.DataFrame, ctx: Context, problems: _Problems) -> tuple[pd.Series, pd.Series]:
    """(layer, segment) as codes: a known segment gives its layer, and a stated layer must match it."""
    layer_text = _text(frame, "layer")
    layer = map_unique(layer_text.str.lower(), LAYER_SPELLINGS).astype("string")
    problems.add(
        _present(layer_text) & layer.isna().to_numpy(),
        "layer",
        layer_text,
        "expected foundation/technology/application (基础层/技术层/应用层)",
    )
    segment_text = _text(frame, "segment")
    if ctx.taxonomy.empty or not segment_text.notna().any():
        return layer, segment_text
    tax = ctx.taxonomy
    lookup = {
        **dict(zip(tax["code"], tax["code"], strict=False)),
        **dict(zip(tax["name_zh"], tax["code"], strict=False)),
        **dict(zip(tax["name_en"].str.lower(), tax["code"], strict=False)),
    }
    segment = map_unique(segment_text, lambda s: lookup.get(s, lookup.get(s.lower()))).astype(
        "string"
    )
    problems.add(
        _present(segment_text) & segment.isna().to_numpy(),
        "segment",
        segment_text,
        "unknown segment (expected a taxonomy code such as large_models)",
    )
    seg_layer = map_unique(segment, dict(zip(tax["code"], tax["layer"], strict=False))).astype(
        "string"
    )
    clash = layer.notna() & seg_layer.notna() & (layer != seg_layer)
    problems.add(
        clash.fillna(False).to_numpy(),
        "layer",
        layer_text,
        "layer does not match the segment's layer in the taxonomy",
    )
    return coalesce(layer, seg_layer), segment


def _size(
    frame: pd.DataFrame, out: pd.DataFrame, units: dict[str, str], problems: _Problems
) -> None:
    """size (a number, not negative) and its unit (the cell's, else the header's) into ``out``."""
    size_text = _text(frame, "size")
    parsed = parse_numbers(size_text)
    problems.add(parsed.bad, "size", size_text, "expected a number such as 1,234 or 3.5万")
    out["size"] = parsed.value
    out["size_unit"] = coalesce(_text(frame, "size_unit"), units.get("size"))
    negative = np.nan_to_num(parsed.value, nan=0.0) < 0
    problems.add(negative, "size", size_text, "value out of range (expected >= 0)")
