"""The index framework: a tree index -> dimensions -> (sub-dimensions) -> indicators, plus the units.

Built from COINr-format tables (iMeta + iData, read by ``framework_coinr``) or from YAML (read by
``framework_yaml``). Everything is validated up front and every problem is reported at once, naming the
offending codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from aicity.errors import ConfigError
from aicity.index.framework_coinr import read_coinr
from aicity.index.framework_yaml import NODE_KEYS, read_yaml
from aicity.index.nodes import Node

# Node and NODE_KEYS are still importable from here, as they always were
__all__ = ["NODE_KEYS", "Framework", "Node"]


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
        return cls(**read_coinr(imeta, idata, level_names=level_names, name=name))

    @classmethod
    def from_yaml(
        cls, source: str | Path | Mapping[str, Any], data: pd.DataFrame | None = None
    ) -> Framework:
        """Build from a YAML framework (path, text or dict) plus a unit table with the indicator columns.

        ``data`` has a ``uCode`` column (or index), optional ``uName``/``unit_type``/group columns, the
        indicator columns and any denominator columns. Without it the framework carries an empty table.
        """
        return cls(**read_yaml(source, data))

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
