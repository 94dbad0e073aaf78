"""The NumPy kernels: hand-computed values, COINr's formulas, and hypothesis properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from aicity.index import numeric

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


def test_rank_min_ties_share_lowest_rank_and_nan_unranked():
    s = np.array([10.0, 30.0, 30.0, np.nan, 5.0])
    np.testing.assert_array_equal(numeric.rank_min(s), [3, 1, 1, np.nan, 4])
    np.testing.assert_array_equal(numeric.rank_ascending(s[:, None])[:, 0], [2, 3, 3, np.nan, 1])


def test_rank_min_batched_matches_per_replication():
    rng = np.random.default_rng(3)
    S = rng.integers(0, 5, size=(4, 9, 3)).astype(float)
    batched = numeric.rank_min(S)
    for r in range(4):
        np.testing.assert_array_equal(batched[r], numeric.rank_min(S[r]))


def test_skew_kurt_match_e1071_type2():
    x = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100])
    n = len(x)
    d = x - x.mean()
    g1 = np.sqrt(n) * (d**3).sum() / (d**2).sum() ** 1.5
    skew = g1 * np.sqrt(n * (n - 1)) / (n - 2)
    r = n * (d**4).sum() / (d**2).sum() ** 2
    kurt = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    assert numeric.skewness(x[:, None])[0] == pytest.approx(skew, rel=1e-12)
    assert numeric.kurtosis(x[:, None])[0] == pytest.approx(kurt, rel=1e-12)
    with_nan = np.append(x, np.nan)[:, None]
    assert numeric.skewness(with_nan)[0] == pytest.approx(skew, rel=1e-12)


def test_minmax_coinr_example():
    # COINr test-normalise.R: 1..10 onto [2, 7] gives exactly 2 and 7 at the ends
    y = numeric.minmax(np.arange(1.0, 11)[:, None], 2, 7)[:, 0]
    assert y.min() == 2 and y.max() == 7
    assert np.all(np.diff(y) > 0)


def test_zscore_mean_and_sd():
    x = np.array([[1.0], [4], [9], [np.nan], [16]])
    y = numeric.zscore(x, 10, 2)[:, 0]
    ok = ~np.isnan(y)
    assert y[ok].mean() == pytest.approx(10) and y[ok].std(ddof=1) == pytest.approx(2)


def test_other_normalisers_by_hand():
    x = np.array([[2.0], [4], [6], [10]])
    np.testing.assert_allclose(numeric.dist2max(x)[:, 0], [0, 0.25, 0.5, 1])
    np.testing.assert_allclose(numeric.fracmax(x)[:, 0], [0.2, 0.4, 0.6, 1])
    np.testing.assert_allclose(numeric.dist2ref(x, 2)[:, 0], [0, 0.5, 1, 2])
    np.testing.assert_allclose(numeric.dist2ref(x, 2, cap=True)[:, 0], [0, 0.5, 1, 1])
    np.testing.assert_allclose(
        numeric.dist2target(x, np.array([8.0]))[:, 0], [0, 1 / 3, 2 / 3, 4 / 3]
    )
    np.testing.assert_allclose(numeric.percentile_rank(x)[:, 0], [0, 1 / 3, 2 / 3, 1])
    np.testing.assert_allclose(numeric.borda(x)[:, 0], [0, 1, 2, 3])
    np.testing.assert_allclose(numeric.scaled(x, 0, 10, 100)[:, 0], [20, 40, 60, 100])
    np.testing.assert_allclose(numeric.goalposts(x, 4, 8, 100)[:, 0], [0, 0, 50, 100])


def test_arithmetic_mean_skips_nan_and_renormalises():
    X = np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, np.nan]])
    w = np.array([1.0, 2.0, 1.0])
    out = numeric.arithmetic_mean(X, w)
    assert out[0] == pytest.approx(2.0)
    assert np.isnan(out[1])


def test_batched_weights_give_one_score_vector_per_replication():
    rng = np.random.default_rng(0)
    X = rng.random((7, 4))
    X[2, 1] = np.nan
    W = rng.random((5, 4))
    M = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=float)
    batched = numeric.arithmetic_mean(X, W, M)
    assert batched.shape == (5, 7, 2)
    for r in range(5):
        np.testing.assert_allclose(batched[r], numeric.arithmetic_mean(X, W[r], M))


def test_geometric_harmonic_generalised_means():
    X = np.array([[1.0, 4.0], [2.0, 8.0]])
    w = np.array([1.0, 1.0])
    np.testing.assert_allclose(numeric.geometric_mean(X, w), [2.0, 4.0])
    np.testing.assert_allclose(numeric.harmonic_mean(X, w), [1.6, 3.2])
    np.testing.assert_allclose(numeric.generalised_mean(X, w, 1.0), [2.5, 5.0])
    np.testing.assert_allclose(numeric.generalised_mean(X, w, 2.0), np.sqrt([8.5, 34.0]))


def test_copeland_outranking_scores():
    X = np.array([[3.0, 1.0], [2.0, 2.0], [1.0, 3.0]])
    # unit 0 vs 1: wins c1, loses c2 -> 0.5; vs 2: 0.5; each unit sums to 1
    np.testing.assert_allclose(numeric.copeland(X, np.array([1.0, 1.0])), [1.0, 1.0, 1.0])
    X2 = np.array([[3.0, 3.0], [2.0, 2.0], [1.0, 1.0]])
    np.testing.assert_allclose(numeric.copeland(X2, np.array([1.0, 1.0])), [2.0, 1.0, 0.0])


def test_ahp_weights_and_consistency():
    A = np.array([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    w, cr = numeric.ahp_weights(A)
    np.testing.assert_allclose(w, [0.637, 0.258, 0.105], atol=1e-3)
    assert 0 < cr < 0.1
    consistent = np.array([[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]])
    w2, cr2 = numeric.ahp_weights(consistent)
    np.testing.assert_allclose(w2, np.array([4, 2, 1]) / 7)
    assert cr2 == pytest.approx(0, abs=1e-9)


def test_entropy_defined_on_zeros_and_negatives():
    X = np.array([[0.0, -2.0, 1.0], [0.0, 3.0, 1.0], [5.0, 1.0, 1.0]])
    w = numeric.entropy_weights(X)
    assert np.isfinite(w).all() and w.sum() == pytest.approx(1)
    assert w[2] == pytest.approx(0)  # a constant column carries no information


def test_critic_respects_directions():
    rng = np.random.default_rng(5)
    X = rng.random((20, 3))
    X[:, 2] = -X[:, 0] + 0.01 * rng.random(20)  # a cost twin of column 0
    plain = numeric.critic_weights(X)
    typed = numeric.critic_weights(X, np.array([1, 1, -1]))
    assert not np.allclose(plain, typed)
    flipped = X * np.array([1, 1, -1])
    np.testing.assert_allclose(typed, numeric.critic_weights(flipped))


# ----------------------------------------------------------------------------------- properties

matrices = arrays(np.float64, st.tuples(st.integers(3, 12), st.integers(1, 5)), elements=finite)


@settings(max_examples=60, deadline=None)
@given(matrices, st.randoms())
def test_unit_permutation_invariance(X, rnd):
    perm = list(range(X.shape[0]))
    rnd.shuffle(perm)
    w = np.ones(X.shape[1])
    for fn in (
        lambda A: numeric.minmax(A),
        lambda A: numeric.zscore(A),
        numeric.rank_min,
        lambda A: numeric.arithmetic_mean(numeric.minmax(A), w)[:, None],
    ):
        a, b = fn(X), fn(X[perm])
        np.testing.assert_allclose(a[perm], b, equal_nan=True, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(matrices, st.floats(0.001, 1000), finite)
def test_minmax_scale_and_shift_invariance(X, scale, shift):
    a = numeric.minmax(X)
    b = numeric.minmax(X * scale + shift)
    spread = np.ptp(X, axis=0)
    ok = spread > 1e-6 * (1 + np.abs(X).max(axis=0))
    # rounding X * scale + shift costs about eps * |value|, which min-max magnifies by 100 / spread
    value = np.abs(shift) + scale * np.abs(X).max(axis=0)
    tolerance = 1e-6 + 100 * 8 * np.finfo(float).eps * value / (scale * np.maximum(spread, 1e-300))
    for column in np.flatnonzero(ok):
        np.testing.assert_allclose(a[:, column], b[:, column], atol=tolerance[column])


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, st.tuples(st.integers(2, 8), st.integers(2, 6)), elements=st.floats(0, 100)),
    st.integers(0, 100),
    st.floats(0.01, 50),
)
def test_arithmetic_aggregation_is_monotone(X, pick, bump):
    w = np.linspace(1, 2, X.shape[1])
    i, j = pick % X.shape[0], pick % X.shape[1]
    Y = X.copy()
    Y[i, j] += bump
    assert numeric.arithmetic_mean(Y, w)[i] >= numeric.arithmetic_mean(X, w)[i]


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.float64, st.tuples(st.integers(3, 10), st.integers(2, 6)), elements=st.floats(0.1, 100)
    )
)
def test_objective_weights_sum_to_one(X):
    try:
        critic = numeric.critic_weights(X)
    except ValueError as exc:  # undefined when no column carries independent information
        assert "constant or perfectly correlated" in str(exc)
        critic = None
    for w in (numeric.entropy_weights(X), critic):
        if w is not None and np.isfinite(w).all():
            assert w.sum() == pytest.approx(1)
            assert (w >= -1e-12).all()


def test_critic_and_pca_skip_missing_cells_pairwise():
    rng = np.random.default_rng(11)
    X = rng.random((30, 4))
    # on complete data: the textbook formulas (complete-case correlation, SVD of the standardised matrix)
    N = numeric.minmax(X, 0.0, 1.0)
    C = N.std(axis=0) * (1.0 - np.corrcoef(N, rowvar=False)).sum(axis=0)
    np.testing.assert_allclose(numeric.critic_weights(X), C / C.sum(), rtol=1e-12)
    Z = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    v = np.linalg.svd(Z, full_matrices=False)[2][0]
    np.testing.assert_allclose(numeric.pca_weights(X), v * v / (v * v).sum(), atol=1e-12)
    # with gaps so no row is complete, the weights are still finite and sum to 1
    X[::2, 0] = np.nan
    X[1::2, 1] = np.nan
    for w in (numeric.critic_weights(X), numeric.pca_weights(X)):
        assert np.isfinite(w).all()
        assert w.sum() == pytest.approx(1.0)


def test_critic_refuses_columns_with_fewer_than_three_values():
    X = np.array([[1.0, 2.0], [2.0, np.nan], [3.0, np.nan], [4.0, 1.0]])
    with pytest.raises(ValueError, match="at least 3 units"):
        numeric.critic_weights(X)
