"""Uncertainty and sensitivity analysis, batched over replications.

One replication = one draw of every assumption. Replications are grouped by their recipe values (each
distinct combination of pipeline assumptions is run once through the engine); within a group, weight
draws become ``(R, n)`` matrices and the aggregation runs for the whole chunk at once; ranks are computed
in bulk. The result has the same meaning as regenerating the index replication by replication (COINr's
``get_sensitivity``), which ``tests/index/test_uncertainty_engine.py`` checks rank for rank.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from aicity.errors import AicityError, ConfigError
from aicity.index.uncertainty.design import Design, Draws
from aicity.index.uncertainty.kernels import (
    POWER_METHODS,
    Aggregation,
    Tree,
    aggregate_flat,
    aggregate_levels,
    column_quantiles,
    quantiles_from_counts,
    rank_counts,
    rank_min,
)
from aicity.index.uncertainty.spec import (
    LeaveOneOut,
    UncertaintySpec,
    WeightDirichlet,
    WeightNoise,
)

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

    units = list(nominal_units)
    known = set(units)
    for _, group_units, _ in parts:
        for u in group_units:
            if u not in known:
                units.append(u)
                known.add(u)
    position = {u: i for i, u in enumerate(units)}
    scores = np.full((draws.n, len(units)), np.nan)
    for rows, group_units, part in parts:
        cols = np.array([position[u] for u in group_units], dtype=np.intp)
        if len(rows) == draws.n and np.array_equal(cols, np.arange(len(units))):
            scores[:] = part
        else:
            scores[np.ix_(rows, cols)] = part
    return Evaluation(units, scores, failures)


# -------------------------------------------------------------------------------------- results


@dataclass
class UncertaintyResult:
    """Scores and ranks of every replication, with the summaries COINr reports and more."""

    target: str
    units: list[str]
    nominal_scores: np.ndarray
    nominal_ranks: np.ndarray
    scores: np.ndarray  # (R, units)
    ranks: np.ndarray  # (R, units)
    samples: pd.DataFrame
    top_k: list[int]
    failures: dict[str, int] = field(default_factory=dict)
    _counts: np.ndarray | None = field(default=None, init=False, repr=False)

    @property
    def n(self) -> int:
        return self.scores.shape[0]

    def rank_counts(self) -> np.ndarray:
        """``(units, units)``: how many replications put unit ``i`` at rank ``r + 1`` (computed once)."""
        if self._counts is None:
            self._counts = rank_counts(self.ranks, len(self.units))
        return self._counts

    def rank_stats(self) -> pd.DataFrame:
        """uCode, nominal, mean, median, q05, q95 of the ranks (type-7 quantiles, as R and COINr)."""
        counts = self.rank_counts()
        total = counts.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = counts @ np.arange(1.0, counts.shape[1] + 1.0) / total
        q = quantiles_from_counts(counts, QUANTILES)
        return pd.DataFrame(
            {
                "uCode": self.units,
                "nominal": self.nominal_ranks,
                "mean": mean,
                "median": q[:, 1],
                "q05": q[:, 0],
                "q95": q[:, 2],
            }
        )

    def rank_probabilities(self) -> pd.DataFrame:
        """Rank acceptability (SMAA): share of replications in which each unit takes each rank, and the
        probability of being in the top k."""
        counts = self.rank_counts()
        total = counts.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            probs = counts / total
        cumulative = probs.cumsum(axis=1)
        frame = pd.DataFrame({"uCode": self.units, "nominal": self.nominal_ranks})
        for k in self.top_k:
            if k <= len(self.units):
                frame[f"top_{k}"] = cumulative[:, k - 1]
        ranks = pd.DataFrame(probs, columns=[f"rank_{r}" for r in range(1, probs.shape[1] + 1)])
        return pd.concat([frame, ranks], axis=1)

    def score_stats(self) -> pd.DataFrame:
        """uCode, nominal, mean, median, q05, q95 of the target's scores."""
        scores = self.scores
        with np.errstate(invalid="ignore"):
            q = column_quantiles(scores, QUANTILES)
            mean = np.nanmean(scores, axis=0) if np.isnan(scores).any() else scores.mean(axis=0)
        return pd.DataFrame(
            {
                "uCode": self.units,
                "nominal": self.nominal_scores,
                "mean": mean,
                "median": q[1],
                "q05": q[0],
                "q95": q[2],
            }
        )


def _check(model: Model, spec: UncertaintySpec) -> None:
    """Let the model reject impossible recipe assumptions before any replication runs."""
    check = getattr(model, "check_spec", None)
    if check is not None:
        check(spec)


def _nominal_aligned(model: Model, units: list[str]) -> tuple[np.ndarray, np.ndarray]:
    nominal_units, nominal_scores, nominal_ranks = model.nominal()
    at = {u: i for i, u in enumerate(nominal_units)}
    idx = [at.get(u) for u in units]
    scores = np.array([nominal_scores[i] if i is not None else np.nan for i in idx])
    ranks = np.array([nominal_ranks[i] if i is not None else np.nan for i in idx])
    return scores, ranks


def run_uncertainty(
    model: Model,
    spec: UncertaintySpec,
    n: int,
    seed: int,
    *,
    progress: Progress | None = None,
    chunk_size: int | None = None,
) -> UncertaintyResult:
    """Uncertainty analysis: ``n`` plain Monte Carlo replications, reproducible from ``seed``."""
    if n < 1:
        raise ConfigError(f"the number of replications must be at least 1, got {n}", path="n")
    _check(model, spec)
    design = Design.build(spec, model.tree)
    draws = design.uniform_sample(n, seed)
    ev = evaluate(model, draws, progress=progress, chunk_size=chunk_size)
    nominal_scores, nominal_ranks = _nominal_aligned(model, ev.units)
    return UncertaintyResult(
        target=model.target,
        units=ev.units,
        nominal_scores=nominal_scores,
        nominal_ranks=nominal_ranks,
        scores=ev.scores,
        ranks=rank_min(ev.scores),
        samples=draws.samples_frame(model.nominal_weights()),
        top_k=list(spec.top_k),
        failures=ev.failures,
    )


# -------------------------------------------------------------------------------------- sensitivity


def sensitivity_output(
    spec: UncertaintySpec, units: list[str], scores: np.ndarray, nominal_ranks: np.ndarray
) -> np.ndarray:
    """The scalar each replication contributes to the Sobol estimators."""
    settings = spec.sensitivity
    if settings.output == "mean_rank_shift":
        ranks = rank_min(scores)
        with np.errstate(invalid="ignore"):
            return np.nanmean(np.abs(ranks - nominal_ranks[None, :]), axis=1)
    if settings.unit not in units:
        raise ConfigError(
            f"unit {settings.unit!r} is not among the ranked units",
            path="spec -> sensitivity -> unit",
        )
    j = units.index(settings.unit)  # type: ignore[arg-type]
    if settings.output == "rank":
        return rank_min(scores)[:, j]
    return scores[:, j]


def run_sensitivity(
    model: Model,
    spec: UncertaintySpec,
    n: int,
    seed: int,
    *,
    progress: Progress | None = None,
    chunk_size: int | None = None,
) -> pd.DataFrame:
    """First-order and total Sobol indices per assumption (SALib's sampler and estimators), with
    percentile bootstrap intervals at ``spec.sensitivity.conf_level``.

    Runs ``n * (assumptions + 2)`` replications. Columns: assumption, S1, S1_lo, S1_hi, ST, ST_lo, ST_hi.
    A failed replication sets its whole Saltelli block aside; ``frame.attrs`` holds ``failures`` and
    ``base_samples`` (the blocks used).
    """
    from SALib.analyze import sobol

    if len(spec.assumptions) < 2:
        raise ConfigError(
            "a sensitivity analysis needs at least two assumptions", path="spec -> assumptions"
        )
    if n < 2:
        raise ConfigError(f"the Sobol base sample must be at least 2, got {n}", path="n")
    _check(model, spec)
    design = Design.build(spec, model.tree)
    draws = design.sobol_sample(n, seed)
    ev = evaluate(model, draws, progress=progress, chunk_size=chunk_size)
    _, nominal_ranks = _nominal_aligned(model, ev.units)
    y = sensitivity_output(spec, ev.units, ev.scores, nominal_ranks)
    labels = spec.labels
    # a failed replication spoils its whole Saltelli block (A, AB_1..AB_d, B): set the block aside
    blocks = y.reshape(n, len(labels) + 2)
    complete = np.isfinite(blocks).all(axis=1)
    y = blocks[complete].reshape(-1)
    dropped = int(n - complete.sum())
    if complete.sum() < 2 or np.std(y) == 0:
        nan = np.full(len(labels), np.nan)
        empty = pd.DataFrame(
            {
                "assumption": labels,
                "S1": nan,
                "S1_lo": nan,
                "S1_hi": nan,
                "ST": nan,
                "ST_lo": nan,
                "ST_hi": nan,
            }
        )
        empty.attrs.update(failures=ev.failures, base_samples=int(complete.sum()))
        return empty
    settings = spec.sensitivity
    boot_seed = (
        int(np.random.SeedSequence(seed).generate_state(1)[0]) or 1
    )  # SALib treats 0 as "no seed"
    if dropped:
        failures = {**ev.failures, "Saltelli blocks set aside (a replication failed)": dropped}
    else:
        failures = ev.failures
    with np.errstate(invalid="ignore", divide="ignore"):
        result = sobol.analyze(
            design.salib_problem(),
            y,
            calc_second_order=False,
            num_resamples=settings.bootstrap,
            conf_level=settings.conf_level,
            keep_resamples=True,
            seed=boot_seed,
        )
    tail = (1 - settings.conf_level) / 2 * 100
    s1_lo, s1_hi = np.nanpercentile(result["S1_conf_all"], [tail, 100 - tail], axis=0)
    st_lo, st_hi = np.nanpercentile(result["ST_conf_all"], [tail, 100 - tail], axis=0)
    frame = pd.DataFrame(
        {
            "assumption": labels,
            "S1": result["S1"],
            "S1_lo": s1_lo,
            "S1_hi": s1_hi,
            "ST": result["ST"],
            "ST_lo": st_lo,
            "ST_hi": st_hi,
        }
    )
    frame.attrs.update(failures=failures, base_samples=int(complete.sum()))
    return frame


__all__ = [
    "POWER_METHODS",
    "Evaluation",
    "Model",
    "PreparedGroup",
    "UncertaintyResult",
    "evaluate",
    "run_sensitivity",
    "run_uncertainty",
]
