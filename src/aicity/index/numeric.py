"""Plain NumPy kernels behind every index step: no pandas, no Python loops over units.

Conventions: ``X`` is a float array ``(units, indicators)``; many kernels also accept a leading replication
axis ``(R, units, indicators)``. The unit axis is always ``-2``; NaN means missing. Directions are applied by
the caller (multiply by -1) before normalisation, as COINr does.
"""

from __future__ import annotations

import warnings

import numpy as np

UNIT_AXIS = -2

# ---------------------------------------------------------------------------------------------- statistics


def _moments(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Count, and the 2nd/3rd/4th central sums of each column, skipping NaN."""
    present = ~np.isnan(X)
    n = present.sum(axis=UNIT_AXIS)
    # np.nansum's own steps (zeros for NaN, then a sum) without its Python-level overhead: same bits
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(present, X, 0.0).sum(axis=UNIT_AXIS) / n
    d = np.where(present, X - mean[..., None, :], 0.0)
    d2 = d * d
    return n, d2.sum(axis=UNIT_AXIS), (d2 * d).sum(axis=UNIT_AXIS), (d2 * d2).sum(axis=UNIT_AXIS)


def skewness(X: np.ndarray) -> np.ndarray:
    """Sample-adjusted skewness per column (e1071 type 2, Excel's SKEW), NaN skipped."""
    n, m2, m3, _ = _moments(X)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = np.sqrt(n) * m3 / m2**1.5
        return np.where(n >= 3, g * np.sqrt(n * (n - 1)) / (n - 2), np.nan)


def kurtosis(X: np.ndarray) -> np.ndarray:
    """Sample-adjusted excess kurtosis per column (e1071 type 2, Excel's KURT), NaN skipped."""
    n, m2, _, m4 = _moments(X)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = n * m4 / (m2 * m2)
        return np.where(n >= 4, ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)), np.nan)


def skew_kurt(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Skewness and excess kurtosis per column in one pass (same formulas as the two functions)."""
    n, m2, m3, m4 = _moments(X)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = np.sqrt(n) * m3 / m2**1.5
        sk = np.where(n >= 3, g * np.sqrt(n * (n - 1)) / (n - 2), np.nan)
        r = n * m4 / (m2 * m2)
        kt = np.where(n >= 4, ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)), np.nan)
    return sk, kt


def nanstd(X: np.ndarray, axis: int = UNIT_AXIS) -> np.ndarray:
    """Sample standard deviation (ddof 1), NaN skipped; NaN where fewer than two values."""
    present = ~np.isnan(X)
    n = present.sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(X, axis=axis) / n
        d = np.where(present, X - np.expand_dims(mean, axis), 0.0)
        return np.sqrt((d * d).sum(axis=axis) / (n - 1))


def _rank_along_units(key: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """Ascending 'min' ranks of ``key`` along the unit axis (1 = smallest key); NaN where missing."""
    key = np.where(missing, np.inf, key)
    order = np.argsort(key, axis=UNIT_AXIS, kind="stable")
    sorted_key = np.take_along_axis(key, order, axis=UNIT_AXIS)
    n = key.shape[UNIT_AXIS]
    pos_shape = [1] * key.ndim
    pos_shape[UNIT_AXIS] = n
    pos = np.arange(1, n + 1, dtype=float).reshape(pos_shape)
    new_run = np.ones_like(sorted_key, dtype=bool)
    head = [slice(None)] * key.ndim
    tail = [slice(None)] * key.ndim
    head[UNIT_AXIS] = slice(1, None)
    tail[UNIT_AXIS] = slice(None, -1)
    # equal neighbours (inf == inf for missing cells too) continue a run of ties
    new_run[tuple(head)] = sorted_key[tuple(head)] != sorted_key[tuple(tail)]
    run_start = np.where(new_run, pos, 0.0)
    run_start = np.maximum.accumulate(run_start, axis=UNIT_AXIS)
    ranks = np.empty_like(run_start)
    np.put_along_axis(ranks, order, run_start, axis=UNIT_AXIS)
    return np.where(missing, np.nan, ranks)


def rank_min(S: np.ndarray) -> np.ndarray:
    """Ranks along the unit axis: 1 = highest score, ties share the lowest rank, NaN stays unranked.

    ``S`` is ``(units,)``, ``(units, columns)`` or ``(R, units, columns)``.
    """
    S = np.asarray(S, dtype=float)
    if S.ndim == 1:
        return rank_min(S[:, None])[:, 0]
    return _rank_along_units(-S, np.isnan(S))


def rank_ascending(X: np.ndarray) -> np.ndarray:
    """R's ``rank(x, ties.method = "min", na.last = "keep")``: 1 = smallest value."""
    X = np.asarray(X, dtype=float)
    return _rank_along_units(X, np.isnan(X))


# -------------------------------------------------------------------------------------------- normalise


def _colmin(X: np.ndarray) -> np.ndarray:
    # fmin.reduce is np.nanmin's computation without its all-NaN warning (an all-missing column
    # legitimately gives NaN) and without the cost of silencing that warning
    return np.fmin.reduce(X, axis=UNIT_AXIS, keepdims=True)


def _colmax(X: np.ndarray) -> np.ndarray:
    return np.fmax.reduce(X, axis=UNIT_AXIS, keepdims=True)


def minmax(X: np.ndarray, lower: float = 0.0, upper: float = 100.0) -> np.ndarray:
    """(x - min) / (max - min) * (upper - lower) + lower; a constant column becomes NaN."""
    mn, mx = _colmin(X), _colmax(X)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (X - mn) / (mx - mn) * (upper - lower) + lower


def zscore(X: np.ndarray, mean: float = 0.0, sd: float = 1.0) -> np.ndarray:
    """(x - mean(x)) / sd(x) * sd + mean, sample sd (ddof 1)."""
    present = ~np.isnan(X)
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = np.expand_dims(np.nansum(X, axis=UNIT_AXIS) / present.sum(axis=UNIT_AXIS), UNIT_AXIS)
        s = np.expand_dims(nanstd(X), UNIT_AXIS)
        return (X - mu) / s * sd + mean


def scaled(
    X: np.ndarray, lower: float = 0.0, upper: float = 100.0, factor: float = 100.0
) -> np.ndarray:
    """(x - lower) / (upper - lower) * factor: a fixed linear rescaling (COINr ``n_scaled``)."""
    return (X - lower) / (upper - lower) * factor


def dist2max(X: np.ndarray) -> np.ndarray:
    """1 - (max - x) / (max - min)."""
    mn, mx = _colmin(X), _colmax(X)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1 - (mx - X) / (mx - mn)


def dist2ref(X: np.ndarray, ref_row: int, cap: bool = False) -> np.ndarray:
    """1 - (x_ref - x) / (x_ref - min), optionally capped at 1; ``ref_row`` indexes the unit axis."""
    mn = _colmin(X)
    ref = np.take(X, [ref_row], axis=UNIT_AXIS)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = 1 - (ref - X) / (ref - mn)
    return np.minimum(y, 1.0) if cap else y


def dist2target(X: np.ndarray, target: np.ndarray, cap: bool = False) -> np.ndarray:
    """1 - (target - x) / (target - min), optionally capped at 1; ``target`` per column."""
    mn = _colmin(X)
    t = np.asarray(target, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = 1 - (t - X) / (t - mn)
    return np.minimum(y, 1.0) if cap else y


def fracmax(X: np.ndarray) -> np.ndarray:
    """x / max."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return X / _colmax(X)


def percentile_rank(X: np.ndarray) -> np.ndarray:
    """(rank - 1) / (n_available - 1) with ascending 'min' ranks."""
    n = (~np.isnan(X)).sum(axis=UNIT_AXIS, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (rank_ascending(X) - 1) / (n - 1)


def rank(X: np.ndarray) -> np.ndarray:
    """Ascending 'min' ranks: the highest value gets the highest number."""
    return rank_ascending(X)


def borda(X: np.ndarray) -> np.ndarray:
    """Borda scores: ascending rank - 1."""
    return rank_ascending(X) - 1


def goalposts(
    X: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    scale: float | np.ndarray = 1.0,
    truncate: bool = True,
) -> np.ndarray:
    """(x - lower) / (upper - lower) * scale, truncated to [0, 1] before scaling.

    Goalposts are in direction-adjusted units (the caller multiplies them by the direction and swaps them).
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        y = (X - lower) / (upper - lower)
    if truncate:
        y = np.clip(y, 0.0, 1.0)
    return y * scale


# -------------------------------------------------------------------------------------------- aggregate


def _weight_matrix(W: np.ndarray, membership: np.ndarray | None) -> np.ndarray:
    """Weights ``(k,)`` or ``(R, k)`` -> a ``(..., k, p)`` matrix, one column per parent group."""
    W = np.asarray(W, dtype=float)
    if membership is None:
        return W[..., :, None]
    return W[..., :, None] * membership


def _finish(num: np.ndarray, den: np.ndarray, membership: np.ndarray | None) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(den > 0, num / den, np.nan)
    return out[..., 0] if membership is None else out


def arithmetic_mean(
    X: np.ndarray, W: np.ndarray, membership: np.ndarray | None = None
) -> np.ndarray:
    """Weighted arithmetic mean over the indicator axis, NaN skipped and weights renormalised.

    ``X`` ``(u, k)`` or ``(R, u, k)``; ``W`` ``(k,)`` or ``(R, k)``; ``membership`` an optional ``(k, p)``
    0/1 matrix assigning children to ``p`` parents. Returns ``(..., u)`` or ``(..., u, p)``.
    """
    WM = _weight_matrix(W, membership)
    present = ~np.isnan(X)
    return _finish(np.where(present, X, 0.0) @ WM, present @ WM, membership)


def geometric_mean(
    X: np.ndarray, W: np.ndarray, membership: np.ndarray | None = None
) -> np.ndarray:
    """Weighted geometric mean exp(sum w log x / sum w), NaN skipped; values must be > 0."""
    WM = _weight_matrix(W, membership)
    present = ~np.isnan(X)
    with np.errstate(invalid="ignore", divide="ignore"):
        logs = np.where(present, np.log(np.where(present, X, 1.0)), 0.0)
    return np.exp(_finish(logs @ WM, present @ WM, membership))


def harmonic_mean(X: np.ndarray, W: np.ndarray, membership: np.ndarray | None = None) -> np.ndarray:
    """Weighted harmonic mean sum w / sum (w / x), NaN skipped; values must be non-zero."""
    WM = _weight_matrix(W, membership)
    present = ~np.isnan(X)
    with np.errstate(invalid="ignore", divide="ignore"):
        inv = np.where(present, 1.0 / np.where(present, X, 1.0), 0.0)
    return _finish(present @ WM, inv @ WM, membership)


def generalised_mean(
    X: np.ndarray, W: np.ndarray, p: float, membership: np.ndarray | None = None
) -> np.ndarray:
    """Weighted power mean (sum w x^p / sum w)^(1/p), NaN skipped (COINr's ``a_genmean`` does not skip)."""
    if p == 0:
        return geometric_mean(X, W, membership)
    WM = _weight_matrix(W, membership)
    present = ~np.isnan(X)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        powered = np.where(present, np.where(present, X, 1.0) ** p, 0.0)
        return _finish(powered @ WM, present @ WM, membership) ** (1.0 / p)


def copeland(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """COINr's ``a_copeland``: row sums of the weighted outranking matrix.

    Entry (i, j), i < j, is the weight share of indicators where unit i beats unit j plus half the share
    where they tie (missing comparisons count for neither); the lower triangle is 1 - the upper one.
    """
    w = np.asarray(w, dtype=float)
    w = w / np.nansum(w)
    gt = (X[:, None, :] > X[None, :, :]).astype(float) @ w
    eq = (X[:, None, :] == X[None, :, :]).astype(float) @ w
    upper = np.triu(gt + eq / 2.0, k=1)
    orm = upper + np.tril(1.0 - upper.T, k=-1)
    return orm.sum(axis=1)


def topsis(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """TOPSIS closeness with vector normalisation (x / sqrt(sum x^2)), all criteria as benefits.

    Directions are applied at normalisation, so every column arrives as 'more is better'. Missing values
    are skipped in both distances.
    """
    w = np.asarray(w, dtype=float)
    present = ~np.isnan(X)
    Xz = np.where(present, X, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        V = Xz / np.sqrt((Xz * Xz).sum(axis=UNIT_AXIS, keepdims=True)) * w
    V = np.where(present, V, np.nan)
    best, worst = _colmax(V), _colmin(V)
    d_best = np.sqrt(np.nansum((V - best) ** 2, axis=-1))
    d_worst = np.sqrt(np.nansum((V - worst) ** 2, axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return d_worst / (d_best + d_worst)


# ---------------------------------------------------------------------------------------------- weights


def entropy_weights(X: np.ndarray) -> np.ndarray:
    """Shannon-entropy weights per column, defined on any real data.

    p_ij = x_ij / sum_i x_ij, E_j = -sum_i p_ij ln p_ij / ln n_j, w_j = (1 - E_j) / sum (1 - E). Columns
    with negative values are first shifted by their minimum (so p >= 0); zeros contribute 0 ln 0 = 0.
    NaN cells are skipped (n_j counts present values). A column of zeros carries no information: weight 0.
    """
    present = ~np.isnan(X)
    Xz = np.where(present, X, 0.0)
    mn = np.where(present, X, np.inf).min(axis=UNIT_AXIS, keepdims=True)
    Xz = np.where(present & (mn < 0), Xz - mn, Xz)
    total = Xz.sum(axis=UNIT_AXIS, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        P = np.where(total > 0, Xz / total, 0.0)
        plogp = np.where(P > 0, P * np.log(np.where(P > 0, P, 1.0)), 0.0)
        n = present.sum(axis=UNIT_AXIS)
        E = np.where(n > 1, -plogp.sum(axis=UNIT_AXIS) / np.log(np.maximum(n, 2)), 1.0)
    # E <= 1 in exact arithmetic; clip the rounding of near-constant columns so no weight goes negative
    d = np.where(total[..., 0, :] > 0, np.maximum(1.0 - E, 0.0), 0.0)
    return d / d.sum(axis=-1, keepdims=True)


def _pairwise_corr(X: np.ndarray, min_periods: int = 3) -> np.ndarray:
    """Pearson correlations over the rows where both columns are present (pairwise-complete).

    Equals ``np.corrcoef(X, rowvar=False)`` on complete data; pairs with fewer than ``min_periods`` common
    rows, or a constant column, get 0 (no evidence of association) and the diagonal stays 1.
    """
    k = X.shape[1]
    R = np.eye(k)
    present = ~np.isnan(X)
    for a in range(k):
        for b in range(a + 1, k):
            both = present[:, a] & present[:, b]
            if both.sum() < min_periods:
                continue
            x, y = X[both, a], X[both, b]
            dx, dy = x - x.mean(), y - y.mean()
            denom = np.sqrt((dx * dx).sum() * (dy * dy).sum())
            R[a, b] = R[b, a] = (dx * dy).sum() / denom if denom > 0 else 0.0
    return np.clip(R, -1.0, 1.0)  # as np.corrcoef: rounding can push |r| just past 1


def _check_weighting_data(X: np.ndarray, method: str) -> None:
    counts = (~np.isnan(X)).sum(axis=0)
    if X.shape[1] and counts.min() < 3:
        raise ValueError(
            f"{method} weights need at least 3 units with a value in every column "
            f"(got {int(counts.min())} in the sparsest column); impute first or choose another method"
        )


def critic_weights(X: np.ndarray, directions: np.ndarray | None = None) -> np.ndarray:
    """CRITIC weights: C_j = sd_j * sum_k (1 - r_jk) on min-max data with directions applied.

    Cost columns (direction -1) are flipped before the correlation, so their correlation signs are right
    (pymcdm's ``critic_weights`` ignores directions). sd is the population sd (ddof 0) as in pymcdm and
    scikit-criteria. Missing cells are skipped: sd per column over its values, correlations
    pairwise-complete (the same numbers as the peers' on complete data).
    """
    X = np.asarray(X, dtype=float)
    if directions is not None:
        X = X * np.asarray(directions, dtype=float)
    _check_weighting_data(X, "CRITIC")
    N = minmax(X, 0.0, 1.0)
    constant = np.isnan(N).all(
        axis=0
    )  # min-max leaves a constant column empty: it carries no information
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sd = np.sqrt(np.nanmean((N - np.nanmean(N, axis=0)) ** 2, axis=0))
    sd = np.where(constant, 0.0, sd)
    C = sd * (1.0 - _pairwise_corr(N)).sum(axis=0)
    if not C.sum() > 0:
        raise ValueError(
            "CRITIC weights are undefined here: every column is constant or perfectly "
            "correlated with the others"
        )
    return C / C.sum()


# Saaty's random consistency index, n = 1..15.
RANDOM_INDEX = (
    0.0,
    0.0,
    0.58,
    0.9,
    1.12,
    1.24,
    1.32,
    1.41,
    1.45,
    1.49,
    1.51,
    1.48,
    1.56,
    1.57,
    1.59,
)


def ahp_weights(A: np.ndarray) -> tuple[np.ndarray, float]:
    """Principal right eigenvector of a positive reciprocal pairwise matrix, and its consistency ratio.

    CR = ((lambda_max - n) / (n - 1)) / RI_n with Saaty's random index; CR = 0 for n <= 2.
    """
    A = np.asarray(A, dtype=float)
    n = A.shape[0]
    values, vectors = np.linalg.eig(A)
    k = int(np.argmax(values.real))
    v = np.abs(vectors[:, k].real)
    w = v / v.sum()
    lam = float(values[k].real)
    if n <= 2:
        return w, 0.0
    ci = (lam - n) / (n - 1)
    ri = RANDOM_INDEX[n - 1] if n <= len(RANDOM_INDEX) else RANDOM_INDEX[-1]
    return w, float(ci / ri)


def pca_weights(X: np.ndarray) -> np.ndarray:
    """Squared loadings of the first principal component of the standardised columns (sum to 1).

    COINr's ``get_PCA(weights_to=)`` writes the raw PC1 loadings, which can be negative; squaring keeps the
    OECD handbook's reading (share of the component's variance each indicator carries) and stays positive.
    PC1 is the leading eigenvector of the correlation matrix, computed pairwise-complete so missing cells
    are skipped (on complete data this is the SVD of the standardised matrix).
    """
    X = np.asarray(X, dtype=float)
    _check_weighting_data(X, "PCA")
    _, vecs = np.linalg.eigh(_pairwise_corr(X))
    v = vecs[:, -1]
    return v * v / np.sum(v * v)
