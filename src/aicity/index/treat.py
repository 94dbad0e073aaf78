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

FLAG_DTYPE = "<U32"  # fixed-width text: vectorised comparisons, unlike object arrays
TREAT_METHODS = ("skew_kurt", "winsorise", "log_ct", "log_ct_plus", "log_ct_orig", "boxcox", "none")
FALLBACKS = ("log_ct", "log_ct_plus", "log_ct_orig", "boxcox", "none")


def skew_kurt(x: np.ndarray) -> tuple[float, float]:
    """Skewness and excess kurtosis of one vector (e1071 type 2), NaN skipped; NaN if too few values."""
    v = x[~np.isnan(x)]
    n = v.size
    if n < 4:
        return math.nan, math.nan
    d = v - v.sum() / n
    d2 = d * d
    m2 = float(np.dot(d, d))
    if m2 == 0:
        return math.nan, math.nan
    m3 = float(np.dot(d2, d))
    m4 = float(np.dot(d2, d2))
    sk = math.sqrt(n) * m3 / m2**1.5 * math.sqrt(n * (n - 1)) / (n - 2)
    r = n * m4 / (m2 * m2)
    kt = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    return sk, kt


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
    present = np.flatnonzero(~np.isnan(x))
    v = x[present]  # work on the observed values; positions map back through `present`
    imax = np.empty(0, dtype=int)
    imin = np.empty(0, dtype=int)
    nwin = 0
    sk, kt = skew_kurt(v)
    passing = passes(sk, kt, skew, kurtosis)
    while not passing and (winmax is None or nwin < winmax):
        if sk >= 0:
            top = v.max()
            imax = np.flatnonzero(v == top)
            v[imax] = v[v != top].max()
        else:
            bottom = v.min()
            imin = np.flatnonzero(v == bottom)
            v[imin] = v[v != bottom].min()
        # COINr counts the points sharing the current extreme: earlier capped points are tied with it
        nwin = len(imax) + len(imin)
        sk, kt = skew_kurt(v)
        passing = passes(sk, kt, skew, kurtosis)
    x[present] = v
    flags = np.full(len(x), "", dtype=object)
    flags[present[imax]] = "winhi"
    flags[present[imin]] = "winlo"
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


def _passes_vec(sk: np.ndarray, kt: np.ndarray, skew: float, kurtosis: float) -> np.ndarray:
    return np.isnan(sk) | np.isnan(kt) | (np.abs(sk) < skew) | (kt < kurtosis)


def winsorise_matrix(
    X: np.ndarray, winmax: int | None = 5, skew: float = 2.0, kurtosis: float = 3.5
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`winsorise` on every column at once (same result column by column).

    Returns (values, points capped, winhi mask, winlo mask, final skew, final kurtosis).
    """
    Y = X.copy()
    n, k = Y.shape
    hi = np.zeros((n, k), dtype=bool)
    lo = np.zeros((n, k), dtype=bool)
    nwin = np.zeros(k, dtype=int)
    sk, kt = numeric.skew_kurt(Y)
    limit = np.inf if winmax is None else winmax
    active = ~_passes_vec(sk, kt, skew, kurtosis) & (nwin < limit)
    while active.any():
        cols = np.flatnonzero(active)
        A = Y[:, cols]
        up = sk[cols] >= 0
        key = np.where(up, A, -A)  # cap the top of `key`: the high side, or the low side mirrored
        # fmax.reduce is what np.nanmax computes, minus its Python overhead and all-NaN warning
        top = np.fmax.reduce(key, axis=0)
        at_top = key == top
        second = np.fmax.reduce(np.where(at_top, np.nan, key), axis=0)
        stuck = np.isnan(second)  # nothing left below the extreme: stop, as there is nothing to cap
        at_top &= ~stuck
        capped = np.where(at_top, second, key)
        Y[:, cols] = np.where(up, capped, -capped)
        hi[:, cols[up]] = at_top[:, up]
        lo[:, cols[~up]] = at_top[:, ~up]
        # COINr counts the points sharing the current extreme: earlier capped points are tied with it
        nwin[cols] = hi[:, cols].sum(axis=0) + lo[:, cols].sum(axis=0)
        sub = Y[:, cols]
        sk[cols], kt[cols] = numeric.skew_kurt(sub)
        active[cols] = (
            ~_passes_vec(sk[cols], kt[cols], skew, kurtosis) & (nwin[cols] < limit) & ~stuck
        )
    return Y, nwin, hi, lo, sk, kt


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
    X, builder, flags = step.treat_array(data.to_numpy(dtype=float), list(data.columns))
    report = builder()
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

    def treat_array(self, X: np.ndarray, codes: list[str]) -> tuple[np.ndarray, Any, np.ndarray]:
        """Treat every column; returns (values, report builder, per-point flag texts)."""
        out, report, records = self._treat(X, codes)
        return out, report, _point_flags(X.shape, records)

    @property
    def points_(self) -> np.ndarray:
        """Per-point flag texts ('' where a point was left alone), framed on first access."""
        try:
            shape, records = self.__dict__["_point_records"]
        except KeyError:
            raise AttributeError("points_: the step has not been applied yet") from None
        if "_points" not in self.__dict__:
            self._points = _point_flags(shape, records)
        return self._points

    def _treat(
        self, X: np.ndarray, codes: list[str]
    ) -> tuple[np.ndarray, Any, list[tuple[str, np.ndarray, np.ndarray]]]:
        """Treat every column; returns (values, report builder, (flag text, rows, columns) records)."""
        base = self._spec()
        overrides = self.overrides or {}
        unknown = sorted(set(overrides) - set(codes))
        if unknown:
            fail("treat -> overrides", f"not indicators of the data: {unknown}")
        k = X.shape[1]
        out = X.copy()
        records: list[tuple[str, np.ndarray, np.ndarray]] = []
        report: dict[str, np.ndarray] = {
            c: np.full(k, np.nan, dtype=object if c.endswith("Pass") or c == "treatment" else float)
            for c in REPORT_COLUMNS[1:]
        }
        report["treatment"][:] = "none"
        plain = np.array([code not in overrides for code in codes], dtype=bool)
        if base["method"] == "skew_kurt" and plain.any():
            self._skew_kurt_block(X, np.flatnonzero(plain), base, out, report, records)
        else:
            plain[:] = False
        for j in np.flatnonzero(~plain):
            over = overrides.get(codes[j])
            spec = {**base, "method": "none"} if over == "none" else {**base, **(over or {})}
            out[:, j], row, column_flags = treat_column(X[:, j], spec)
            for text in dict.fromkeys(column_flags[column_flags != ""].tolist()):
                rows = np.flatnonzero(column_flags == text)
                records.append((str(text), rows, np.full(len(rows), j)))
            for key, value in row.items():
                report[key][j] = value
        return out, _ReportBuilder(codes, report), records

    @staticmethod
    def _skew_kurt_block(
        X: np.ndarray,
        cols: np.ndarray,
        spec: Mapping[str, Any],
        out: np.ndarray,
        report: dict[str, np.ndarray],
        records: list[tuple[str, np.ndarray, np.ndarray]],
    ) -> None:
        """COINr's rule on many columns at once: one vectorised test, winsorisation loop and fallback."""
        skew_t, kurt_t = spec["skew"], spec["kurtosis"]
        sub = X[:, cols]
        sk0, kt0 = numeric.skew_kurt(sub)
        ok0 = _passes_vec(sk0, kt0, skew_t, kurt_t)
        report["check_SkewKurt0.Pass"][cols] = ok0
        report["check_SkewKurt0.Skew"][cols] = sk0
        report["check_SkewKurt0.Kurt"][cols] = kt0
        failing = cols[~ok0]
        if not len(failing):
            return
        Y, nwin, hi, lo, sk1, kt1 = winsorise_matrix(X[:, failing], spec["winmax"], skew_t, kurt_t)
        ok1 = _passes_vec(sk1, kt1, skew_t, kurt_t)
        out[:, failing] = Y
        report["winsorise.nwin"][failing] = nwin
        report["check_SkewKurt1.Pass"][failing] = ok1
        report["check_SkewKurt1.Skew"][failing] = sk1
        report["check_SkewKurt1.Kurt"][failing] = kt1
        report["treatment"][failing] = "winsorise"
        fallback = spec["fallback"]
        still = np.flatnonzero(~ok1) if fallback != "none" else np.empty(0, dtype=int)
        combine = spec["combine"]
        fb_mask = np.zeros_like(hi)
        if len(still):
            targets = failing[still]
            basis = Y[:, still] if combine else X[:, targets]
            if fallback in ("log_ct", "log_ct_orig"):
                mn = np.nanmin(basis, axis=0)
                shift = 0.01 * (np.nanmax(basis, axis=0) - mn) if fallback == "log_ct" else 1.0
                with np.errstate(invalid="ignore", divide="ignore"):
                    Z = np.log(basis - mn + shift)
            else:
                Z = np.column_stack(
                    [
                        _transform(basis[:, i], fallback, spec.get("lmbda"))
                        for i in range(basis.shape[1])
                    ]
                )
            sk2, kt2 = numeric.skew_kurt(Z)
            out[:, targets] = Z
            report["check_SkewKurt2.Pass"][targets] = _passes_vec(sk2, kt2, skew_t, kurt_t)
            report["check_SkewKurt2.Skew"][targets] = sk2
            report["check_SkewKurt2.Kurt"][targets] = kt2
            report["treatment"][targets] = ("winsorise+" if combine else "") + fallback
            fb_mask[:, still] = ~np.isnan(basis)
            if not combine:  # the fallback replaced the winsorised values: their flags go too
                hi[:, still] = False
                lo[:, still] = False
        parts = [
            ("winhi", hi & ~fb_mask),
            ("winlo", lo & ~fb_mask),
            (fallback, fb_mask & ~hi & ~lo),
            (f"winhi+{fallback}", hi & fb_mask),
            (f"winlo+{fallback}", lo & fb_mask),
        ]
        for text, mask in parts:
            rows, cc = np.nonzero(mask)
            if len(rows):
                records.append((text, rows, failing[cc]))

    def apply(self, ctx: Context) -> None:
        X, report, records = self._treat(ctx.X, ctx.codes)
        codes = np.asarray(ctx.codes, dtype=object)
        for text, rows, cols in records:
            ctx.flags.add(self.stage, text, ctx.units[rows], codes[cols])
        self._point_records = (X.shape, records)
        self.__dict__.pop("_points", None)
        ctx.reports["treatment"] = report
        ctx.X = X
        ctx.record(self.stage)


def _point_flags(
    shape: tuple[int, ...], records: list[tuple[str, np.ndarray, np.ndarray]]
) -> np.ndarray:
    """The per-point flag texts of a treatment from its (text, rows, columns) records."""
    flags = np.full(shape, "", dtype=FLAG_DTYPE)
    for text, rows, cols in records:
        flags[rows, cols] = text
    return flags


class _ReportBuilder:
    """The treatment report as column arrays, framed on first call (most builds never look at it)."""

    def __init__(self, codes: list[str], columns: dict[str, np.ndarray]) -> None:
        self.codes, self.columns = codes, columns
        self._frame: pd.DataFrame | None = None

    def __call__(self) -> pd.DataFrame:
        if self._frame is None:
            self._frame = pd.DataFrame(
                {"iCode": self.codes, **self.columns}, columns=REPORT_COLUMNS
            )
        return self._frame


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
