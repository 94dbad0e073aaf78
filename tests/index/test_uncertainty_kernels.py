"""Batched kernels: aggregation over many weight sets, bulk ranks, quantiles from rank counts."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from aicity.index import numeric
from aicity.index.uncertainty.kernels import (
    Aggregation,
    Tree,
    aggregate_flat,
    aggregate_levels,
    column_quantiles,
    effective_weights,
    quantiles_from_counts,
    rank_counts,
    rank_min,
)

LEVELS = [[f"i{i}" for i in range(12)], ["a", "b", "c"], ["x", "y"], ["T"]]
PARENT = {
    **{f"i{i}": "abc"[i % 3] for i in range(12)},
    "a": "x",
    "b": "x",
    "c": "y",
    "x": "T",
    "y": "T",
}


@pytest.fixture
def tree() -> Tree:
    return Tree.from_parent_map(LEVELS, PARENT)


def _one_by_one(X: np.ndarray, tree: Tree, weights: list[np.ndarray], method: str) -> np.ndarray:
    """Reference: the engine's kernel called level by level for a single weight set."""
    values = X
    for level, w in enumerate(weights):
        values = getattr(numeric, method)(values, w, tree.membership(level))
    return values[:, 0]


@pytest.mark.parametrize("method", ["arithmetic_mean", "geometric_mean", "harmonic_mean"])
def test_batched_levels_equal_one_by_one(tree: Tree, method: str) -> None:
    rng = np.random.default_rng(3)
    X = rng.uniform(1, 100, (9, 12))
    X[0, 0] = np.nan
    X[1, [0, 3, 6, 9]] = np.nan  # every child of group 'a' missing for unit 1
    weights = [rng.uniform(0.5, 1.5, (6, len(level))) for level in LEVELS[:-1]]
    batched = aggregate_levels(X, tree, weights, (3, 0), Aggregation((method,) * 3))
    expected = np.array([_one_by_one(X, tree, [w[r] for w in weights], method) for r in range(6)])
    np.testing.assert_allclose(batched, expected, rtol=1e-12)


@pytest.mark.parametrize(("method", "power"), [("arithmetic_mean", 1.0), ("geometric_mean", 0.0)])
def test_flat_effective_weights_equal_levels_on_complete_data(
    tree: Tree, method: str, power: float
) -> None:
    rng = np.random.default_rng(4)
    X = rng.uniform(1, 100, (9, 12))
    weights = [rng.uniform(0.5, 1.5, (5, len(level))) for level in LEVELS[:-1]]
    flat = aggregate_flat(X, tree, weights, (3, 0), power)
    levels = aggregate_levels(X, tree, weights, (3, 0), Aggregation((method,) * 3))
    np.testing.assert_allclose(flat, levels, rtol=1e-12)


def test_effective_weights_sum_to_one_and_drop_dead_groups(tree: Tree) -> None:
    weights = [np.ones((1, 12)), np.ones((1, 3)), np.ones((1, 2))]
    weights[1][0, 2] = 0.0  # group c (the only child of y) weighted zero: y disappears, x takes all
    eff = effective_weights(tree, weights, (3, 0))
    assert eff.sum() == pytest.approx(1.0)
    assert np.all(eff[0, [2, 5, 8, 11]] == 0)  # children of c
    np.testing.assert_allclose(eff[0, [0, 1]], [1 / 8, 1 / 8])


def test_rank_min_matches_scipy_with_ties_and_nan() -> None:
    rng = np.random.default_rng(5)
    scores = rng.integers(0, 12, (200, 25)).astype(float)
    scores[3, 4] = np.nan
    ranks = rank_min(scores)
    for row, got in zip(scores, ranks, strict=True):
        keep = ~np.isnan(row)
        np.testing.assert_array_equal(got[keep], stats.rankdata(-row[keep], method="min"))
        assert np.isnan(got[~keep]).all()
    np.testing.assert_array_equal(ranks, numeric.rank_min(scores.T).T)


def test_quantiles_from_counts_equal_numpy_quantile() -> None:
    rng = np.random.default_rng(6)
    ranks = rank_min(rng.normal(size=(1001, 17)) + np.linspace(0, 2, 17))
    counts = rank_counts(ranks, 17)
    assert counts.sum() == ranks.size
    probs = [0.05, 0.5, 0.95, 0.333]
    np.testing.assert_array_equal(
        quantiles_from_counts(counts, probs), np.quantile(ranks, probs, axis=0).T
    )


def test_column_quantiles_equal_numpy_quantile() -> None:
    rng = np.random.default_rng(8)
    values = rng.normal(size=(999, 13))
    probs = [0.05, 0.5, 0.95]
    np.testing.assert_allclose(
        column_quantiles(values, probs), np.quantile(values, probs, axis=0), rtol=0, atol=0
    )
    values[2, 3] = np.nan
    np.testing.assert_allclose(
        column_quantiles(values, probs), np.nanquantile(values, probs, axis=0)
    )


def test_threaded_ranks_equal_single_thread() -> None:
    rng = np.random.default_rng(9)
    scores = rng.integers(0, 50, (3000, 120)).astype(float)
    np.testing.assert_array_equal(rank_min(scores, workers=2), rank_min(scores, workers=1))
