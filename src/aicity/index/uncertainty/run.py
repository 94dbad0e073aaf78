"""Uncertainty and sensitivity analysis, batched over replications.

One replication = one draw of every assumption. ``batch.evaluate`` scores every replication (one pipeline
run per distinct recipe draw, weights as ``(R, n)`` matrices); here the scores become ranks, computed in
bulk, and their summaries, or Sobol indices. The result has the same meaning as regenerating the index replication by replication (COINr's
``get_sensitivity``), which ``tests/index/test_uncertainty_engine.py`` checks rank for rank.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from aicity.errors import ConfigError
from aicity.index.uncertainty.batch import Model, Progress, evaluate
from aicity.index.uncertainty.design import Design
from aicity.index.uncertainty.kernels import (
    column_quantiles,
    quantiles_from_counts,
    rank_counts,
    rank_min,
)
from aicity.index.uncertainty.spec import SensitivitySettings, UncertaintySpec

QUANTILES = (0.05, 0.5, 0.95)
SOBOL_COLUMNS = ("S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi")


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
        frame = pd.DataFrame({"assumption": labels, **dict.fromkeys(SOBOL_COLUMNS, np.nan)})
        frame.attrs.update(failures=ev.failures, base_samples=int(complete.sum()))
        return frame
    if dropped:
        failures = {**ev.failures, "Saltelli blocks set aside (a replication failed)": dropped}
    else:
        failures = ev.failures
    frame = _sobol_indices(design.salib_problem(), y, labels, spec.sensitivity, seed)
    frame.attrs.update(failures=failures, base_samples=int(complete.sum()))
    return frame


def _sobol_indices(
    problem: dict[str, Any],
    y: np.ndarray,
    labels: list[str],
    settings: SensitivitySettings,
    seed: int,
) -> pd.DataFrame:
    """SALib's first-order and total indices with percentile bootstrap intervals."""
    from SALib.analyze import sobol

    boot_seed = (
        int(np.random.SeedSequence(seed).generate_state(1)[0]) or 1
    )  # SALib treats 0 as "no seed"
    with np.errstate(invalid="ignore", divide="ignore"):
        result = sobol.analyze(
            problem,
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
    found = (result["S1"], s1_lo, s1_hi, result["ST"], st_lo, st_hi)
    return pd.DataFrame({"assumption": labels, **dict(zip(SOBOL_COLUMNS, found, strict=True))})


__all__ = [
    "UncertaintyResult",
    "run_sensitivity",
    "run_uncertainty",
]
