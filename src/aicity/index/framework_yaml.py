"""Read a framework from YAML (a path, the text or a dict) plus a unit table with the indicator columns.

Levels may be left out (leaves are indicators, each parent one level up). Every problem is collected and
reported at once, naming the offending codes; ``Framework.from_yaml`` is the public entry point.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from aicity.errors import ConfigError
from aicity.index.nodes import (
    CODE_RE,
    UNIT_TYPES,
    FrameworkParts,
    Node,
    check_tree,
    infer_levels,
)

# The keys a node of a YAML framework may carry; anything else is reported as a mistake.
NODE_KEYS = frozenset(
    {
        "code",
        "parent",
        "level",
        "name_zh",
        "name_en",
        "weight",
        "direction",
        "denominator",
        "unit",
        "target",
        "type",
    }
)
# unit-table columns that are neither groups, indicators nor denominators
_UNIT_FIELDS = ("uCode", "uName", "unit_type", "Time")


def read_yaml(
    source: str | Path | Mapping[str, Any], data: pd.DataFrame | None = None
) -> FrameworkParts:
    """The arguments of a ``Framework`` read from a YAML framework and a unit table; raises
    ``ConfigError`` listing every problem found.

    ``data`` has a ``uCode`` column (or index), optional ``uName``/``unit_type``/group columns, the
    indicator columns and any denominator columns. Without it the framework carries an empty table.
    """
    spec, where = _load_yaml(source)
    problems: list[str] = []
    levels, nodes_spec, index_spec, unit_type = _top_level(spec, where, problems)
    nodes = _read_nodes(index_spec, nodes_spec, problems)
    infer_levels(nodes, index_spec["code"], problems)
    problems += check_tree(nodes)
    for n in nodes.values():
        n.type = "Indicator" if n.level == 1 else "Aggregate"
    problems += _shape_problems(nodes, levels)
    indicators = [c for c, n in nodes.items() if n.level == 1]
    denoms = sorted({n.denominator for n in nodes.values() if n.denominator})
    if data is None:
        data = pd.DataFrame(
            {
                "uCode": pd.Series(dtype=str),
                **{c: pd.Series(dtype=float) for c in indicators + denoms},
            }
        )
    frame = (
        data.reset_index() if "uCode" not in data.columns and data.index.name == "uCode" else data
    )
    problems += _data_problems(frame, indicators, denoms)
    if problems:
        raise ConfigError("; ".join(problems), path=where)
    return _assemble(frame, nodes, indicators, denoms, unit_type, levels, spec)


def _load_yaml(source: str | Path | Mapping[str, Any]) -> tuple[Any, str]:
    """The parsed YAML and where it came from (a file's path, or "framework" for text and dicts)."""
    if isinstance(source, Mapping):
        return source, "framework"
    path = Path(source) if isinstance(source, Path) or "\n" not in str(source) else None
    if path is not None and path.exists():
        text, where = path.read_text(encoding="utf-8"), str(path)
    elif path is not None and str(source).endswith((".yaml", ".yml")):
        raise ConfigError("file not found", path=str(source))
    else:
        text, where = str(source), "framework"
    try:
        return yaml.safe_load(text), where
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}".replace("\n", " "), path=where) from None


def _top_level(
    spec: Any, where: str, problems: list[str]
) -> tuple[list[str] | None, list[Any], Mapping[str, Any], Any]:
    """levels, nodes, index and unit_type of the document; raises when its shape is unusable."""
    if not isinstance(spec, Mapping):
        raise ConfigError(
            f"expected a mapping at the top level, got {type(spec).__name__}", path=where
        )
    levels = spec.get("levels")
    nodes_spec = spec.get("nodes")
    index_spec = spec.get("index")
    if not isinstance(nodes_spec, list) or not nodes_spec:
        raise ConfigError("expected a non-empty list 'nodes'", path=f"{where} -> nodes")
    if not isinstance(index_spec, Mapping) or "code" not in index_spec:
        raise ConfigError("expected a mapping 'index' with a 'code'", path=f"{where} -> index")
    if levels is not None and not (
        isinstance(levels, list) and all(isinstance(x, str) for x in levels)
    ):
        problems.append("levels: expected a list of level names from indicators upwards")
        levels = None
    unit_type = spec.get("unit_type")
    if unit_type is not None and unit_type not in UNIT_TYPES:
        problems.append(f"unit_type: must be one of {list(UNIT_TYPES)} (got {unit_type!r})")
    return levels, nodes_spec, index_spec, unit_type


def _read_nodes(
    index_spec: Mapping[str, Any], nodes_spec: list[Any], problems: list[str]
) -> dict[str, Node]:
    """The index then every listed node, in order; levels not given are -1 until inferred."""
    nodes: dict[str, Node] = {}
    raw_nodes = [dict(index_spec, level=None, parent=None), *nodes_spec]
    for i, ns in enumerate(raw_nodes):
        path = "index" if i == 0 else f"nodes[{i - 1}]"
        if not isinstance(ns, Mapping) or "code" not in ns:
            problems.append(f"{path}: expected a mapping with a 'code'")
            continue
        code = str(ns["code"])
        extra = sorted(set(ns) - NODE_KEYS)
        if extra:
            problems.append(f"{path} ({code}): unknown keys {extra}")
        if code in nodes:
            problems.append(f"{path}: duplicate code {code}")
            continue
        nodes[code] = _read_node(path, code, ns, problems)
    return nodes


def _read_node(path: str, code: str, ns: Mapping[str, Any], problems: list[str]) -> Node:
    if not CODE_RE.match(code):
        problems.append(f"{path}: code {code!r} must not contain spaces or start with a digit")
    if not (ns.get("name_zh") or ns.get("name_en")):
        problems.append(f"{path} ({code}): needs name_zh or name_en")
    weight = ns.get("weight", 1.0)
    direction = ns.get("direction", 1)
    if not isinstance(weight, int | float) or isinstance(weight, bool) or weight < 0:
        problems.append(f"{path} ({code}): weight must be a number >= 0 (got {weight!r})")
        weight = 1.0
    if direction not in (-1, 1):
        problems.append(f"{path} ({code}): direction must be -1 or 1 (got {direction!r})")
        direction = 1
    target = ns.get("target")
    return Node(
        code=code,
        level=int(ns["level"]) if ns.get("level") is not None else -1,
        parent=None if ns.get("parent") is None else str(ns["parent"]),
        weight=float(weight),
        direction=int(direction),
        name_en=str(ns.get("name_en", "") or ""),
        name_zh=str(ns.get("name_zh", "") or ""),
        unit=str(ns.get("unit", "") or ""),
        target=math.nan if target is None else float(target),
        denominator=None if ns.get("denominator") is None else str(ns["denominator"]),
    )


def _shape_problems(nodes: dict[str, Node], levels: list[str] | None) -> list[str]:
    problems = []
    if levels is not None and nodes and len(levels) != max(n.level for n in nodes.values()):
        problems.append(
            f"levels: {len(levels)} names given for {max(n.level for n in nodes.values())} levels"
        )
    # also among check_tree's problems: a YAML framework has always reported it a second time here
    parents = {m.parent for m in nodes.values()}
    childless = [c for c, n in nodes.items() if n.level > 1 and c not in parents]
    if childless:
        problems.append(f"aggregates without children: {childless}")
    return problems


def _data_problems(frame: pd.DataFrame, indicators: list[str], denoms: list[str]) -> list[str]:
    if "uCode" not in frame.columns:
        return ["data: lacks a 'uCode' column"]
    problems = []
    missing = [c for c in indicators if c not in frame.columns]
    if missing:
        problems.append(f"data: indicator columns missing {missing}")
    missing_d = [d for d in denoms if d not in frame.columns]
    if missing_d:
        problems.append(f"data: denominator columns missing {missing_d}")
    dup_units = sorted(frame.loc[frame["uCode"].duplicated(), "uCode"].astype(str).unique())
    if dup_units:
        problems.append(f"data: duplicate uCode {dup_units}")
    if "unit_type" in frame.columns:
        bad = sorted(frame.loc[~frame["unit_type"].isin(UNIT_TYPES), "uCode"].astype(str))
        if bad:
            problems.append(f"data: unit_type must be one of {list(UNIT_TYPES)} for {bad}")
    return problems


def _assemble(
    frame: pd.DataFrame,
    nodes: dict[str, Node],
    indicators: list[str],
    denoms: list[str],
    unit_type: Any,
    levels: list[str] | None,
    spec: Mapping[str, Any],
) -> FrameworkParts:
    """The unit table (names, unit type, groups, denominators) and the numeric indicator matrix."""
    index = pd.Index(frame["uCode"].astype(str), name="uCode")
    groups = [c for c in frame.columns if c not in {*_UNIT_FIELDS, *indicators, *denoms}]
    units = pd.DataFrame(
        {
            c: frame[c].to_numpy()
            for c in ["uName", "unit_type", *groups, *denoms]
            if c in frame.columns
        },
        index=index,
    )
    if "uName" not in units.columns:
        units.insert(0, "uName", list(index))
    if "unit_type" not in units.columns:
        units["unit_type"] = unit_type
    values = pd.DataFrame(
        {c: pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=float) for c in indicators},
        index=index,
    )
    return FrameworkParts(
        nodes=nodes,
        units=units,
        data=values,
        level_names=list(levels or []),
        name=str(spec.get("name", "index")),
        group_columns=groups,
        denominator_columns=denoms,
    )
