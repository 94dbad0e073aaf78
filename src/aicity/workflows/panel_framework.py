"""A framework from a weights sheet (+ optional settings sheet): ``aicity framework new`` writes the YAML
that ``aicity evaluate --framework`` accepts, checked by the index engine's rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from aicity.errors import ConfigError
from aicity.io.framework_sheet import WEIGHTS_SHEET, read_framework_sheets
from aicity.workflows.cells import NO_WORDS, YES_WORDS
from aicity.workflows.coverage import coverage_floors
from aicity.workflows.evaluate_specs import engine_spec


def framework_from_sheet(
    path: str | Path, sheet: str = WEIGHTS_SHEET, name: str | None = None
) -> tuple[dict[str, Any], str]:
    """A framework spec and its YAML text from a weights sheet; checked by the index engine's rules."""
    from aicity.index.framework import Framework

    book = read_framework_sheets(path, sheet=sheet)
    spec = _spec_from_settings(book.settings, path, name)
    spec["nodes"] = _nodes(book.weights, spec["index"]["code"], book.where)
    Framework.from_yaml(engine_spec(spec))  # the engine's checks: weights, tree, codes
    header = (
        f"# Framework {spec['name']}, made by `aicity framework new` from {Path(path).name}.\n"
        "# Edit the workbook and make it again, or edit this file; evaluate with\n"
        f"# `aicity evaluate --framework {spec['name']}.yaml`.\n"
    )
    text = header + yaml.safe_dump(spec, allow_unicode=True, sort_keys=False, width=100)
    return spec, text


def _spec_from_settings(settings: dict[str, str], path: str | Path, name: str | None) -> dict:
    """The framework's head (name, titles, unit type, floors, index) from the settings sheet, checked;
    ``nodes`` left empty."""
    spec: dict[str, Any] = {
        "name": name or settings.get("name") or Path(path).stem,
        "version": 1,
        "title_zh": settings.get("title_zh", "自建评价指标体系"),
        "title_en": settings.get("title_en", "Own evaluation framework"),
        "levels": ["indicator", "dimension", "index"],
        "unit_type": settings.get("unit_type", "city"),
        "coverage_floor": {
            level: settings.get(f"coverage_floor_{level}", "2/3")
            for level in ("indicator", "unit", "dimension")
        },
        "index": {
            "code": settings.get("index_code", "INDEX"),
            "name_zh": settings.get("index_name_zh", "综合指数"),
            "name_en": settings.get("index_name_en", "Composite index"),
        },
        "nodes": [],
    }
    carry = settings.get("carry_forward", "no").strip().lower()
    if carry not in (*YES_WORDS, *NO_WORDS):
        raise ConfigError(
            f"carry_forward: expected yes or no, got {carry!r}", path=f"{path} (sheet settings)"
        )
    if carry in YES_WORDS:
        spec["carry_forward"] = True
    if spec["unit_type"] not in ("city", "park"):
        raise ConfigError(
            f"unit_type: expected city or park, got {spec['unit_type']!r}",
            path=f"{path} (sheet settings)",
        )
    coverage_floors(spec)  # a bad share is a one-line error naming the setting
    return spec


def _nodes(weights: pd.DataFrame, index_code: str, where: str) -> list[dict[str, Any]]:
    """The dimension and indicator nodes of the weights sheet, each dimension before its indicators."""
    nodes: list[dict[str, Any]] = []
    for dimension, rows in weights.groupby("dimension", sort=False):
        first = rows.iloc[0]
        if dimension == index_code or dimension in set(weights["indicator"]):
            raise ConfigError(
                f"row {int(first['row'])}: dimension code {dimension} is also the index's or an "
                "indicator's code",
                path=where,
            )
        dim_weight = first["dimension_weight"]
        nodes.append(
            {
                "code": str(dimension),
                "parent": index_code,
                "level": 2,
                "name_zh": first["dimension_name_zh"] or str(dimension),
                "name_en": first["dimension_name_en"] or str(dimension),
                "weight": 1.0 if pd.isna(dim_weight) else float(dim_weight),
            }
        )
        nodes.extend(_indicator_node(row, str(dimension)) for row in rows.to_dict("records"))
    return nodes


def _indicator_node(row: dict[str, Any], dimension: str) -> dict[str, Any]:
    node: dict[str, Any] = {
        "code": row["indicator"],
        "parent": dimension,
        "level": 1,
        "name_zh": row["name_zh"] or row["name_en"],
        "name_en": row["name_en"] or row["name_zh"],
        "unit": row["unit"],
        "direction": int(row["direction"]),
        "weight": float(row["weight"]),
    }
    if row["value_type"] == "flag":
        node["value_type"] = "flag"
        node["scopes"] = row["scopes"] or ["member (1/0)", "flag"]
    elif row["scopes"]:
        node["scopes"] = list(row["scopes"])
    if row["derive"]:
        node["derive"] = dict(row["derive"])
    if row["definition"]:
        node["definition"] = row["definition"]
    return node
