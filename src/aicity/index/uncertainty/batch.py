"""Scores of the target for every replication, batched: one pipeline run per distinct recipe draw.

Replications are grouped by their recipe values (each distinct combination of pipeline assumptions is
run once through the engine); within a group, weight draws become ``(R, n)`` matrices and the
aggregation runs for the whole chunk at once, in chunks that fit a memory budget.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from aicity.errors import AicityError
from aicity.index.uncertainty.design import Design, Draws
from aicity.index.uncertainty.kernels import (
    Aggregation,
    Tree,
    aggregate_flat,
    aggregate_levels,
)
from aicity.index.uncertainty.spec import LeaveOneOut, WeightDirichlet, WeightNoise

Progress = Callable[[int], None]
MEMORY_BUDGET_BYTES = 256 * 2**20
QUANTILES = (0.05, 0.5, 0.95)


@dataclass
class PreparedGroup:
    """One pipeline run, ready for batched aggregation."""

    units: list[str]
    X: np.ndarray  # (units, indicators), normalised, columns in tree level-0 order
    weights: list[np.ndarray]  # nominal weights per tree level below the top, (n_level,)
    aggregation: Aggregation
    failure: str | None = None


class Model(Protocol):
    """What the batched analysis needs from the index engine (see ``engine.EngineModel``)."""

    tree: Tree
    target: str

    def nominal(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Units, nominal scores and nominal ranks of the target."""
        ...

    def nominal_weights(self) -> dict[str, float]: ...

    def prepare(self, recipe_values: dict[str, Any]) -> PreparedGroup:
        """Run the pipeline with these recipe overrides (paths -> values), up to normalisation."""
        ...

    def aggregation(self, group: PreparedGroup, recipe_values: dict[str, Any]) -> Aggregation:
        """The aggregation settings of the group with these aggregate.* overrides."""
        ...


def is_aggregate_path(path: str) -> bool:
    return path == "aggregate" or path.startswith("aggregate.")


# -------------------------------------------------------------------------------------- evaluation


@dataclass
class Evaluation:
    units: list[str]
    scores: np.ndarray  # (R, units)
    failures: dict[str, int] = field(default_factory=dict)


def level_weights_for(
    design: Design, draws: Draws, rows: np.ndarray, nominal: list[np.ndarray]
) -> list[np.ndarray]:
    """Weights per tree level for ``rows``: nominal, then Dirichlet draws, noise factors and left-out
    nodes, in spec order. Levels no assumption touches stay shared ``(n,)``."""
    out: list[np.ndarray] = list(nominal)

    def batched(level: int) -> np.ndarray:
        if out[level].ndim == 1:
            out[level] = np.tile(out[level], (len(rows), 1))
        return out[level]

    x_rows = draws.subset(rows)
    for block in design.weight_blocks:
        a = block.assumption
        if isinstance(a, WeightDirichlet):
            base = np.array([nominal[lv][p] for lv, p in block.nodes])
            drawn = x_rows.dirichlet_weights(block, base)
            for j, (level, pos) in enumerate(block.nodes):
                batched(level)[:, pos] = drawn[:, j]
        elif isinstance(a, WeightNoise):
            factors = x_rows.noise_factors(block)
            for j, (level, pos) in enumerate(block.nodes):
                batched(level)[:, pos] *= factors[:, j]
        elif isinstance(a, LeaveOneOut):
            level = a.level - 1
            options = design.leave_out_options(block)
            choice = x_rows.choice_index(block)
            w = batched(level)
            for k, code in enumerate(options):
                if code is not None:
                    w[choice == k, design.tree.levels[level].index(code)] = 0.0
    return out


def _single_power(aggregation: Aggregation, upto: int) -> float | None:
    powers = {aggregation.power(t) for t in range(upto)}
    if len(powers) == 1 and None not in powers:
        return powers.pop()
    return None


def _chunk_size(n_units: int, n_indicators: int, n_parents: int, flat: bool) -> int:
    per_rep = (
        8 * (n_units + n_indicators) * 4
        if flat
        else 8 * (n_units * n_parents + n_indicators * n_parents) * 4
    )
    return max(1, MEMORY_BUDGET_BYTES // max(per_rep, 1))


def aggregate_group(
    design: Design,
    draws: Draws,
    rows: np.ndarray,
    group: PreparedGroup,
    aggregation: Aggregation,
    target: tuple[int, int],
    progress: Progress | None = None,
    chunk_size: int | None = None,
) -> np.ndarray:
    """Scores ``(len(rows), group units)`` of the target for these replications."""
    tree = design.tree
    top_level, top_pos = target
    if top_level == 0:
        return np.tile(group.X[:, top_pos], (len(rows), 1))
    power = _single_power(aggregation, top_level)
    complete = not np.isnan(group.X).any()
    flat = power is not None and complete
    if flat and power is not None and power <= 0 and (group.X <= 0).any():
        flat = False  # let the engine's kernels give their own answer for non-positive values
    size = chunk_size or _chunk_size(len(group.units), group.X.shape[1], len(tree.levels[1]), flat)
    out = np.empty((len(rows), len(group.units)))
    for start in range(0, len(rows), size):
        part = rows[start : start + size]
        weights = level_weights_for(design, draws, part, group.weights)
        if flat:
            full = [np.broadcast_to(w, (len(part), w.shape[-1])) for w in weights]
            out[start : start + len(part)] = aggregate_flat(group.X, tree, full, target, power)  # type: ignore[arg-type]
        else:
            scores = aggregate_levels(group.X, tree, weights, target, aggregation)
            out[start : start + len(part)] = np.broadcast_to(scores, (len(part), len(group.units)))
        if progress is not None:
            progress(len(part))
    return out


def _one_blas_thread() -> contextlib.AbstractContextManager[Any]:
    """BLAS on one thread while replications are aggregated.

    The products are small (a chunk of weight rows times the indicator matrix): OpenBLAS's worker threads
    cost more than they save, and on a busy 2-core machine they wait for a core (3-4x slower measured).
    One thread also makes the scores independent of the machine's core count.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # installed with scikit-learn; without it BLAS keeps its own setting
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def evaluate(
    model: Model,
    draws: Draws,
    *,
    progress: Progress | None = None,
    chunk_size: int | None = None,
) -> Evaluation:
    """Scores of the target for every replication of ``draws``."""
    with _one_blas_thread():
        return _evaluate(model, draws, progress=progress, chunk_size=chunk_size)


def _evaluate(
    model: Model,
    draws: Draws,
    *,
    progress: Progress | None = None,
    chunk_size: int | None = None,
) -> Evaluation:
    design = draws.design
    target = model.tree.locate(model.target)
    keys = draws.recipe_keys()
    blocks = design.recipe_blocks
    build_cols = [i for i, b in enumerate(blocks) if not is_aggregate_path(b.assumption.path)]
    agg_cols = [i for i, b in enumerate(blocks) if is_aggregate_path(b.assumption.path)]
    nominal_units, _, _ = model.nominal()

    def values_of(row: int, cols: list[int]) -> dict[str, Any]:
        everything = draws.recipe_values(row)
        return {blocks[i].assumption.path: everything[blocks[i].label] for i in cols}

    build_keys, build_of = np.unique(keys[:, build_cols], axis=0, return_inverse=True)
    build_of = build_of.reshape(-1)
    failures: dict[str, int] = {}
    parts: list[tuple[np.ndarray, list[str], np.ndarray]] = []  # rows, units, scores

    def failed(reason: str, count: int) -> None:
        failures[reason] = failures.get(reason, 0) + count
        if progress is not None:
            progress(count)

    # one pipeline run per distinct combination, dropped as soon as its replications are aggregated
    for g in range(len(build_keys)):
        in_group = np.flatnonzero(build_of == g)
        group = model.prepare(values_of(int(in_group[0]), build_cols))
        if group.failure is not None:
            failed(group.failure, len(in_group))
            continue
        agg_keys, agg_of = np.unique(keys[in_group][:, agg_cols], axis=0, return_inverse=True)
        agg_of = agg_of.reshape(-1)
        for a in range(len(agg_keys)):
            rows = in_group[agg_of == a]
            try:
                aggregation = model.aggregation(group, values_of(int(rows[0]), agg_cols))
                part = aggregate_group(
                    design, draws, rows, group, aggregation, target, progress, chunk_size
                )
            except (AicityError, ValueError) as exc:
                failed(str(exc), len(rows))
                continue
            parts.append((rows, group.units, part))
    units, scores = _gather(nominal_units, parts, draws.n)
    return Evaluation(units, scores, failures)


def _gather(
    nominal_units: list[str], parts: list[tuple[np.ndarray, list[str], np.ndarray]], n: int
) -> tuple[list[str], np.ndarray]:
    """One ``(n, units)`` score matrix from the groups' parts: the nominal units first, then any unit
    only some groups kept (screening may differ between recipes); NaN where a group lacks a unit."""
    units = list(nominal_units)
    known = set(units)
    for _, group_units, _ in parts:
        for u in group_units:
            if u not in known:
                units.append(u)
                known.add(u)
    position = {u: i for i, u in enumerate(units)}
    scores = np.full((n, len(units)), np.nan)
    for rows, group_units, part in parts:
        cols = np.array([position[u] for u in group_units], dtype=np.intp)
        if len(rows) == n and np.array_equal(cols, np.arange(len(units))):
            scores[:] = part
        else:
            scores[np.ix_(rows, cols)] = part
    return units, scores


__all__ = [
    "Evaluation",
    "Model",
    "PreparedGroup",
    "Progress",
    "aggregate_group",
    "evaluate",
    "is_aggregate_path",
    "level_weights_for",
]
