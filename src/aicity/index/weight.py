"""Weight: nominal, equal, AHP, entropy, CRITIC, PCA and COINr-style optimised weights, per parent group.

Weights are relative: aggregation renormalises them within each parent (over the children present).
Data-driven methods (entropy, critic, pca) work inside each parent group at ``level`` on the data as it
stands (normally the normalised indicators); for ``level`` >= 2 the lower levels are first aggregated
with the current weights (arithmetic mean).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from aicity.index import numeric
from aicity.index.aggregate import aggregate_tree
from aicity.index.base import Context, Step, fail
from aicity.index.framework import Framework

WEIGHT_METHODS = ("nominal", "equal", "ahp", "entropy", "critic", "pca", "optimised")


def normalised_weights(
    framework: Framework, weights: Mapping[str, float] | None = None
) -> dict[str, float]:
    """Weights rescaled to sum to 1 within each parent group (the root gets 1)."""
    weights = framework.weights if weights is None else weights
    out = {framework.root: 1.0}
    for code in framework.nodes:
        if code == framework.root:
            continue
        siblings = framework.children(framework.parent(code))  # type: ignore[arg-type]
        total = sum(weights[s] for s in siblings)
        out[code] = weights[code] / total if total > 0 else np.nan
    return out


def effective_weights(
    framework: Framework, weights: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """COINr ``get_eff_weights``: each node's weight in the index = product of normalised weights upwards.

    Columns iCode, Level, Weight (as given), EffWeight.
    """
    weights = framework.weights if weights is None else weights
    within = normalised_weights(framework, weights)
    rows: list[dict[str, object]] = []
    for code, node in framework.nodes.items():
        eff, cur = 1.0, code  # type: float, str | None
        while cur is not None:
            eff *= within[cur]
            cur = framework.parent(cur)
        rows.append({"iCode": code, "Level": node.level, "Weight": weights[code], "EffWeight": eff})
    return pd.DataFrame(rows)


def _level_data(
    ctx: Context, level: int, weights: Mapping[str, float]
) -> tuple[np.ndarray, list[str]]:
    if level == 1:
        return ctx.X, ctx.codes
    A, codes = aggregate_tree(ctx.X, ctx.framework, weights, units=ctx.units, codes=ctx.codes)
    cols = [codes.index(c) for c in ctx.framework.levels[level - 1]]
    return A[:, cols], ctx.framework.levels[level - 1]


def _corr_with(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    ok = ~np.isnan(y)
    Xc = X[ok] - X[ok].mean(axis=0)
    yc = y[ok] - y[ok].mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        return (Xc * yc[:, None]).sum(axis=0) / np.sqrt((Xc**2).sum(axis=0) * (yc**2).sum())


def optimise_weights(
    ctx: Context,
    level: int,
    target: Mapping[str, float] | None,
    weights: Mapping[str, float],
    max_iter: int = 2000,
) -> tuple[dict[str, float], float]:
    """COINr ``get_opt_weights(optype = "balance")``: weights of one level such that each node's Pearson
    correlation with the index, as a share of their sum, matches the target shares (equal by default).

    Nelder-Mead (scipy) over the level's weights, re-aggregating at every evaluation like COINr; returns
    the weights and the final squared error.
    """
    from scipy.optimize import minimize

    fw = ctx.framework
    codes = fw.levels[level - 1]
    t = np.array([1.0 if target is None else float(target[c]) for c in codes])
    t = t / t.sum()
    lower = _level_data(ctx, level, weights)[0] if level > 1 else ctx.X
    upper_tree = fw.tree()[level - 1 :]

    def index_of(w: np.ndarray) -> np.ndarray:
        cur = lower
        wmap = dict(weights)
        wmap.update(zip(codes, np.abs(w), strict=True))
        for children, _, M in upper_tree:
            ww = np.array([wmap[c] for c in children])
            cur = numeric.arithmetic_mean(cur, ww, M)
        return cur[:, 0]

    def loss(w: np.ndarray) -> float:
        if not np.abs(w).sum() > 0:
            return 1e9
        r = _corr_with(lower, index_of(w))
        share = r / r.sum()
        return float(((share - t) ** 2).sum())

    w0 = np.array([weights[c] for c in codes], dtype=float)
    res = minimize(
        loss, w0, method="Nelder-Mead", options={"maxiter": max_iter, "xatol": 1e-8, "fatol": 1e-12}
    )
    w = np.abs(res.x)
    w = w / w.sum()
    return dict(zip(codes, w.tolist(), strict=True)), float(res.fun)


class Weight(Step):
    """Choose the weights used by aggregation.

    ``method``: ``nominal`` (framework weights), ``equal``, ``ahp`` (``matrix``: parent code -> pairwise
    matrix over its children in framework order, or {codes: [...], matrix: [[...]]}; refuses a consistency
    ratio above 0.1 unless ``allow_inconsistent``), ``entropy``, ``critic`` (direction-aware), ``pca``
    (squared PC1 loadings), ``optimised`` (COINr's balance optimisation at ``level``; ``target`` shares).
    ``level``: the level whose nodes get new weights (default 1 = indicators; for ``optimised`` the
    level below the index).
    """

    name = "weight"
    stage = "weights"
    methods = WEIGHT_METHODS

    def __init__(
        self,
        *,
        method: str = "nominal",
        level: int | None = None,
        matrix: dict[str, Any] | None = None,
        allow_inconsistent: bool = False,
        target: dict[str, float] | None = None,
    ) -> None:
        self.method = method
        self.level = level
        self.matrix = matrix
        self.allow_inconsistent = allow_inconsistent
        self.target = target

    def check(self, path: str = "") -> None:
        super().check(path)
        if self.level is not None and (not isinstance(self.level, int) or self.level < 1):
            fail(f"{path}weight -> level", f"must be an integer >= 1 (got {self.level!r})")
        if self.method == "ahp" and not isinstance(self.matrix, Mapping):
            fail(
                f"{path}weight -> matrix",
                "ahp needs 'matrix': parent code -> pairwise comparison matrix",
            )
        if not isinstance(self.allow_inconsistent, bool):
            fail(f"{path}weight -> allow_inconsistent", "must be true or false")

    def apply(self, ctx: Context) -> None:
        fw = ctx.framework
        weights = dict(ctx.weights or fw.weights)
        default_level = fw.n_levels - 1 if self.method == "optimised" else 1
        level = self.level or default_level
        if level >= fw.n_levels:
            fail("weight -> level", f"must be below the index level {fw.n_levels} (got {level})")
        parents = fw.levels[level]  # nodes one level up: each parent's children get weights
        details: list[dict[str, Any]] = []
        if self.method == "equal":
            for code in fw.levels[level - 1] if self.level else fw.nodes:
                weights[code] = 1.0
        elif self.method == "ahp":
            for parent, spec in (self.matrix or {}).items():
                if parent not in fw.nodes:
                    fail(f"weight -> matrix -> {parent}", "not a code of the framework")
                codes = fw.children(parent)
                A = spec
                if isinstance(spec, Mapping):
                    codes, A = list(spec.get("codes", codes)), spec.get("matrix")
                    if sorted(codes) != sorted(fw.children(parent)):
                        fail(
                            f"weight -> matrix -> {parent} -> codes",
                            f"must list the children of {parent}: {fw.children(parent)} (got {codes})",
                        )
                A = np.asarray(A, dtype=float)
                if A.shape != (len(codes), len(codes)) or (A <= 0).any():
                    fail(
                        f"weight -> matrix -> {parent}",
                        f"must be a positive {len(codes)}x{len(codes)} "
                        f"matrix over {codes} (got shape {A.shape})",
                    )
                if not np.allclose(A * A.T, 1.0, rtol=1e-6):
                    fail(f"weight -> matrix -> {parent}", "must be reciprocal: a_ji = 1 / a_ij")
                w, cr = numeric.ahp_weights(A)
                if cr > 0.1 and not self.allow_inconsistent:
                    fail(
                        f"weight -> matrix -> {parent}",
                        f"consistency ratio {cr:.3f} exceeds 0.1 "
                        "(revise the judgements or set allow_inconsistent: true)",
                    )
                weights.update(zip(codes, w.tolist(), strict=True))
                details.append({"parent": parent, "consistency_ratio": cr})
        elif self.method in ("entropy", "critic", "pca"):
            X, codes = _level_data(ctx, level, weights)
            col = {c: j for j, c in enumerate(codes)}
            for parent in parents:
                kids = fw.children(parent)
                idx = np.array([col[c] for c in kids])
                if len(kids) == 1:
                    weights[kids[0]] = 1.0
                    continue
                sub = X[:, idx]
                try:
                    if self.method == "entropy":
                        w = numeric.entropy_weights(sub)
                    elif self.method == "critic":
                        # data are direction-adjusted after normalisation, so every column is a benefit
                        w = numeric.critic_weights(sub)
                    else:
                        w = numeric.pca_weights(sub)
                except ValueError as exc:
                    fail(f"weight -> method -> {self.method} -> {parent}", str(exc))
                weights.update(zip(kids, w.tolist(), strict=True))
        elif self.method == "optimised":
            new, err = optimise_weights(ctx, level, self.target, weights)
            weights.update(new)
            details.append({"level": level, "squared_error": err})
        self.weights_ = weights
        ctx.weights = weights
        ctx.reports["weights"] = effective_weights(fw, weights)
        if details:
            ctx.reports["weight_details"] = pd.DataFrame(details)
