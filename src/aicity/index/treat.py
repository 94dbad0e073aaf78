"""Treat outliers: COINr's skew/kurtosis rule with winsorisation and a log fallback, plus plain transforms.

Rule (COINr ``Treat`` defaults): an indicator fails only if |skew| >= ``skew`` AND kurtosis >= ``kurtosis``
(sample-adjusted, e1071 type 2). A failing indicator is winsorised one extreme at a time on the side of its
skew (ties count as several points), re-testing each time, up to ``winmax`` points. If it still fails, the
``fallback`` transform is applied to the ORIGINAL values (``combine=True`` applies it to the winsorised ones).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from aicity.index import numeric
from aicity.index.base import Context, Step, fail

TREAT_METHODS = ("skew_kurt", "winsorise", "log_ct", "log_ct_plus", "log_ct_orig", "boxcox", "none")
FALLBACKS = ("log_ct", "log_ct_plus", "log_ct_orig", "boxcox", "none")


def skew_kurt(x: np.ndarray) -> tuple[float, float]:
    col = x[:, None]
    return float(numeric.skewness(col)[0]), float(numeric.kurtosis(col)[0])


def passes(sk: float, kt: float, skew: float, kurtosis: float) -> bool:
    """COINr ``check_SkewKurt``: pass if |skew| < skew OR kurtosis < kurtosis. NaN statistics pass."""
    if math.isnan(sk) or math.isnan(kt):
        return True
    return abs(sk) < skew or kt < kurtosis


def winsorise(
    x: np.ndarray, winmax: int | None = 5, skew: float = 2.0, kurtosis: float = 3.5
) -> tuple[np.ndarray, int, np.ndarray]:
    """COINr ``winsorise``: returns (values, points capped, per-point flag '' / 'winhi' / 'winlo')."""
    x = x.copy()
    imax = np.empty(0, dtype=int)
    imin = np.empty(0, dtype=int)
    nwin = 0
    passing = passes(*skew_kurt(x), skew, kurtosis)
    while not passing and (winmax is None or nwin < winmax):
        sk, _ = skew_kurt(x)
        present = ~np.isnan(x)
        if sk >= 0:
            top = np.nanmax(x)
            imax = np.flatnonzero(x == top)
            rest = present.copy()
            rest[imax] = False
            x[imax] = np.max(x[rest])
        else:
            bottom = np.nanmin(x)
            imin = np.flatnonzero(x == bottom)
            rest = present.copy()
            rest[imin] = False
            x[imin] = np.min(x[rest])
        # COINr counts the points sharing the current extreme: earlier capped points are tied with it
        nwin = len(imax) + len(imin)
        passing = passes(*skew_kurt(x), skew, kurtosis)
    flags = np.full(len(x), "", dtype=object)
    flags[imax] = "winhi"
    flags[imin] = "winlo"
    return x, nwin, flags


def log_ct(x: np.ndarray) -> np.ndarray:
    """log(x - min + 0.01 (max - min)) (COINr ``log_CT``)."""
    mn, mx = np.nanmin(x), np.nanmax(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.log(x - mn + 0.01 * (mx - mn))


def log_ct_plus(x: np.ndarray) -> np.ndarray:
    """``log_ct`` mirrored for negatively skewed data: -log(max - x + 0.01 (max - min)); order kept."""
    sk, _ = skew_kurt(x)
    if not sk < 0:
        return log_ct(x)
    mn, mx = np.nanmin(x), np.nanmax(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        return -np.log(mx - x + 0.01 * (mx - mn))


def log_ct_orig(x: np.ndarray) -> np.ndarray:
    """log(x - min + 1) (COINr ``log_CT_orig``)."""
    return np.log(x - np.nanmin(x) + 1)


def boxcox(x: np.ndarray, lmbda: float | None = None) -> np.ndarray:
    """Box-Cox of x - min + 1; ``lmbda=None`` estimates lambda by maximum likelihood (scipy)."""
    shifted = x - np.nanmin(x) + 1
    if lmbda is None:
        from scipy import stats

        present = ~np.isnan(shifted)
        out = np.full_like(shifted, np.nan)
        out[present] = stats.boxcox(shifted[present])[0]
        return out
    return np.log(shifted) if lmbda == 0 else (shifted**lmbda - 1) / lmbda


TRANSFORMS = {"log_ct": log_ct, "log_ct_plus": log_ct_plus, "log_ct_orig": log_ct_orig}

REPORT_COLUMNS = [
    "iCode",
    "check_SkewKurt0.Pass",
    "check_SkewKurt0.Skew",
    "check_SkewKurt0.Kurt",
    "winsorise.nwin",
    "check_SkewKurt1.Pass",
    "check_SkewKurt1.Skew",
    "check_SkewKurt1.Kurt",
    "check_SkewKurt2.Pass",
    "check_SkewKurt2.Skew",
    "check_SkewKurt2.Kurt",
    "treatment",
]


def _transform(x: np.ndarray, method: str, lmbda: float | None) -> np.ndarray:
    return boxcox(x, lmbda) if method == "boxcox" else TRANSFORMS[method](x)


def treat_column(
    x: np.ndarray, spec: Mapping[str, Any]
) -> tuple[np.ndarray, dict[str, Any], np.ndarray]:
    """Treat one indicator; returns (values, report row without iCode, per-point flags)."""
    method = spec["method"]
    skew_t, kurt_t = spec["skew"], spec["kurtosis"]
    flags = np.full(len(x), "", dtype=object)
    row: dict[str, Any] = dict.fromkeys(REPORT_COLUMNS[1:], math.nan)
    row["treatment"] = "none"
    if method == "none" or np.isnan(x).all():
        for k in ("check_SkewKurt0.Pass", "winsorise.nwin"):
            row[k] = math.nan
        return x, row, flags
    sk, kt = skew_kurt(x)
    ok = passes(sk, kt, skew_t, kurt_t)
    row.update({"check_SkewKurt0.Pass": ok, "check_SkewKurt0.Skew": sk, "check_SkewKurt0.Kurt": kt})
    if method in ("log_ct", "log_ct_plus", "log_ct_orig", "boxcox"):
        y = _transform(x, method, spec.get("lmbda"))
        flags[~np.isnan(x)] = method
        sk2, kt2 = skew_kurt(y)
        row.update(
            {
                "check_SkewKurt2.Pass": passes(sk2, kt2, skew_t, kurt_t),
                "check_SkewKurt2.Skew": sk2,
                "check_SkewKurt2.Kurt": kt2,
                "treatment": method,
            }
        )
        return y, row, flags
    if ok:
        return x, row, flags
    y, nwin, wflags = winsorise(x, spec["winmax"], skew_t, kurt_t)
    sk1, kt1 = skew_kurt(y)
    ok1 = passes(sk1, kt1, skew_t, kurt_t)
    row.update(
        {
            "winsorise.nwin": nwin,
            "check_SkewKurt1.Pass": ok1,
            "check_SkewKurt1.Skew": sk1,
            "check_SkewKurt1.Kurt": kt1,
            "treatment": "winsorise",
        }
    )
    flags = wflags
    if ok1 or method == "winsorise" or spec["fallback"] == "none":
        return y, row, flags
    base = y if spec["combine"] else x
    z = _transform(base, spec["fallback"], spec.get("lmbda"))
    sk2, kt2 = skew_kurt(z)
    row.update(
        {
            "check_SkewKurt2.Pass": passes(sk2, kt2, skew_t, kurt_t),
            "check_SkewKurt2.Skew": sk2,
            "check_SkewKurt2.Kurt": kt2,
            "treatment": ("winsorise+" if spec["combine"] else "") + spec["fallback"],
        }
    )
    fallback_flags = np.where(np.isnan(base), "", spec["fallback"]).astype(object)
    flags = (
        np.where(wflags != "", wflags + "+" + fallback_flags, fallback_flags)
        if spec["combine"]
        else fallback_flags
    )
    return z, row, flags


def treat(data: pd.DataFrame, **params: Any) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Function twin: returns (treated data, per-indicator report, per-point flags)."""
    step = Treat(**params)
    X, report, flags = step.treat_array(data.to_numpy(dtype=float), list(data.columns))
    return (
        pd.DataFrame(X, index=data.index, columns=data.columns),
        report,
        pd.DataFrame(flags, index=data.index, columns=data.columns),
    )


class Treat(Step):
    """Outlier treatment, COINr's rule by default (see module docstring).

    ``method``: ``skew_kurt`` (test, winsorise, fallback), ``winsorise`` (no fallback), or an unconditional
    transform ``log_ct`` / ``log_ct_plus`` / ``log_ct_orig`` / ``boxcox``, or ``none``. ``overrides`` maps
    indicator codes to ``"none"`` or to a mapping of any of these parameters.
    """

    name = "treat"
    stage = "treated"
    methods = TREAT_METHODS

    def __init__(
        self,
        *,
        method: str = "skew_kurt",
        winmax: int | None = 5,
        skew: float = 2.0,
        kurtosis: float = 3.5,
        fallback: str = "log_ct",
        combine: bool = False,
        lmbda: float | None = None,
        overrides: dict[str, Any] | None = None,
    ) -> None:
        self.method = method
        self.winmax = winmax
        self.skew = skew
        self.kurtosis = kurtosis
        self.fallback = fallback
        self.combine = combine
        self.lmbda = lmbda
        self.overrides = overrides

    def _spec(self) -> dict[str, Any]:
        return {
            k: getattr(self, k)
            for k in ("method", "winmax", "skew", "kurtosis", "fallback", "combine", "lmbda")
        }

    def check(self, path: str = "") -> None:
        _check_spec(self._spec(), f"{path}treat")
        if self.overrides is not None:
            if not isinstance(self.overrides, Mapping):
                fail(
                    f"{path}treat -> overrides", "must map indicator codes to 'none' or parameters"
                )
            for code, over in self.overrides.items():
                where = f"{path}treat -> overrides -> {code}"
                if over == "none":
                    continue
                if not isinstance(over, Mapping):
                    fail(where, f"must be 'none' or a mapping of parameters (got {over!r})")
                unknown = sorted(set(over) - set(self._spec()))
                if unknown:
                    fail(where, f"unknown parameters {unknown}; valid: {sorted(self._spec())}")
                _check_spec({**self._spec(), **over}, where)

    def treat_array(
        self, X: np.ndarray, codes: list[str]
    ) -> tuple[np.ndarray, pd.DataFrame, np.ndarray]:
        base = self._spec()
        overrides = self.overrides or {}
        unknown = sorted(set(overrides) - set(codes))
        if unknown:
            fail("treat -> overrides", f"not indicators of the data: {unknown}")
        out = X.copy()
        flags = np.full(X.shape, "", dtype=object)
        # one vectorised test first: most indicators pass and need no per-column work
        sk0, kt0 = numeric.skewness(X), numeric.kurtosis(X)
        rows = []
        for j, code in enumerate(codes):
            over = overrides.get(code)
            spec = {**base, "method": "none"} if over == "none" else {**base, **(over or {})}
            if spec["method"] == "skew_kurt" and passes(
                sk0[j], kt0[j], spec["skew"], spec["kurtosis"]
            ):
                row = dict.fromkeys(REPORT_COLUMNS[1:], math.nan)
                row.update(
                    {
                        "check_SkewKurt0.Pass": True,
                        "check_SkewKurt0.Skew": float(sk0[j]),
                        "check_SkewKurt0.Kurt": float(kt0[j]),
                        "treatment": "none",
                    }
                )
            else:
                out[:, j], row, flags[:, j] = treat_column(X[:, j], spec)
            rows.append({"iCode": code, **row})
        report = pd.DataFrame(rows, columns=REPORT_COLUMNS)
        return out, report, flags

    def apply(self, ctx: Context) -> None:
        X, report, flags = self.treat_array(ctx.X, ctx.codes)
        rows, cols = np.nonzero(flags != "")
        if len(rows):
            codes = np.asarray(ctx.codes, dtype=object)
            for flag in pd.unique(flags[rows, cols]):
                sel = flags[rows, cols] == flag
                ctx.flags.add(self.stage, flag, ctx.units[rows[sel]], codes[cols[sel]])
        self.report_ = report
        self.points_ = flags
        ctx.reports["treatment"] = report
        ctx.X = X
        ctx.record(self.stage)


def _check_spec(spec: Mapping[str, Any], where: str) -> None:
    if spec["method"] not in TREAT_METHODS:
        fail(f"{where} -> method", f"must be one of {list(TREAT_METHODS)} (got {spec['method']!r})")
    if spec["fallback"] not in FALLBACKS:
        fail(f"{where} -> fallback", f"must be one of {list(FALLBACKS)} (got {spec['fallback']!r})")
    winmax = spec["winmax"]
    if winmax is not None and (
        not isinstance(winmax, int) or isinstance(winmax, bool) or winmax < 0
    ):
        fail(f"{where} -> winmax", f"must be an integer >= 0 or null for no limit (got {winmax!r})")
    for key in ("skew", "kurtosis"):
        if not isinstance(spec[key], int | float) or isinstance(spec[key], bool):
            fail(f"{where} -> {key}", f"must be a number (got {spec[key]!r})")
    if spec["skew"] <= 0:
        fail(f"{where} -> skew", f"must be > 0 (got {spec['skew']})")
    if not isinstance(spec["combine"], bool):
        fail(f"{where} -> combine", f"must be true or false (got {spec['combine']!r})")
    lm = spec.get("lmbda")
    if lm is not None and (not isinstance(lm, int | float) or isinstance(lm, bool)):
        fail(f"{where} -> lmbda", f"must be a number or null (got {lm!r})")
