"""Read a framework from COINr's iMeta and iData tables, with COINr's ``new_coin`` checks.

Every problem is collected and reported at once, naming the offending codes; ``Framework.from_coinr``
is the public entry point.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from aicity.errors import ConfigError
from aicity.index.nodes import (
    CODE_RE,
    NODE_TYPES,
    FrameworkParts,
    Node,
    check_tree,
    is_missing,
)

_UNIT_COLUMNS = ("uCode", "uName", "Time")
# the iMeta columns a node is read from; absent optional ones read as missing
_NODE_COLUMNS = (
    "Level",
    "Parent",
    "Type",
    "Weight",
    "Direction",
    "iName",
    "iName_zh",
    "Unit",
    "Target",
    "Denominator",
)


def read_coinr(
    imeta: pd.DataFrame,
    idata: pd.DataFrame,
    level_names: list[str] | None = None,
    name: str = "index",
) -> FrameworkParts:
    """The arguments of a ``Framework`` read from iMeta and iData; raises ``ConfigError`` listing every
    problem found."""
    _require_columns(imeta, idata)
    # one conversion to Python objects: per-column pandas access is slow for small tables
    table = imeta.to_numpy(dtype=object)
    position = {col: i for i, col in enumerate(imeta.columns.tolist())}
    codes_all = [str(c) for c in table[:, position["iCode"]]]
    types_all = list(table[:, position["Type"]])
    problems = _code_problems(codes_all, types_all)
    columns = {
        col: list(table[:, position[col]]) if col in position else [None] * len(imeta)
        for col in _NODE_COLUMNS
    }
    nodes = _read_nodes(codes_all, types_all, columns, problems)
    groups = [c for c, t in zip(codes_all, types_all, strict=True) if t == "Group"]
    denoms = [c for c, t in zip(codes_all, types_all, strict=True) if t == "Denominator"]
    problems += _level_problems(nodes)
    problems += check_tree(nodes)
    problems += _data_problems(nodes, idata, codes_all, groups, denoms)
    # one conversion of the whole table to Python objects, then plain column slices: much faster
    # than per-column pandas access for the small tables indices are built from
    cells = idata.to_numpy(dtype=object)
    where = {c: i for i, c in enumerate(idata.columns.tolist())}
    ucodes = _unit_codes(cells[:, where["uCode"]].tolist(), problems)
    if problems:
        raise ConfigError("; ".join(problems), path="iMeta/iData")
    unit_cols = [c for c in ("uName", *groups, *denoms) if c in where]
    indicators = [c for c, n in nodes.items() if n.level == 1]
    try:
        values = cells[:, [where[c] for c in indicators]].astype(float)
    except (TypeError, ValueError):  # pd.NA or text in an all-missing column
        values = idata[indicators].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    return FrameworkParts(
        nodes=nodes,
        level_names=list(level_names or []),
        name=name,
        group_columns=groups,
        denominator_columns=denoms,
        unit_codes=np.array(ucodes, dtype=object),
        values=values,
        unit_columns={c: cells[:, where[c]] for c in unit_cols},
    )


def _require_columns(imeta: pd.DataFrame, idata: pd.DataFrame) -> None:
    required = ["iCode", "Level", "Parent", "Type"]
    absent = [c for c in required if c not in imeta.columns]
    if absent:
        raise ConfigError(
            f"iMeta lacks required columns {absent} (has {list(imeta.columns)})", path="iMeta"
        )
    # a plain list of the column labels: iterating a pandas Index element by element is slow
    if "uCode" not in idata.columns.tolist():
        raise ConfigError("iData lacks the required column 'uCode'", path="iData")


def _code_problems(codes_all: list[str], types_all: list[Any]) -> list[str]:
    problems = []
    seen: set[str] = set()
    dup = sorted({c for c in codes_all if c in seen or seen.add(c)})  # type: ignore[func-returns-value]
    if dup:
        problems.append(f"duplicate iCode {dup}")
    bad_type = sorted(c for c, t in zip(codes_all, types_all, strict=True) if t not in NODE_TYPES)
    if bad_type:
        problems.append(f"Type must be one of {list(NODE_TYPES)}: {bad_type}")
    bad_codes = sorted(c for c in codes_all if not CODE_RE.match(c))
    if bad_codes:
        problems.append(f"codes must not contain spaces or start with a digit: {bad_codes}")
    return problems


def _read_nodes(
    codes_all: list[str],
    types_all: list[Any],
    columns: dict[str, list[Any]],
    problems: list[str],
) -> dict[str, Node]:
    """The indicators and aggregates of iMeta, in input order (groups and denominators are not nodes)."""
    nodes: dict[str, Node] = {}
    for i, (code, kind) in enumerate(zip(codes_all, types_all, strict=True)):
        if kind not in ("Indicator", "Aggregate"):
            continue
        if code in nodes:  # duplicate, already reported: keep the first for the other checks
            continue
        node = _read_node(code, kind, {col: values[i] for col, values in columns.items()}, problems)
        if node is not None:
            nodes[code] = node
    return nodes


def _read_node(code: str, kind: str, row: dict[str, Any], problems: list[str]) -> Node | None:
    level, weight, direction = row["Level"], row["Weight"], row["Direction"]
    if is_missing(level):
        problems.append(f"{code}: Level is missing")
        return None
    if is_missing(weight):
        problems.append(f"{code}: Weight is missing")
        weight = 1.0
    if kind == "Indicator":
        if is_missing(direction) or float(direction) not in (-1.0, 1.0):
            problems.append(f"{code}: Direction must be -1 or 1 (got {direction})")
            direction = 1
    elif is_missing(direction):
        direction = 1
    parent, denom, target = row["Parent"], row["Denominator"], row["Target"]
    name_en, name_zh, unit = row["iName"], row["iName_zh"], row["Unit"]
    return Node(
        code=code,
        level=int(level),
        parent=None if is_missing(parent) else str(parent),
        weight=float(weight),
        direction=int(direction),
        name_en="" if is_missing(name_en) else str(name_en),
        name_zh="" if is_missing(name_zh) else str(name_zh),
        unit="" if is_missing(unit) else str(unit),
        target=math.nan if is_missing(target) else float(target),
        denominator=None if is_missing(denom) else str(denom),
        type=str(kind),
    )


def _level_problems(nodes: dict[str, Node]) -> list[str]:
    problems = []
    for n in nodes.values():
        if n.type == "Indicator" and n.level != 1:
            problems.append(f"{n.code}: indicators must be at Level 1 (got {n.level})")
        if n.type == "Aggregate" and n.level < 2:
            problems.append(f"{n.code}: aggregates must be at Level 2 or above (got {n.level})")
    return problems


def _data_problems(
    nodes: dict[str, Node],
    idata: pd.DataFrame,
    codes_all: list[str],
    groups: list[str],
    denoms: list[str],
) -> list[str]:
    """iData against iMeta: every described column present, nothing undescribed, numbers numeric."""
    problems = []
    data_columns = idata.columns.tolist()
    data_cols = set(data_columns)
    missing_ind = [c for c, n in nodes.items() if n.level == 1 and c not in data_cols]
    if missing_ind:
        problems.append(f"indicators in iMeta but not in iData: {missing_ind}")
    agg_in_data = [c for c, n in nodes.items() if n.level > 1 and c in data_cols]
    if agg_in_data:
        problems.append(f"aggregate codes must not be iData columns: {agg_in_data}")
    for kind, codes in (("Group", groups), ("Denominator", denoms)):
        absent_cols = [c for c in codes if c not in data_cols]
        if absent_cols:
            problems.append(f"{kind} codes in iMeta but not in iData: {absent_cols}")
    unknown_den = sorted(
        {
            f"{c}->{n.denominator}"
            for c, n in nodes.items()
            if n.denominator and n.denominator not in denoms
        }
    )
    if unknown_den:
        problems.append(f"Denominator not declared with Type 'Denominator': {unknown_den}")
    unknown_cols = sorted(data_cols - set(codes_all) - set(_UNIT_COLUMNS))
    if unknown_cols:
        problems.append(f"iData columns not described in iMeta: {unknown_cols}")
    dtypes = dict(zip(data_columns, idata.dtypes.tolist(), strict=True))
    non_numeric = [
        c
        for c in [*(c for c, n in nodes.items() if n.level == 1), *denoms]
        if c in data_cols
        and not pd.api.types.is_numeric_dtype(dtypes[c])
        and idata[c].notna().any()
    ]
    if non_numeric:
        problems.append(f"non-numeric indicator or denominator columns: {non_numeric}")
    return problems


def _unit_codes(raw_codes: list[Any], problems: list[str]) -> list[str]:
    """The uCodes as text, noting missing and duplicate ones in ``problems``."""
    missing_rows = [i + 2 for i, u in enumerate(raw_codes) if is_missing(u)]
    if missing_rows:
        problems.append(f"uCode missing in rows {missing_rows}")
    ucodes = [str(u) for u in raw_codes]
    seen: set[str] = set()
    dup_units = sorted({u for u in ucodes if u in seen or seen.add(u)})  # type: ignore[func-returns-value]
    if dup_units:
        problems.append(f"duplicate uCode {dup_units}")
    return ucodes
