"""Statistical audit and unit profiles: COINr's get_* family on an IndexResult.

Every function returns a DataFrame. Strengths and weaknesses default to a stricter rule than COINr's
(see :func:`get_str_weak`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from aicity.index import numeric
from aicity.index.aggregate import aggregate_tree
from aicity.index.result import IndexResult


def _signif(values: np.ndarray, digits: int) -> np.ndarray:
    """R's ``signif``: round to ``digits`` significant figures."""
    v = np.asarray(values, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.where(v == 0, 0, np.floor(np.log10(np.abs(v))))
    factor = 10.0 ** (digits - 1 - mag)
    return np.where(np.isfinite(v), np.round(v * factor) / factor, v)


def get_stats(
    data: pd.DataFrame,
    t_skew: float = 2.0,
    t_kurt: float = 3.5,
    t_avail: float = 0.65,
    t_zero: float = 0.5,
    t_unq: float = 0.5,
    nsignif: int | None = 3,
) -> pd.DataFrame:
    """COINr ``get_stats``: per column min, max, mean, median, sd, skew, kurtosis, counts and flags.

    Note COINr's flag uses strict ``>`` for skew/kurtosis while the treatment test uses ``>=``.
    """
    X = data.to_numpy(dtype=float)
    n = X.shape[0]
    present = ~np.isnan(X)
    n_avail = present.sum(axis=0)
    nzero = (np.where(present, X, 0) != 0).sum(axis=0)
    nunq, nsame = [], []
    for j in range(X.shape[1]):
        _, counts = np.unique(X[present[:, j], j], return_counts=True)
        nunq.append(len(counts))
        nsame.append(counts.max() if len(counts) else 0)
    nunq_a, nsame_a = np.array(nunq), np.array(nsame)
    sk, kt = numeric.skewness(X), numeric.kurtosis(X)
    with np.errstate(invalid="ignore", divide="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            table = pd.DataFrame(
                {
                    "iCode": list(data.columns),
                    "Min": np.nanmin(X, axis=0),
                    "Max": np.nanmax(X, axis=0),
                    "Mean": np.nanmean(X, axis=0),
                    "Median": np.nanmedian(X, axis=0),
                    "Std": numeric.nanstd(X, axis=0),
                    "Skew": sk,
                    "Kurt": kt,
                    "N.Avail": n_avail,
                    "N.NonZero": nzero,
                    "N.Unique": nunq_a,
                    "N.Same": nsame_a,
                    "Frc.Avail": n_avail / n,
                    "Frc.NonZero": nzero / n_avail,
                    "Frc.Unique": nunq_a / n_avail,
                    "Frc.Same": nsame_a / n_avail,
                }
            )
    table["Flag.Avail"] = np.where(table["Frc.Avail"] >= t_avail, "ok", "LOW")
    table["Flag.NonZero"] = np.where(nzero / n >= t_zero, "ok", "LOW")
    table["Flag.Unique"] = np.where(nunq_a / n >= t_unq, "ok", "LOW")
    table["Flag.SkewKurt"] = np.where((np.abs(sk) > t_skew) & (kt > t_kurt), "OUT", "ok")
    if nsignif is not None:
        for c in table.columns[1:16]:
            table[c] = _signif(table[c].to_numpy(dtype=float), nsignif)
    return table


def _pairwise_corr(X: np.ndarray, Y: np.ndarray, method: str = "pearson") -> np.ndarray:
    """Correlations between every column of X and every column of Y, pairwise-complete."""
    if method == "spearman":
        X, Y = numeric.rank_ascending(X), numeric.rank_ascending(Y)
    out = np.full((X.shape[1], Y.shape[1]), np.nan)
    for i in range(X.shape[1]):
        for j in range(Y.shape[1]):
            ok = ~np.isnan(X[:, i]) & ~np.isnan(Y[:, j])
            if ok.sum() > 2:
                a, b = X[ok, i] - X[ok, i].mean(), Y[ok, j] - Y[ok, j].mean()
                den = np.sqrt((a * a).sum() * (b * b).sum())
                out[i, j] = (a * b).sum() / den if den > 0 else np.nan
    return out


def _codes_at(result: IndexResult, level: int) -> list[str]:
    fw = result.framework
    return fw.indicators if level == 1 else fw.aggregate_order(level)


def get_corr(
    result: IndexResult,
    level_a: int = 1,
    level_b: int = 2,
    dset: str = "aggregated",
    within: str = "parent",
    method: str = "pearson",
) -> pd.DataFrame:
    """Correlations between the nodes of ``level_a`` and those of ``level_b`` (> level_a).

    ``within="parent"`` keeps only pairs where the upper node is an ancestor of the lower one (COINr's
    ``withparent``); ``"all"`` keeps every pair. Columns Var1 (upper), Var2 (lower), Correlation.
    """
    fw = result.framework
    data = result.scores if dset == "aggregated" else result.stages[dset]
    lower, upper = _codes_at(result, level_a), _codes_at(result, level_b)
    R = _pairwise_corr(data[lower].to_numpy(float), data[upper].to_numpy(float), method)
    rows = []
    for i, lo in enumerate(lower):
        anc = lo
        for _ in range(level_b - level_a):
            anc = fw.parent(anc)  # type: ignore[assignment]
        for j, up in enumerate(upper):
            if within == "parent" and up != anc:
                continue
            rows.append({"Var1": up, "Var2": lo, "Correlation": R[i, j]})
    return pd.DataFrame(rows, columns=["Var1", "Var2", "Correlation"])


def get_corr_flags(
    result: IndexResult,
    threshold: float = 0.75,
    kind: str = "high",
    level: int = 2,
    dset: str = "normalised",
    low: float = -0.4,
) -> pd.DataFrame:
    """Pairs of indicators in the same level-``level`` group whose correlation is above ``threshold``
    (``kind="high"``), below ``low`` (``"low"``, negative correlations by default) or either (``"both"``).
    Columns Group, Ind1, Ind2, Corr (Ind1 is the later indicator of the pair, as in COINr)."""
    fw = result.framework
    data = result.stages.get(dset, result.scores)
    lineage = fw.lineage()
    group_col = fw.level_names[level - 1]
    rows = []
    for group in fw.aggregate_order(level):
        codes = list(lineage.loc[lineage[group_col] == group, fw.level_names[0]])
        R = _pairwise_corr(data[codes].to_numpy(float), data[codes].to_numpy(float))
        for i in range(len(codes)):
            for j in range(i):
                r = R[i, j]
                hit = (kind in ("high", "both") and r > threshold) or (
                    kind in ("low", "both") and r < low
                )
                if hit:
                    rows.append({"Group": group, "Ind1": codes[i], "Ind2": codes[j], "Corr": r})
    return pd.DataFrame(rows, columns=["Group", "Ind1", "Ind2", "Corr"])


def cronbach_alpha(X: np.ndarray) -> float:
    """COINr ``cronbach_alpha``: k^2 * mean off-diagonal covariance / sum of the covariance matrix."""
    df = pd.DataFrame(X)
    cov = df.cov().to_numpy()  # pairwise-complete like R's use = "pairwise.complete.obs"
    k = X.shape[1]
    total = np.nansum(cov)
    off = (total - np.nansum(np.diag(cov))) / (k * (k - 1))
    return float(k * k * off / total)


def get_cronbach(result: IndexResult, level: int = 2, dset: str = "aggregated") -> pd.DataFrame:
    """Cronbach's alpha of the children of each node at ``level``. Columns group, alpha."""
    fw = result.framework
    data = result.scores if dset == "aggregated" else result.stages[dset]
    rows = []
    for group in fw.aggregate_order(level):
        kids = fw.children(group)
        alpha = cronbach_alpha(data[kids].to_numpy(float)) if len(kids) > 1 else np.nan
        rows.append({"group": group, "alpha": alpha})
    return pd.DataFrame(rows, columns=["group", "alpha"])


def get_pca(result: IndexResult, level: int = 2, dset: str = "aggregated") -> pd.DataFrame:
    """PCA (standardised, rows with missing values dropped) of the children of each node at ``level``.

    Long format: group, component, variance_explained, iCode, loading (eigenvector entries, sign fixed so
    that the largest absolute loading is positive).
    """
    fw = result.framework
    data = result.scores if dset == "aggregated" else result.stages[dset]
    rows = []
    for group in fw.aggregate_order(level):
        kids = fw.children(group)
        X = data[kids].to_numpy(float)
        X = X[~np.isnan(X).any(axis=1)]
        if len(kids) < 2 or len(X) < 3:
            continue
        sd = X.std(axis=0, ddof=1)
        Z = (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
        _, s, vt = np.linalg.svd(Z, full_matrices=False)
        var = s**2 / np.sum(s**2)
        for c in range(len(s)):
            v = vt[c] * np.sign(vt[c][np.argmax(np.abs(vt[c]))])
            for code, load in zip(kids, v, strict=True):
                rows.append(
                    {
                        "group": group,
                        "component": c + 1,
                        "variance_explained": var[c],
                        "iCode": code,
                        "loading": load,
                    }
                )
    return pd.DataFrame(
        rows, columns=["group", "component", "variance_explained", "iCode", "loading"]
    )


def remove_elements(result: IndexResult, level: int = 2) -> pd.DataFrame:
    """COINr ``remove_elements``: give each node of ``level`` zero weight in turn, re-aggregate, and report
    the index rank changes. Columns element, mean_abs_rank_change, max_abs_rank_change."""
    fw = result.framework
    if "normalised" not in result.stages:
        raise ValueError("remove_elements needs a normalised stage in the result")
    units, X = result._stage_arrays["normalised"]
    agg = next((s for s in result.steps if s.name == "aggregate"), None)
    params: dict[str, Any] = (
        {}
        if agg is None
        else {
            "method": agg.method,
            "p": agg.p,
            "min_availability": agg.min_availability,
            "by_level": agg._levels(fw),
        }
    )
    base_w = result.weights
    A, codes = aggregate_tree(X, fw, base_w, units=units, **params)
    root = codes.index(fw.root)
    base_rank = numeric.rank_min(A[:, root])
    rows = []
    for element in _codes_at(result, level):
        w = dict(base_w)
        w[element] = 0.0
        B, _ = aggregate_tree(X, fw, w, units=units, **params)
        change = np.abs(numeric.rank_min(B[:, root]) - base_rank)
        known = change[~np.isnan(change)]  # removing an only child leaves no index at all
        rows.append(
            {
                "element": element,
                "mean_abs_rank_change": float(known.mean()) if known.size else np.nan,
                "max_abs_rank_change": float(known.max()) if known.size else np.nan,
            }
        )
    return pd.DataFrame(rows)


def _direction_adjusted(result: IndexResult, dset: str) -> pd.DataFrame:
    data = result.stages[dset][result.framework.indicators]
    if dset in ("raw", "denominated", "imputed", "screened", "treated"):
        return data * result.framework.direction
    return data


def get_str_weak(
    result: IndexResult,
    unit: str,
    top: int = 5,
    bottom: int = 5,
    dset: str = "raw",
    rule: str = "distinct",
    max_tied_share: float = 0.1,
    min_unique: int = 3,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Strengths (best-ranked indicators) and weaknesses (worst-ranked) of one unit.

    ``rule="coinr"`` reproduces COINr's ``get_str_weak`` (ranks on direction-adjusted ``dset``, entries at
    the worst rank dropped, ties allowed). ``rule="distinct"`` (default) also drops indicators with fewer
    than ``min_unique`` distinct values (binary yes/no indicators) and entries where the unit's value is
    shared by more than ``max_tied_share`` of the units, so a tie at the top (e.g. zero tariffs) is not
    reported as a strength. Returns (strengths, weaknesses) with columns Code, Name, <level 2>, Rank,
    Value, Unit.
    """
    prep = _StrWeak(result, dset)
    if unit not in prep.row:
        raise KeyError(f"unit {unit!r} not in the {dset} data set")
    order, r = prep.order(prep.row[unit], rule, max_tied_share, min_unique)
    return prep.table(unit, order[:top], r), prep.table(
        unit, order[max(len(order) - bottom, 0) :], r
    )


class _StrWeak:
    """Ranks and indicator facts computed once, shared by every unit's strengths and weaknesses."""

    def __init__(self, result: IndexResult, dset: str) -> None:
        fw = self.fw = result.framework
        data = _direction_adjusted(result, dset)
        self.codes = fw.coin_order()
        self.X = data[self.codes].to_numpy(float)
        self.raw = result.stages[dset][self.codes].to_numpy(float)
        self.units = list(data.index)
        self.row = {u: i for i, u in enumerate(self.units)}
        self.ranks = numeric.rank_min(self.X)
        self.worst = np.nanmax(self.ranks, axis=0)
        present = ~np.isnan(self.X)
        self.n_units = present.sum(axis=0)
        self.unique = np.array(
            [len(np.unique(self.X[present[:, j], j])) for j in range(self.X.shape[1])]
        )
        lineage = fw.lineage()
        self.level2 = fw.level_names[1] if fw.n_levels > 1 else fw.level_names[0]
        self.group = dict(zip(lineage[fw.level_names[0]], lineage[self.level2], strict=True))

    def order(
        self, row: int, rule: str, max_tied_share: float, min_unique: int
    ) -> tuple[np.ndarray, np.ndarray]:
        r = self.ranks[row]
        keep = ~np.isnan(r) & (r != self.worst)  # COINr's min_discard
        if rule == "distinct":
            tied = (self.X[row] == self.X).sum(axis=0)
            keep &= self.unique >= min_unique
            keep &= tied <= np.maximum(1, max_tied_share * self.n_units)
        idx = np.flatnonzero(keep)
        return idx[np.argsort(r[idx], kind="stable")], r

    def table(self, unit: str, sel: np.ndarray, r: np.ndarray) -> pd.DataFrame:
        fw, cs = self.fw, [self.codes[j] for j in sel]
        return pd.DataFrame(
            {
                "Code": cs,
                "Name": [fw.names(c) for c in cs],
                self.level2: [self.group[c] for c in cs],
                "Rank": r[sel],
                "Value": self.raw[self.row[unit], sel],
                "Unit": [fw.nodes[c].unit for c in cs],
            }
        )


def get_unit_summary(
    result: IndexResult, unit: str, levels: list[int] | None = None
) -> pd.DataFrame:
    """COINr ``get_unit_summary``: the unit's score and rank at each aggregate level, top level first."""
    fw = result.framework
    levels = levels or list(range(fw.n_levels, 1, -1))
    codes = [c for lev in levels for c in fw.levels[lev - 1]]
    return pd.DataFrame(
        {
            "Code": codes,
            "Name": [fw.names(c) for c in codes],
            "Score": result.scores.loc[unit, codes].to_numpy(float),
            "Rank": result.ranks.loc[unit, codes].to_numpy(float),
        }
    )


def strengths_weaknesses_all(
    result: IndexResult,
    top: int = 5,
    bottom: int = 5,
    dset: str = "raw",
    rule: str = "distinct",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Strengths and weaknesses of every unit in long form: uCode, iCode, rank, value."""
    prep = _StrWeak(result, dset)
    parts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {"s": [], "w": []}
    for row in prep.row.values():
        order, _ = prep.order(row, rule, 0.1, 3)
        for key, sel in (("s", order[:top]), ("w", order[max(len(order) - bottom, 0) :])):
            parts[key].append((np.full(len(sel), row), sel))
    frames = []
    for key in ("s", "w"):
        rows = np.concatenate([p[0] for p in parts[key]]) if parts[key] else np.empty(0, int)
        cols_ = np.concatenate([p[1] for p in parts[key]]) if parts[key] else np.empty(0, int)
        frames.append(
            pd.DataFrame(
                {
                    "uCode": np.asarray(prep.units, dtype=object)[rows],
                    "iCode": np.asarray(prep.codes, dtype=object)[cols_],
                    "rank": prep.ranks[rows, cols_],
                    "value": prep.raw[rows, cols_],
                }
            )
        )
    return frames[0], frames[1]
