"""Impute missing values: column mean/median, group mean/median, and multivariate KNN / iterative imputers.

Every imputed cell is flagged ``imputed`` with the method name. Cells that stay missing (e.g. a whole group
missing an indicator) stay NaN and are reported by later steps.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aicity.index import numeric
from aicity.index.base import Context, Step, fail


def _is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


IMPUTE_METHODS = ("mean", "median", "group_mean", "group_median", "knn", "iterative", "none")


def _fill_by_stat(X: np.ndarray, stat: str) -> np.ndarray:
    missing = np.isnan(X)
    if not missing.any():
        return X
    present = ~missing
    counts = present.sum(axis=0)
    if stat == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):
            fill = np.where(present, X, 0.0).sum(axis=0) / counts
    else:
        fill = np.array(
            [np.median(X[present[:, j], j]) if counts[j] else np.nan for j in range(X.shape[1])]
        )
    return np.where(missing, fill, X)


def impute_array(
    X: np.ndarray,
    method: str = "mean",
    groups: np.ndarray | None = None,
    directions: np.ndarray | None = None,
    n_neighbours: int = 5,
    max_iter: int = 10,
    random_state: int = 0,
) -> np.ndarray:
    """Numeric core: returns a copy of ``X`` with NaNs filled where the method can fill them."""
    if method == "none" or not np.isnan(X).any():
        return X.copy()
    if method in ("mean", "median"):
        return _fill_by_stat(X, method)
    if method in ("group_mean", "group_median"):
        if groups is None:
            raise ValueError("group imputation needs a group per unit")
        out = X.copy()
        stat = method.removeprefix("group_")
        keys = np.asarray(groups, dtype=object)
        known = np.array([not _is_missing(k) for k in keys], dtype=bool)
        for key in dict.fromkeys(keys[known]):
            rows = keys == key
            out[rows] = _fill_by_stat(X[rows], stat)
        return out
    # multivariate: scale to [0, 1] first (distances and regressions need comparable columns)
    mn = np.nanmin(X, axis=0)
    rng = np.nanmax(X, axis=0) - mn
    rng = np.where(rng > 0, rng, 1.0)
    Z = (X - mn) / rng
    if method == "knn":
        from sklearn.impute import KNNImputer

        filled = KNNImputer(n_neighbors=n_neighbours, keep_empty_features=True).fit_transform(Z)
    elif method == "iterative":
        from sklearn.experimental import enable_iterative_imputer  # noqa: F401
        from sklearn.impute import IterativeImputer

        filled = IterativeImputer(
            max_iter=max_iter, random_state=random_state, keep_empty_features=True
        ).fit_transform(Z)
    else:
        raise ValueError(f"unknown imputation method {method!r}")
    out = filled * rng + mn
    # keep observed values bit-for-bit
    return np.where(np.isnan(X), out, X)


def impute(
    data: pd.DataFrame, method: str = "mean", groups: pd.Series | None = None, **params: object
) -> pd.DataFrame:
    """Function twin on a DataFrame (units x indicators)."""
    g = None if groups is None else groups.reindex(data.index).to_numpy()
    values = impute_array(data.to_numpy(dtype=float), method, g, **params)  # type: ignore[arg-type]
    return pd.DataFrame(values, index=data.index, columns=data.columns)


class Impute(Step):
    """Fill missing values.

    ``method``: ``mean`` / ``median`` (per indicator), ``group_mean`` / ``group_median`` (per indicator
    within the unit group named by ``group``, COINr's ``i_mean_grp``), ``knn`` (scikit-learn KNNImputer on
    min-max scaled data, ``n_neighbours``), ``iterative`` (scikit-learn IterativeImputer, ``max_iter``,
    ``random_state``), ``none``.
    """

    name = "impute"
    stage = "imputed"
    methods = IMPUTE_METHODS

    def __init__(
        self,
        *,
        method: str = "mean",
        group: str | None = None,
        n_neighbours: int = 5,
        max_iter: int = 10,
        random_state: int = 0,
    ) -> None:
        self.method = method
        self.group = group
        self.n_neighbours = n_neighbours
        self.max_iter = max_iter
        self.random_state = random_state

    def check(self, path: str = "") -> None:
        super().check(path)
        if self.method.startswith("group_") and not self.group:
            fail(f"{path}impute -> group", f"method {self.method} needs a unit-group column")
        if not isinstance(self.n_neighbours, int) or self.n_neighbours < 1:
            fail(
                f"{path}impute -> n_neighbours",
                f"must be an integer >= 1 (got {self.n_neighbours!r})",
            )
        if not isinstance(self.max_iter, int) or self.max_iter < 1:
            fail(f"{path}impute -> max_iter", f"must be an integer >= 1 (got {self.max_iter!r})")

    def apply(self, ctx: Context) -> None:
        groups = None
        if self.method.startswith("group_"):
            if self.group not in ctx.framework.unit_columns:
                fail(
                    "impute -> group",
                    f"{self.group!r} is not a unit column; available: "
                    f"{ctx.framework.group_columns or list(ctx.framework.unit_columns)}",
                )
            groups = ctx.unit_column(self.group)  # type: ignore[arg-type]
        before = np.isnan(ctx.X)
        X = impute_array(
            ctx.X,
            self.method,
            groups,
            ctx.directions,
            self.n_neighbours,
            self.max_iter,
            self.random_state,
        )
        filled = before & ~np.isnan(X)
        rows, cols = np.nonzero(filled)
        ctx.flags.add(
            self.stage,
            f"imputed:{self.method}",
            ctx.units[rows],
            np.asarray(ctx.codes, dtype=object)[cols],
        )
        self.n_imputed_ = int(filled.sum())
        self.n_still_missing_ = int(np.isnan(X).sum())
        ctx.X = X
        ctx.record(self.stage)


__all__ = ["IMPUTE_METHODS", "Impute", "impute", "impute_array", "numeric"]
