"""Batched numeric kernels: aggregation over many weight sets at once, bulk ranks, rank statistics.

Shapes: ``X`` is ``(units, indicators)`` with NaN for missing; weights of one level are ``(R, n_level)``
(one row per replication); scores come back as ``(R, units)``.

The aggregation follows the engine's semantics (``aicity.index.numeric``): within each parent, missing
children are skipped and the weights of the present ones renormalised; a parent whose children are all
missing (or all weighted zero) is missing itself and is skipped one level up.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from aicity.index import numeric
from aicity.index.framework import Framework

POWER_METHODS = {"arithmetic_mean": 1.0, "geometric_mean": 0.0, "harmonic_mean": -1.0}


@dataclass(frozen=True)
class Tree:
    """The aggregation hierarchy as index arrays: ``parents[l][i]`` is the parent position (in level
    ``l + 1``) of node ``i`` of level ``l``; level 0 holds the indicators."""

    levels: tuple[tuple[str, ...], ...]
    parents: tuple[np.ndarray, ...]

    @classmethod
    def from_parent_map(cls, levels: Sequence[Sequence[str]], parent_of: dict[str, str]) -> Tree:
        levels_t = tuple(tuple(level) for level in levels)
        parents = []
        for lower, upper in itertools.pairwise(levels_t):
            position = {code: i for i, code in enumerate(upper)}
            parents.append(np.array([position[parent_of[code]] for code in lower], dtype=np.intp))
        return cls(levels_t, tuple(parents))

    @classmethod
    def from_framework(cls, framework: Framework) -> Tree:
        """The engine's own tree order (``Framework.tree()``), so weights and columns line up."""
        steps = framework.tree()
        levels = [steps[0][0], *(parents for _, parents, _ in steps)]
        parent_of = {code: framework.parent(code) for level in levels[:-1] for code in level}
        return cls.from_parent_map(levels, parent_of)  # type: ignore[arg-type]

    def membership(self, level: int) -> np.ndarray:
        """0/1 matrix ``(n_level, n_parent_level)``."""
        parent = self.parents[level]
        out = np.zeros((len(parent), len(self.levels[level + 1])))
        out[np.arange(len(parent)), parent] = 1.0
        return out

    def locate(self, code: str) -> tuple[int, int]:
        for level, codes in enumerate(self.levels):
            if code in codes:
                return level, codes.index(code)
        raise KeyError(code)


@dataclass(frozen=True)
class Aggregation:
    """How one replication group aggregates: a method per level transition, plus the power ``p`` of
    the generalised mean and the engine's minimum share of present children."""

    methods: tuple[str, ...]
    p: float = 1.0
    min_availability: float | None = None

    def power(self, transition: int) -> float | None:
        method = self.methods[transition]
        if method == "generalised_mean":
            return float(self.p)
        return POWER_METHODS.get(method)


def _forward(values: np.ndarray, power: float) -> np.ndarray:
    if power == 0.0:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(values)
    if power == 1.0:
        return values
    with np.errstate(divide="ignore", invalid="ignore"):
        return values**power


def _backward(values: np.ndarray, power: float) -> np.ndarray:
    if power == 0.0:
        return np.exp(values)
    if power == 1.0:
        return values
    with np.errstate(divide="ignore", invalid="ignore"):
        return values ** (1.0 / power)


def live_normalised_weights(
    tree: Tree, level_weights: Sequence[np.ndarray], upto: int
) -> list[np.ndarray]:
    """Weights renormalised within each parent, with nodes of all-zero-weight subtrees switched off.

    ``level_weights[l]`` is ``(R, n_l)``; returns the same shapes for levels ``0 .. upto - 1``.
    """
    reps = max((w.shape[0] for w in level_weights if np.ndim(w) == 2), default=1)
    alive = np.ones((reps, len(tree.levels[0])), dtype=bool)
    out = []
    for level in range(upto):
        w = np.where(alive, level_weights[level], 0.0)
        parent = tree.parents[level]
        totals = w @ tree.membership(level)
        with np.errstate(invalid="ignore", divide="ignore"):
            out.append(np.where(totals[:, parent] > 0, w / totals[:, parent], 0.0))
        alive = totals > 0
    return out


def effective_weights(
    tree: Tree, level_weights: Sequence[np.ndarray], target: tuple[int, int]
) -> np.ndarray:
    """``(R, n_indicators)`` weights whose flat sum equals the hierarchical mean at ``target``.

    Exact for any nested power mean without missing data (the same method at every level).
    """
    top_level, top_pos = target
    normalised = live_normalised_weights(tree, level_weights, top_level)
    eff = np.zeros((normalised[0].shape[0], len(tree.levels[top_level])))
    eff[:, top_pos] = 1.0
    for level in range(top_level - 1, -1, -1):
        eff = normalised[level] * eff[:, tree.parents[level]]
    return eff


def aggregate_flat(
    X: np.ndarray,
    tree: Tree,
    level_weights: Sequence[np.ndarray],
    target: tuple[int, int],
    power: float,
) -> np.ndarray:
    """Fast path: one matrix product ``f(X) @ W_eff.T`` for a complete ``X`` and one power mean."""
    eff = effective_weights(tree, level_weights, target)
    used = eff.any(axis=0)
    fx = _forward(X[:, used], power)
    return _backward(eff[:, used] @ fx.T, power)  # (R, units), laid out as the caller stores it


def _engine_mean(
    values: np.ndarray, w: np.ndarray, member: np.ndarray, aggregation: Aggregation, transition: int
) -> np.ndarray:
    method = aggregation.methods[transition]
    if method == "arithmetic_mean":
        return numeric.arithmetic_mean(values, w, member)
    if method == "geometric_mean":
        return numeric.geometric_mean(values, w, member)
    if method == "harmonic_mean":
        return numeric.harmonic_mean(values, w, member)
    if method == "generalised_mean":
        return numeric.generalised_mean(values, w, aggregation.p, member)
    # outranking and distance methods have no matrix form over weights: one engine call per replication
    from aicity.index.aggregate import aggregate_level

    if values.ndim == 2 and w.ndim == 1:
        return aggregate_level(values, w, member, method, aggregation.p)
    reps = values.shape[0] if values.ndim == 3 else w.shape[0]
    return np.stack(
        [
            aggregate_level(
                values[r] if values.ndim == 3 else values,
                w[r] if w.ndim == 2 else w,
                member,
                method,
                aggregation.p,
            )
            for r in range(reps)
        ]
    )


def aggregate_levels(
    X: np.ndarray,
    tree: Tree,
    level_weights: Sequence[np.ndarray],
    target: tuple[int, int],
    aggregation: Aggregation,
) -> np.ndarray:
    """General path, level by level with the engine's own kernels (``aicity.index.numeric``).

    A level whose weights are shared ``(n,)`` keeps the values shared; the first level with ``(R, n)``
    weights fans out to ``(R, units, n_parent)``. Returns ``(R, units)`` (or ``(units,)`` if nothing
    varies).
    """
    top_level, top_pos = target
    values = X
    for level in range(top_level):
        member = tree.membership(level)
        mean = _engine_mean(values, np.asarray(level_weights[level]), member, aggregation, level)
        if aggregation.min_availability is not None:
            present = (~np.isnan(values)).astype(float) @ member
            mean = np.where(
                present / member.sum(axis=0) < aggregation.min_availability, np.nan, mean
            )
        values = mean
    return values[..., top_pos]


def _rank_rows(flat: np.ndarray, out: np.ndarray) -> None:
    missing = np.isnan(flat)
    has_missing = bool(missing.any())
    negated = np.negative(flat)
    if has_missing:
        negated[missing] = np.inf  # sorts last; overwritten with NaN below
    order = np.argsort(negated, axis=1)
    ordered = np.sort(negated, axis=1)
    positions = np.arange(1.0, flat.shape[1] + 1.0)
    ties = ordered[:, 1:] == ordered[:, :-1]
    if ties.any():
        # a tied position takes the position where its run of equal scores started
        first = np.tile(positions, (flat.shape[0], 1))
        first[:, 1:][ties] = 0.0
        np.maximum.accumulate(first, axis=1, out=first)
    else:
        first = np.broadcast_to(positions, flat.shape)
    # scatter through flat indices: cheaper than put_along_axis on wide blocks
    flat_index = order + (np.arange(flat.shape[0], dtype=np.intp) * flat.shape[1])[:, None]
    out.reshape(-1)[flat_index.reshape(-1)] = np.broadcast_to(first, flat.shape).reshape(-1)
    if has_missing:
        out[missing] = np.nan


def rank_min(scores: np.ndarray, *, workers: int = 2) -> np.ndarray:
    """Ranks along the last axis: 1 = highest, ties share the lowest rank, NaN stays NaN.

    Large inputs are ranked in row blocks on ``workers`` threads (NumPy's sorts release the GIL).
    """
    scores = np.asarray(scores, dtype=float)
    flat = scores.reshape(-1, scores.shape[-1])
    ranks = np.empty(flat.shape)
    if workers <= 1 or flat.size < 200_000:
        _rank_rows(flat, ranks)
    else:
        from concurrent.futures import ThreadPoolExecutor

        bounds = np.linspace(0, flat.shape[0], 4 * workers + 1).astype(int)
        with ThreadPoolExecutor(workers) as pool:
            list(
                pool.map(
                    lambda i: _rank_rows(
                        flat[bounds[i] : bounds[i + 1]], ranks[bounds[i] : bounds[i + 1]]
                    ),
                    range(len(bounds) - 1),
                )
            )
    return ranks.reshape(scores.shape)


def column_quantiles(values: np.ndarray, probs: Sequence[float]) -> np.ndarray:
    """Type-7 quantiles of each column of ``(R, m)`` values; ``(len(probs), m)``. NaN skipped.

    Partitions a contiguous transposed copy row by row at just the order statistics the quantiles need
    (the same values a full sort puts there): faster than ``np.quantile`` on this shape, and than a sort.
    """
    if np.isnan(values).any():
        return np.nanquantile(values, probs, axis=0)
    reps = values.shape[0]
    positions = []
    for prob in probs:
        h = (reps - 1) * prob
        lo = int(np.floor(h))
        positions.append((lo, min(lo + 1, reps - 1), h - lo))
    ordered = np.ascontiguousarray(values.T)
    ordered.partition(sorted({k for lo, hi, _ in positions for k in (lo, hi)}), axis=1)
    out = np.empty((len(probs), values.shape[1]))
    for j, (lo, hi, frac) in enumerate(positions):
        a, b = ordered[:, lo], ordered[:, hi]
        # numpy's lerp, including its symmetric form for t >= 0.5, so results match to the last bit
        out[j] = b - (b - a) * (1 - frac) if frac >= 0.5 else a + (b - a) * frac
    return out


def rank_counts(ranks: np.ndarray, n_units: int) -> np.ndarray:
    """``(units, n_units)`` counts: how often unit ``i`` took rank ``r + 1`` over the replications."""
    units = ranks.shape[1]
    offsets = np.arange(units, dtype=np.intp) * n_units - 1
    valid = np.isfinite(ranks)
    if valid.all():
        flat = (ranks.astype(np.intp) + offsets).ravel()
    else:
        flat = (np.where(valid, ranks, 1).astype(np.intp) + offsets)[valid]
    return np.bincount(flat, minlength=units * n_units).reshape(units, n_units)


def quantiles_from_counts(counts: np.ndarray, probs: Sequence[float]) -> np.ndarray:
    """Type-7 (numpy 'linear', R's default) quantiles of ranks 1..K from their counts; ``(units, len(probs))``.

    Equal to ``np.quantile`` of the expanded ranks, without keeping every replication's ranks.
    """
    total = counts.sum(axis=1)
    cumulative = counts.cumsum(axis=1)
    out = np.full((counts.shape[0], len(probs)), np.nan)
    has = total > 0
    for j, prob in enumerate(probs):
        h = (total - 1) * prob
        lo = np.floor(h)
        frac = h - lo
        hi = np.minimum(lo + 1, total - 1)
        v_lo = (cumulative <= lo[:, None]).sum(axis=1) + 1.0
        v_hi = (cumulative <= hi[:, None]).sum(axis=1) + 1.0
        # numpy's lerp, including its symmetric form for t >= 0.5, so results match to the last bit
        value = np.where(
            frac >= 0.5, v_hi - (v_hi - v_lo) * (1 - frac), v_lo + (v_hi - v_lo) * frac
        )
        out[has, j] = value[has]
    return out
