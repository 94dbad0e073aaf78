"""The index framework: a tree index -> dimensions -> (sub-dimensions) -> indicators, plus the units.

Built from COINr-format tables (iMeta + iData) or from YAML. Everything is validated up front and every
problem is reported at once, naming the offending codes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from aicity.errors import ConfigError

NODE_TYPES = ("Indicator", "Aggregate", "Group", "Denominator", "Other")
UNIT_TYPES = ("city", "park")
_CODE_RE = re.compile(r"^[^\s\d][^\s]*$")
_UNIT_COLUMNS = ("uCode", "uName", "Time")


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


@dataclass
class Node:
    """One indicator or aggregate of the tree."""

    code: str
    level: int
    parent: str | None
    weight: float = 1.0
    direction: int = 1
    name_en: str = ""
    name_zh: str = ""
    unit: str = ""
    target: float = math.nan
    denominator: str | None = None
    type: str = "Indicator"


def _missing(value: Any) -> bool:
    # `value != value` is NaN's signature (a float or NumPy float); pd.NA is checked first as it has no truth
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _sort_key(code: str) -> tuple[str, str]:
    # R sorts factor levels with the locale's collation: case-insensitive first.
    return (code.casefold(), code)


class Framework:
    """Metadata tree plus the unit table and the raw indicator data.

    ``nodes`` holds indicators (level 1) and aggregates (level >= 2) in input order; ``units`` is indexed
    by uCode (uName, unit_type, group and denominator columns); ``data`` is the raw indicator matrix
    indexed by uCode with one float column per indicator. Internally the data are kept as NumPy arrays
    (``unit_codes``, ``values``, ``unit_columns``) and the two frames are built on first access.
    """

    def __init__(
        self,
        nodes: dict[str, Node],
        units: pd.DataFrame | None = None,
        data: pd.DataFrame | None = None,
        level_names: list[str] | None = None,
        name: str = "index",
        group_columns: list[str] | None = None,
        denominator_columns: list[str] | None = None,
        *,
        unit_codes: np.ndarray | None = None,
        values: np.ndarray | None = None,
        unit_columns: dict[str, np.ndarray] | None = None,
    ) -> None:
        self.nodes = nodes
        self.name = name
        self.group_columns = list(group_columns or [])
        self.denominator_columns = list(denominator_columns or [])
        self.level_names = list(level_names or [])
        self.n_levels = max(n.level for n in nodes.values())
        self.levels: list[list[str]] = [
            [c for c, n in nodes.items() if n.level == lev] for lev in range(1, self.n_levels + 1)
        ]
        self.indicators = self.levels[0]
        if data is not None:
            unit_codes = data.index.to_numpy(dtype=object)
            values = data[self.indicators].to_numpy(dtype=float)
        if units is not None:
            unit_columns = {c: units[c].to_numpy() for c in units.columns}
            if unit_codes is None:
                unit_codes = units.index.to_numpy(dtype=object)
        self.unit_codes = np.asarray(unit_codes if unit_codes is not None else [], dtype=object)
        self.values = (
            np.array(
                values, dtype=float
            )  # an owned, writable copy (pandas hands out read-only views)
            if values is not None
            else np.empty((0, len(self.indicators)))
        )
        self.unit_columns = dict(unit_columns or {})
        self.unit_columns.setdefault("uName", self.unit_codes.copy())
        self.unit_columns.setdefault("unit_type", np.full(len(self.unit_codes), None, dtype=object))
        self._row = {u: i for i, u in enumerate(self.unit_codes)}
        if not self.level_names:
            self.level_names = [
                "Indicator",
                *[f"Level{i}" for i in range(2, self.n_levels)],
                "Index",
            ][: self.n_levels]
            if self.n_levels == 1:
                self.level_names = ["Indicator"]
        self.direction = np.array([self.nodes[c].direction for c in self.indicators], dtype=float)
        self.root = self.levels[-1][0]
        self._children: dict[str, list[str]] = {c: [] for c in self.nodes}
        for c, n in self.nodes.items():
            if n.parent is not None:
                self._children[n.parent].append(c)
        self._tree: list[tuple[list[str], list[str], np.ndarray]] | None = None

    @cached_property
    def data(self) -> pd.DataFrame:
        return pd.DataFrame(
            self.values, index=pd.Index(self.unit_codes, name="uCode"), columns=self.indicators
        )

    @cached_property
    def units(self) -> pd.DataFrame:
        return pd.DataFrame(self.unit_columns, index=pd.Index(self.unit_codes, name="uCode"))

    def unit_column(self, column: str, units: np.ndarray | None = None) -> np.ndarray:
        """One unit-table column as an array, optionally aligned to ``units`` (uCodes)."""
        values = self.unit_columns[column]
        if units is None or units is self.unit_codes:  # the usual case before screening
            return values
        return values[[self._row[u] for u in units]]

    # -------------------------------------------------------------------------------------- queries

    def parent(self, code: str) -> str | None:
        return self.nodes[code].parent

    def children(self, code: str) -> list[str]:
        return list(self._children[code])

    def level_of(self, code: str) -> int:
        return self.nodes[code].level

    def names(self, code: str, lang: str = "en") -> str:
        node = self.nodes[code]
        text = node.name_zh if lang == "zh" else node.name_en
        return text or node.name_en or node.name_zh or code

    @property
    def weights(self) -> dict[str, float]:
        return {c: n.weight for c, n in self.nodes.items()}

    @property
    def denominators(self) -> dict[str, str]:
        return {c: n.denominator for c, n in self.nodes.items() if n.level == 1 and n.denominator}

    @property
    def targets(self) -> np.ndarray:
        return np.array([self.nodes[c].target for c in self.indicators], dtype=float)

    def coin_order(self) -> list[str]:
        """Indicators in the order COINr stores them in a coin: stable-sorted by parent code."""
        return sorted(self.indicators, key=lambda c: _sort_key(self.nodes[c].parent or ""))

    def aggregate_order(self, level: int) -> list[str]:
        """Codes of one aggregate level in COINr's output order (parents sorted by name)."""
        return sorted(self.levels[level - 1], key=_sort_key)

    def lineage(self) -> pd.DataFrame:
        """One row per indicator, one column per level name: the code of its ancestor at that level."""
        rows = []
        for code in self.coin_order():
            row, cur = [code], code
            for _ in range(1, self.n_levels):
                cur = self.nodes[cur].parent  # type: ignore[assignment]
                row.append(cur)
            rows.append(row)
        return pd.DataFrame(rows, columns=self.level_names)

    def tree(self) -> list[tuple[list[str], list[str], np.ndarray]]:
        """Per aggregation step (level 2..L): (child codes, parent codes, 0/1 membership (k, p))."""
        if self._tree is not None:
            return self._tree
        steps = []
        for lev in range(2, self.n_levels + 1):
            parents = self.aggregate_order(lev)
            children = self.levels[lev - 2] if lev == 2 else self.aggregate_order(lev - 1)
            pidx = {p: j for j, p in enumerate(parents)}
            M = np.zeros((len(children), len(parents)))
            for i, c in enumerate(children):
                M[i, pidx[self.nodes[c].parent]] = 1.0  # type: ignore[index]
            steps.append((children, parents, M))
        self._tree = steps
        return steps

    def with_weights(self, weights: Mapping[str, float]) -> Framework:
        """The same framework and data with these node weights (codes not given keep theirs)."""
        nodes = {
            c: replace(n, weight=float(weights.get(c, n.weight))) for c, n in self.nodes.items()
        }
        return Framework(
            nodes=nodes,
            units=self.units,
            data=self.data,
            level_names=self.level_names,
            name=self.name,
            group_columns=self.group_columns,
            denominator_columns=self.denominator_columns,
        )

    def with_data(self, data: pd.DataFrame) -> Framework:
        """The same framework over another raw data table (same indicator columns), validated."""
        missing = [c for c in self.indicators if c not in data.columns]
        if missing:
            raise ConfigError(f"data lacks indicator columns {missing}")
        frame = data.set_index("uCode") if "uCode" in data.columns else data
        frame = frame.copy()
        frame.index = frame.index.astype(object)
        return Framework(
            nodes=self.nodes,
            units=self.units.reindex(frame.index),
            data=frame[self.indicators].astype(float),
            level_names=self.level_names,
            name=self.name,
            group_columns=self.group_columns,
            denominator_columns=self.denominator_columns,
        )

    # -------------------------------------------------------------------------------- constructors

    @classmethod
    def from_coinr(
        cls,
        imeta: pd.DataFrame,
        idata: pd.DataFrame,
        level_names: list[str] | None = None,
        name: str = "index",
    ) -> Framework:
        """Build from COINr's iMeta and iData tables (COINr's ``new_coin`` checks, all reported at once)."""
        problems: list[str] = []
        required = ["iCode", "Level", "Parent", "Type"]
        absent = [c for c in required if c not in imeta.columns]
        if absent:
            raise ConfigError(
                f"iMeta lacks required columns {absent} (has {list(imeta.columns)})", path="iMeta"
            )
        # plain lists of the column labels: iterating a pandas Index element by element is slow
        data_columns = idata.columns.tolist()
        if "uCode" not in data_columns:
            raise ConfigError("iData lacks the required column 'uCode'", path="iData")
        meta = imeta
        # one conversion to Python objects: per-column pandas access is slow for small tables
        table = meta.to_numpy(dtype=object)
        position = {name: i for i, name in enumerate(meta.columns.tolist())}
        codes_all = [str(c) for c in table[:, position["iCode"]]]
        types_all = list(table[:, position["Type"]])
        seen: set[str] = set()
        dup = sorted({c for c in codes_all if c in seen or seen.add(c)})  # type: ignore[func-returns-value]
        if dup:
            problems.append(f"duplicate iCode {dup}")
        bad_type = sorted(
            c for c, t in zip(codes_all, types_all, strict=True) if t not in NODE_TYPES
        )
        if bad_type:
            problems.append(f"Type must be one of {list(NODE_TYPES)}: {bad_type}")
        bad_codes = sorted(c for c in codes_all if not _CODE_RE.match(c))
        if bad_codes:
            problems.append(f"codes must not contain spaces or start with a digit: {bad_codes}")

        def col(name: str) -> list[Any]:
            return list(table[:, position[name]]) if name in position else [None] * len(meta)

        columns = {
            name: col(name)
            for name in (
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
        }
        nodes: dict[str, Node] = {}
        for i in range(len(meta)):
            kind = types_all[i]
            if kind not in ("Indicator", "Aggregate"):
                continue
            code = codes_all[i]
            if code in nodes:  # duplicate, already reported: keep the first for the other checks
                continue
            level, weight, direction = (
                columns["Level"][i],
                columns["Weight"][i],
                columns["Direction"][i],
            )
            if _missing(level):
                problems.append(f"{code}: Level is missing")
                continue
            if _missing(weight):
                problems.append(f"{code}: Weight is missing")
                weight = 1.0
            if kind == "Indicator":
                if _missing(direction) or float(direction) not in (-1.0, 1.0):
                    problems.append(f"{code}: Direction must be -1 or 1 (got {direction})")
                    direction = 1
            elif _missing(direction):
                direction = 1
            parent, denom, target = (
                columns["Parent"][i],
                columns["Denominator"][i],
                columns["Target"][i],
            )
            name_en, name_zh, unit = columns["iName"][i], columns["iName_zh"][i], columns["Unit"][i]
            nodes[code] = Node(
                code=code,
                level=int(level),
                parent=None if _missing(parent) else str(parent),
                weight=float(weight),
                direction=int(direction),
                name_en="" if _missing(name_en) else str(name_en),
                name_zh="" if _missing(name_zh) else str(name_zh),
                unit="" if _missing(unit) else str(unit),
                target=math.nan if _missing(target) else float(target),
                denominator=None if _missing(denom) else str(denom),
                type=str(kind),
            )
        groups = [c for c, t in zip(codes_all, types_all, strict=True) if t == "Group"]
        denoms = [c for c, t in zip(codes_all, types_all, strict=True) if t == "Denominator"]
        for n in nodes.values():
            if n.type == "Indicator" and n.level != 1:
                problems.append(f"{n.code}: indicators must be at Level 1 (got {n.level})")
            if n.type == "Aggregate" and n.level < 2:
                problems.append(f"{n.code}: aggregates must be at Level 2 or above (got {n.level})")
        problems += _check_tree(nodes)

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
        # one conversion of the whole table to Python objects, then plain column slices: much faster
        # than per-column pandas access for the small tables indices are built from
        cells = idata.to_numpy(dtype=object)
        where = {c: i for i, c in enumerate(data_columns)}
        raw_codes = cells[:, where["uCode"]].tolist()
        missing_rows = [i + 2 for i, u in enumerate(raw_codes) if _missing(u)]
        if missing_rows:
            problems.append(f"uCode missing in rows {missing_rows}")
        ucodes = [str(u) for u in raw_codes]
        seen_u: set[str] = set()
        dup_units = sorted({u for u in ucodes if u in seen_u or seen_u.add(u)})  # type: ignore[func-returns-value]
        if dup_units:
            problems.append(f"duplicate uCode {dup_units}")
        if problems:
            raise ConfigError("; ".join(problems), path="iMeta/iData")

        unit_cols = [c for c in ("uName", *groups, *denoms) if c in data_cols]
        indicators = [c for c, n in nodes.items() if n.level == 1]
        unit_columns = {c: cells[:, where[c]] for c in unit_cols}
        try:
            values = cells[:, [where[c] for c in indicators]].astype(float)
        except (TypeError, ValueError):  # pd.NA or text in an all-missing column
            values = idata[indicators].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        return cls(
            nodes=nodes,
            level_names=list(level_names or []),
            name=name,
            group_columns=groups,
            denominator_columns=denoms,
            unit_codes=np.array(ucodes, dtype=object),
            values=values,
            unit_columns=unit_columns,
        )

    @classmethod
    def from_yaml(
        cls, source: str | Path | Mapping[str, Any], data: pd.DataFrame | None = None
    ) -> Framework:
        """Build from a YAML framework (path, text or dict) plus a unit table with the indicator columns.

        ``data`` has a ``uCode`` column (or index), optional ``uName``/``unit_type``/group columns, the
        indicator columns and any denominator columns. Without it the framework carries an empty table.
        """
        spec, where = _load_yaml(source)
        problems: list[str] = []
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
            if not _CODE_RE.match(code):
                problems.append(
                    f"{path}: code {code!r} must not contain spaces or start with a digit"
                )
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
            nodes[code] = Node(
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
        _infer_levels(nodes, index_spec["code"], problems)
        problems += _check_tree(nodes)
        for n in nodes.values():
            n.type = "Indicator" if n.level == 1 else "Aggregate"
        if levels is not None and nodes and len(levels) != max(n.level for n in nodes.values()):
            problems.append(
                f"levels: {len(levels)} names given for {max(n.level for n in nodes.values())}"
                " levels"
            )
        leaf_parents = {n.parent for n in nodes.values() if n.level == 1}
        childless = [
            c
            for c, n in nodes.items()
            if n.level > 1 and c not in {m.parent for m in nodes.values()}
        ]
        if childless:
            problems.append(f"aggregates without children: {childless}")
        del leaf_parents
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
            data.reset_index()
            if "uCode" not in data.columns and data.index.name == "uCode"
            else data
        )
        if "uCode" not in frame.columns:
            problems.append("data: lacks a 'uCode' column")
        else:
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
        if problems:
            raise ConfigError("; ".join(problems), path=where)
        index = pd.Index(frame["uCode"].astype(str), name="uCode")
        groups = [
            c
            for c in frame.columns
            if c not in {"uCode", "uName", "unit_type", "Time", *indicators, *denoms}
        ]
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
        return cls(
            nodes=nodes,
            units=units,
            data=values,
            level_names=list(levels or []),
            name=str(spec.get("name", "index")),
            group_columns=groups,
            denominator_columns=denoms,
        )

    def to_coinr(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The framework as COINr-style iMeta and iData tables."""
        rows = [
            {
                "Level": n.level,
                "iCode": n.code,
                "iName": n.name_en,
                "iName_zh": n.name_zh,
                "Direction": n.direction,
                "Weight": n.weight,
                "Unit": n.unit,
                "Target": n.target,
                "Denominator": n.denominator,
                "Parent": n.parent,
                "Type": n.type,
            }
            for n in self.nodes.values()
        ]
        rows += [{"iCode": g, "Type": "Group"} for g in self.group_columns]
        rows += [{"iCode": d, "Type": "Denominator"} for d in self.denominator_columns]
        idata = pd.concat([self.units.drop(columns=["unit_type"]), self.data], axis=1).reset_index()
        return pd.DataFrame(rows), idata


def _load_yaml(source: str | Path | Mapping[str, Any]) -> tuple[Any, str]:
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


def _infer_levels(nodes: dict[str, Node], root: str, problems: list[str]) -> None:
    """Fill missing levels: leaves are level 1, a parent is one above its highest child."""
    children: dict[str, list[str]] = {c: [] for c in nodes}
    for c, n in nodes.items():
        if n.parent is not None and n.parent in nodes:
            children[n.parent].append(c)
    depth_from_root: dict[str, int] = {}
    stack = [(root, 0)]
    while stack:
        code, d = stack.pop()
        if code in depth_from_root:
            continue
        depth_from_root[code] = d
        stack.extend((ch, d + 1) for ch in children.get(code, []))
    if not depth_from_root:
        return
    height = max(depth_from_root.values()) + 1
    for c, n in nodes.items():
        if n.level == -1 and c in depth_from_root:
            n.level = height - depth_from_root[c]
    leaves_not_bottom = [
        c for c, n in nodes.items() if c in depth_from_root and not children[c] and n.level != 1
    ]
    if leaves_not_bottom:
        problems.append(
            f"indicators must all sit at the bottom level (uneven depth at {leaves_not_bottom})"
        )


def _check_tree(nodes: dict[str, Node]) -> list[str]:
    problems: list[str] = []
    if not nodes:
        return ["no indicators or aggregates"]
    top = max(n.level for n in nodes.values())
    present_levels = {n.level for n in nodes.values()}
    gaps = [lev for lev in range(1, top + 1) if lev not in present_levels]
    if gaps:
        problems.append(f"levels {gaps} have no nodes (levels must run 1..{top} without gaps)")
    roots = [c for c, n in nodes.items() if n.level == top]
    if len(roots) != 1:
        problems.append(f"the top level {top} must hold exactly one node (the index), got {roots}")
    for c, n in nodes.items():
        if n.level == top:
            if n.parent is not None:
                problems.append(f"{c}: the top-level node must have no parent (got {n.parent})")
            continue
        if n.parent is None:
            problems.append(f"{c}: Parent is missing")
        elif n.parent not in nodes:
            problems.append(f"{c}: Parent {n.parent} is not a code of the framework")
        elif nodes[n.parent].level != n.level + 1:
            problems.append(
                f"{c}: Parent {n.parent} is at level {nodes[n.parent].level}, "
                f"expected {n.level + 1}"
            )
        if n.weight < 0 or not math.isfinite(n.weight):
            problems.append(f"{c}: Weight must be a finite number >= 0 (got {n.weight})")
    has_child = {n.parent for n in nodes.values()}
    childless = [c for c, n in nodes.items() if n.level > 1 and c not in has_child]
    if childless:
        problems.append(f"aggregates without children: {childless}")
    return problems
