"""Normalise: bring indicators onto a common scale; directions are applied first (x * direction).

Every method is a plain kernel in :mod:`aicity.index.numeric` working on whole columns at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from aicity.index import numeric
from aicity.index.base import Context, Step, fail

NORMALISE_METHODS = (
    "minmax",
    "zscore",
    "scaled",
    "dist2max",
    "dist2ref",
    "dist2target",
    "fracmax",
    "percentile_rank",
    "rank",
    "borda",
    "goalposts",
    "none",
)
# which parameters each method reads (the rest are ignored for that method)
METHOD_PARAMS: dict[str, tuple[str, ...]] = {
    "minmax": ("lower", "upper"),
    "zscore": ("mean", "sd"),
    "scaled": ("lower", "upper", "factor"),
    "dist2max": (),
    "dist2ref": ("reference", "cap"),
    "dist2target": ("target", "cap"),
    "fracmax": (),
    "percentile_rank": (),
    "rank": (),
    "borda": (),
    "goalposts": ("goalposts", "truncate"),
    "none": (),
}
SPEC_KEYS = (
    "method",
    "lower",
    "upper",
    "mean",
    "sd",
    "factor",
    "reference",
    "target",
    "cap",
    "goalposts",
    "truncate",
)


def normalise_array(
    X: np.ndarray,
    spec: Mapping[str, Any],
    directions: np.ndarray,
    *,
    units: np.ndarray | None = None,
    targets: np.ndarray | None = None,
) -> np.ndarray:
    """Normalise every column of ``X`` with one spec; ``X`` may carry a leading replication axis."""
    method = spec["method"]
    D = np.asarray(directions, dtype=float)
    Xd = X * D
    if method == "minmax":
        return numeric.minmax(Xd, spec["lower"], spec["upper"])
    if method == "zscore":
        return numeric.zscore(Xd, spec["mean"], spec["sd"])
    if method == "scaled":
        return numeric.scaled(Xd, spec["lower"], spec["upper"], spec["factor"])
    if method == "dist2max":
        return numeric.dist2max(Xd)
    if method == "dist2ref":
        ref = spec["reference"]
        hits: np.ndarray = (
            np.flatnonzero(np.asarray(units) == ref)
            if units is not None
            else np.empty(0, dtype=int)
        )
        if not len(hits):
            fail("normalise -> reference", f"unit {ref!r} is not among the units being normalised")
        return numeric.dist2ref(Xd, int(hits[0]), spec["cap"])
    if method == "dist2target":
        t = spec["target"]
        t = targets if t is None else np.broadcast_to(np.asarray(t, dtype=float), D.shape)
        if t is None or np.isnan(t).any():
            fail(
                "normalise -> target",
                "dist2target needs a target per indicator (iMeta Target or target:)",
            )
        return numeric.dist2target(Xd, t * D, spec["cap"])
    if method == "fracmax":
        # x / max on negated data would reverse the order (COINr's n_fracmax does): a cost indicator
        # scores its best (lowest) value over x instead
        out = numeric.fracmax(X)
        if (D < 0).any():
            with np.errstate(invalid="ignore", divide="ignore"):
                best_over_x = (
                    np.expand_dims(np.nanmin(X, axis=numeric.UNIT_AXIS), numeric.UNIT_AXIS) / X
                )
            out = np.where(D < 0, best_over_x, out)
        return out
    if method == "percentile_rank":
        return numeric.percentile_rank(Xd)
    if method == "rank":
        return numeric.rank(Xd)
    if method == "borda":
        return numeric.borda(Xd)
    if method == "goalposts":
        lo, hi, scale = (np.asarray(g, dtype=float) for g in spec["goalposts"])
        # in direction-adjusted units the posts are multiplied by the direction and swap ends
        lower = np.where(D > 0, lo, -hi)
        upper = np.where(D > 0, hi, -lo)
        return numeric.goalposts(Xd, lower, upper, scale, spec["truncate"])
    if method == "none":
        return Xd
    raise ValueError(method)


def normalise(
    data: pd.DataFrame, directions: np.ndarray | None = None, **params: Any
) -> pd.DataFrame:
    """Function twin on a DataFrame (units x indicators); ``params`` as for :class:`Normalise`."""
    step = Normalise(**params)
    step.check()
    d = np.ones(data.shape[1]) if directions is None else np.asarray(directions, dtype=float)
    X = step.normalise_array(
        data.to_numpy(dtype=float), list(data.columns), d, data.index.to_numpy(), None
    )
    return pd.DataFrame(X, index=data.index, columns=data.columns)


class Normalise(Step):
    """Normalise every indicator (directions first), with per-indicator ``overrides``.

    ``minmax`` to [lower, upper]; ``zscore`` to (mean, sd); ``scaled`` (x - lower)/(upper - lower)*factor;
    ``dist2max``; ``dist2ref`` (to unit ``reference``, ``cap``); ``dist2target`` (``target`` or the
    framework's targets, ``cap``); ``fracmax``; ``percentile_rank``; ``rank``; ``borda``; ``goalposts``
    ([lower, upper, scale] in the indicator's units, ``truncate``); ``none``.
    """

    name = "normalise"
    stage = "normalised"
    methods = NORMALISE_METHODS

    def __init__(
        self,
        *,
        method: str = "minmax",
        lower: float = 0.0,
        upper: float = 100.0,
        mean: float = 0.0,
        sd: float = 1.0,
        factor: float = 100.0,
        reference: str | None = None,
        target: float | None = None,
        cap: bool = False,
        goalposts: list[float] | None = None,
        truncate: bool = True,
        overrides: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.method = method
        self.lower = lower
        self.upper = upper
        self.mean = mean
        self.sd = sd
        self.factor = factor
        self.reference = reference
        self.target = target
        self.cap = cap
        self.goalposts = goalposts
        self.truncate = truncate
        self.overrides = overrides

    def _spec(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in SPEC_KEYS}

    def check(self, path: str = "") -> None:
        _check_spec(self._spec(), f"{path}normalise")
        if self.overrides is not None:
            if not isinstance(self.overrides, Mapping):
                fail(
                    f"{path}normalise -> overrides",
                    "must map indicator codes to parameter mappings",
                )
            for code, over in self.overrides.items():
                where = f"{path}normalise -> overrides -> {code}"
                if not isinstance(over, Mapping):
                    fail(where, f"must be a mapping of parameters (got {over!r})")
                unknown = sorted(set(over) - set(SPEC_KEYS))
                if unknown:
                    fail(where, f"unknown parameters {unknown}; valid: {list(SPEC_KEYS)}")
                _check_spec({**self._spec(), **over}, where)

    def normalise_array(
        self,
        X: np.ndarray,
        codes: list[str],
        directions: np.ndarray,
        units: np.ndarray | None,
        targets: np.ndarray | None,
    ) -> np.ndarray:
        base = self._spec()
        overrides = self.overrides or {}
        unknown = sorted(set(overrides) - set(codes))
        if unknown:
            fail("normalise -> overrides", f"not indicators of the data: {unknown}")
        if not overrides:
            return normalise_array(X, base, directions, units=units, targets=targets)
        out = np.empty_like(X)
        # group columns sharing the same effective spec: one vectorised call per group
        groups: dict[str, list[int]] = {}
        specs: dict[str, dict[str, Any]] = {}
        for j, code in enumerate(codes):
            spec = {**base, **overrides.get(code, {})}
            key = repr(sorted(spec.items()))
            groups.setdefault(key, []).append(j)
            specs[key] = spec
        for key, cols in groups.items():
            idx = np.asarray(cols)
            t = None if targets is None else targets[idx]
            out[..., idx] = normalise_array(
                X[..., idx], specs[key], directions[idx], units=units, targets=t
            )
        return out

    def apply(self, ctx: Context) -> None:
        fw = ctx.framework
        col = {c: i for i, c in enumerate(fw.indicators)}
        idx = np.array([col[c] for c in ctx.codes])
        ctx.X = self.normalise_array(
            ctx.X, ctx.codes, fw.direction[idx], ctx.units, fw.targets[idx]
        )
        ctx.record(self.stage)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and np.isfinite(value)


def _check_spec(spec: Mapping[str, Any], where: str) -> None:
    method = spec["method"]
    if method not in NORMALISE_METHODS:
        fail(f"{where} -> method", f"must be one of {list(NORMALISE_METHODS)} (got {method!r})")
    for key in ("lower", "upper", "mean", "sd", "factor"):
        if not _number(spec[key]):
            fail(f"{where} -> {key}", f"must be a finite number (got {spec[key]!r})")
    if method in ("minmax", "scaled") and not spec["lower"] < spec["upper"]:
        fail(f"{where} -> lower", f"must be below upper (got {spec['lower']} >= {spec['upper']})")
    if method == "zscore" and not spec["sd"] > 0:
        fail(f"{where} -> sd", f"must be > 0 (got {spec['sd']})")
    if method == "dist2ref" and not spec["reference"]:
        fail(f"{where} -> reference", "dist2ref needs the uCode of the reference unit")
    if method == "goalposts":
        gp = spec["goalposts"]
        if not (isinstance(gp, list | tuple) and len(gp) == 3 and all(_number(v) for v in gp)):
            fail(f"{where} -> goalposts", f"must be [lower, upper, scale] numbers (got {gp!r})")
        if not gp[0] < gp[1]:
            fail(f"{where} -> goalposts", f"lower must be below upper (got {gp[0]} >= {gp[1]})")
    for key in ("cap", "truncate"):
        if not isinstance(spec[key], bool):
            fail(f"{where} -> {key}", f"must be true or false (got {spec[key]!r})")
    if spec["target"] is not None and not _number(spec["target"]):
        fail(f"{where} -> target", f"must be a number or null (got {spec['target']!r})")
