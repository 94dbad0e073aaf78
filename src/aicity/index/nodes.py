"""The nodes of an index framework and the checks every tree must pass, whichever reader built it.

The readers (``framework_coinr``, ``framework_yaml``) turn their input into ``Node`` objects and the
arguments of a ``Framework``; ``Framework`` itself lives one floor up in ``framework``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Required, TypedDict

import numpy as np
import pandas as pd

NODE_TYPES = ("Indicator", "Aggregate", "Group", "Denominator", "Other")
UNIT_TYPES = ("city", "park")
CODE_RE = re.compile(r"^[^\s\d][^\s]*$")


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


class FrameworkParts(TypedDict, total=False):
    """What a reader hands to ``Framework(...)``: the keyword arguments of its constructor."""

    nodes: Required[dict[str, Node]]
    units: pd.DataFrame | None
    data: pd.DataFrame | None
    level_names: list[str] | None
    name: str
    group_columns: list[str] | None
    denominator_columns: list[str] | None
    unit_codes: np.ndarray | None
    values: np.ndarray | None
    unit_columns: dict[str, np.ndarray] | None


def is_missing(value: Any) -> bool:
    # `value != value` is NaN's signature (a float or NumPy float); pd.NA is checked first as it has no truth
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def infer_levels(nodes: dict[str, Node], root: str, problems: list[str]) -> None:
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


def check_tree(nodes: dict[str, Node]) -> list[str]:
    """Every problem of the tree's shape: levels without gaps, one root, parents one level up, weights."""
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
        problems += _node_problems(c, n, nodes, top)
    has_child = {n.parent for n in nodes.values()}
    childless = [c for c, n in nodes.items() if n.level > 1 and c not in has_child]
    if childless:
        problems.append(f"aggregates without children: {childless}")
    return problems


def _node_problems(c: str, n: Node, nodes: dict[str, Node], top: int) -> list[str]:
    if n.level == top:
        if n.parent is not None:
            return [f"{c}: the top-level node must have no parent (got {n.parent})"]
        return []
    problems = []
    if n.parent is None:
        problems.append(f"{c}: Parent is missing")
    elif n.parent not in nodes:
        problems.append(f"{c}: Parent {n.parent} is not a code of the framework")
    elif nodes[n.parent].level != n.level + 1:
        problems.append(
            f"{c}: Parent {n.parent} is at level {nodes[n.parent].level}, expected {n.level + 1}"
        )
    if n.weight < 0 or not math.isfinite(n.weight):
        problems.append(f"{c}: Weight must be a finite number >= 0 (got {n.weight})")
    return problems
