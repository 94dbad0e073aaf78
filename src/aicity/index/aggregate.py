"""Aggregate: walk the tree level by level, one matrix product per level for the mean-type methods.

Missing values are skipped and the remaining weights renormalised (COINr's default); ``min_availability``
makes a score missing when too few children are present (COINr's ``dat_thresh``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from aicity.index import numeric
from aicity.index.base import Context, Step, fail
from aicity.index.framework import Framework

AGGREGATE_METHODS = (
    "arithmetic_mean",
    "geometric_mean",
    "harmonic_mean",
    "generalised_mean",
    "copeland",
    "topsis",
)


def aggregate_level(
    X: np.ndarray,
    w: np.ndarray,
    membership: np.ndarray,
    method: str,
    p: float = 1.0,
    min_availability: float | None = None,
) -> np.ndarray:
    """Scores of the parents of one level: ``X`` (u, k) children, ``w`` (k,), ``membership`` (k, p)."""
    if method == "arithmetic_mean":
        out = numeric.arithmetic_mean(X, w, membership)
    elif method == "geometric_mean":
        out = numeric.geometric_mean(X, w, membership)
    elif method == "harmonic_mean":
        out = numeric.harmonic_mean(X, w, membership)
    elif method == "generalised_mean":
        out = numeric.generalised_mean(X, w, p, membership)
    else:
        kernel = numeric.copeland if method == "copeland" else numeric.topsis
        out = np.full((X.shape[0], membership.shape[1]), np.nan)
        for j in range(membership.shape[1]):
            cols = np.flatnonzero(membership[:, j])
            out[:, j] = kernel(X[:, cols], w[cols])
    if min_availability is not None:
        counts = (~np.isnan(X)).astype(float) @ membership
        share = counts / membership.sum(axis=0)
        out = np.where(share < min_availability, np.nan, out)
    return out


def _check_values(X: np.ndarray, children: list[str], units: np.ndarray, method: str) -> None:
    if method == "geometric_mean":
        bad = X <= 0
        need = "values > 0"
    elif method == "harmonic_mean":
        bad = X == 0
        need = "non-zero values"
    else:
        return
    if bad.any():
        rows, cols = np.nonzero(bad)
        examples = ", ".join(
            f"{units[r]}/{children[c]}={X[r, c]:g}" for r, c in zip(rows[:3], cols[:3], strict=True)
        )
        fail(
            "aggregate -> method",
            f"{method} needs {need}; {int(bad.sum())} values are not (e.g. {examples})"
            " - normalise to a positive range first, e.g. minmax with lower: 1, upper: 100",
        )


def aggregate_tree(
    X: np.ndarray,
    framework: Framework,
    weights: Mapping[str, float] | None = None,
    method: str = "arithmetic_mean",
    p: float = 1.0,
    min_availability: float | None = None,
    by_level: Mapping[int, str] | None = None,
    units: np.ndarray | None = None,
    codes: list[str] | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Aggregate indicator matrix ``X`` (columns = ``codes``, default the framework's indicators) up the
    whole tree. Returns (indicators then every aggregate level, column codes)."""
    weights = framework.weights if weights is None else weights
    codes = list(codes or framework.indicators)
    units = np.arange(X.shape[0]).astype(str) if units is None else units
    col = {c: j for j, c in enumerate(codes)}
    blocks = [X]
    all_codes = list(codes)
    current = X
    for lev, (children, parents, M) in enumerate(framework.tree(), start=2):
        idx = np.array([col[c] for c in children]) if lev == 2 else None
        Xc = current[:, idx] if idx is not None else current
        m = (by_level or {}).get(lev, method)
        _check_values(Xc, children, units, m)
        w = np.array([weights[c] for c in children], dtype=float)
        scores = aggregate_level(Xc, w, M, m, p, min_availability)
        blocks.append(scores)
        all_codes += parents
        current = scores
    return np.hstack(blocks), all_codes


def aggregate(data: pd.DataFrame, framework: Framework, **params: Any) -> pd.DataFrame:
    """Function twin: aggregate a normalised indicator table (uCode index) up the framework's tree."""
    step = Aggregate(**params)
    step.check()
    A, codes = aggregate_tree(
        data[framework.indicators].to_numpy(dtype=float),
        framework,
        None,
        step.method,
        step.p,
        step.min_availability,
        step._levels(framework),
        data.index.to_numpy(),
    )
    return pd.DataFrame(A, index=data.index, columns=codes)


class Aggregate(Step):
    """Aggregate indicators up every level of the framework.

    ``method``: ``arithmetic_mean`` (default), ``geometric_mean`` (values > 0), ``harmonic_mean``,
    ``generalised_mean`` (power ``p``), ``copeland`` (COINr's outranking scores), ``topsis`` (vector
    normalisation, ideal = column max, anti-ideal = column min, Euclidean distances). ``by_level`` maps a
    level number or name to another method for that level. ``min_availability`` (0-1) makes a score NaN when
    the share of present children is below it. Weights come from the ``weight`` step, else the framework.
    """

    name = "aggregate"
    stage = "aggregated"
    methods = AGGREGATE_METHODS

    def __init__(
        self,
        *,
        method: str = "arithmetic_mean",
        p: float = 1.0,
        min_availability: float | None = None,
        by_level: dict[Any, str] | None = None,
    ) -> None:
        self.method = method
        self.p = p
        self.min_availability = min_availability
        self.by_level = by_level

    def check(self, path: str = "") -> None:
        super().check(path)
        if not isinstance(self.p, int | float) or isinstance(self.p, bool):
            fail(f"{path}aggregate -> p", f"must be a number (got {self.p!r})")
        ma = self.min_availability
        if ma is not None and (
            not isinstance(ma, int | float) or isinstance(ma, bool) or not 0 <= ma <= 1
        ):
            fail(
                f"{path}aggregate -> min_availability",
                f"must be between 0 and 1 or null (got {ma!r})",
            )
        if self.by_level is not None:
            if not isinstance(self.by_level, Mapping):
                fail(
                    f"{path}aggregate -> by_level", "must map a level (number or name) to a method"
                )
            for lev, m in self.by_level.items():
                if m not in AGGREGATE_METHODS:
                    fail(
                        f"{path}aggregate -> by_level -> {lev}",
                        f"must be one of {list(AGGREGATE_METHODS)} (got {m!r})",
                    )

    def _levels(self, fw: Framework) -> dict[int, str] | None:
        if not self.by_level:
            return None
        out: dict[int, str] = {}
        names = {n: i + 1 for i, n in enumerate(fw.level_names)}
        for lev, m in self.by_level.items():
            number = names.get(lev, lev)
            if not isinstance(number, int) or not 2 <= number <= fw.n_levels:
                fail(
                    f"aggregate -> by_level -> {lev}",
                    f"must be a level 2..{fw.n_levels} or one of {fw.level_names[1:]}",
                )
            out[number] = m
        return out

    def apply(self, ctx: Context) -> None:
        weights = ctx.weights or ctx.framework.weights
        A, codes = aggregate_tree(
            ctx.X,
            ctx.framework,
            weights,
            self.method,
            self.p,
            self.min_availability,
            self._levels(ctx.framework),
            ctx.units,
            ctx.codes,
        )
        ctx.aggregated = A
        ctx.aggregated_codes = codes
        ctx.weights = dict(weights)
        ctx.stages[self.stage] = (ctx.units, A)
