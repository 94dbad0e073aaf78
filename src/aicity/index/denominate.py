"""Denominate: divide indicators by a size measure (GDP, population, area...) named in the framework."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from aicity.index.base import Context, Step, fail


def denominate(
    data: pd.DataFrame, denominators: pd.DataFrame, by: Mapping[str, str], scale: float = 1.0
) -> pd.DataFrame:
    """Function twin: ``data[c] / denominators[by[c]] * scale`` for every indicator named in ``by``.

    Division by zero or by a missing denominator gives NaN (COINr gives Inf/NaN); other columns pass through.
    """
    out = data.astype(float).copy()
    for code, den in by.items():
        with np.errstate(divide="ignore", invalid="ignore"):
            values = out[code].to_numpy() / denominators[den].reindex(out.index).to_numpy(
                dtype=float
            )
        out[code] = np.where(np.isfinite(values), values * scale, np.nan)
    return out


class Denominate(Step):
    """Divide each indicator by its denominator column.

    ``denominators``: mapping indicator -> denominator column; None reads the framework (iMeta
    ``Denominator`` column). ``scale`` multiplies the ratio (e.g. 1e4 for "per 10,000 people").
    """

    name = "denominate"
    stage = "denominated"

    def __init__(self, *, denominators: dict[str, str] | None = None, scale: float = 1.0) -> None:
        self.denominators = denominators
        self.scale = scale

    def check(self, path: str = "") -> None:
        if self.denominators is not None and not isinstance(self.denominators, Mapping):
            fail(
                f"{path}denominate -> denominators",
                "must be a mapping indicator -> denominator column "
                f"(got {type(self.denominators).__name__})",
            )
        if not isinstance(self.scale, int | float) or self.scale <= 0:
            fail(f"{path}denominate -> scale", f"must be a number > 0 (got {self.scale!r})")

    def apply(self, ctx: Context) -> None:
        by = (
            dict(self.denominators) if self.denominators is not None else ctx.framework.denominators
        )
        available = ctx.framework.unit_columns
        unknown = sorted({d for d in by.values() if d not in available})
        if unknown:
            fail(
                "denominate -> denominators",
                f"denominator columns not in the unit table: {unknown}",
            )
        bad_codes = sorted(c for c in by if c not in ctx.codes)
        if bad_codes:
            fail("denominate -> denominators", f"not indicators of the framework: {bad_codes}")
        X = ctx.X.copy()
        if by:
            col = {c: j for j, c in enumerate(ctx.codes)}
            dens_cache: dict[str, np.ndarray] = {}
            for den in by.values():
                if den not in dens_cache:
                    column = ctx.unit_column(den)
                    try:
                        dens_cache[den] = np.asarray(column, dtype=float)
                    except (TypeError, ValueError):
                        dens_cache[den] = pd.to_numeric(
                            pd.Series(column), errors="coerce"
                        ).to_numpy(float)
            # every denominated column at once: (units, indicators named in `by`)
            cols = np.array([col[code] for code in by])
            D = np.column_stack([dens_cache[den] for den in by.values()])
            with np.errstate(divide="ignore", invalid="ignore"):
                values = X[:, cols] / D
            finite = np.isfinite(values)
            bad = ~finite & ~np.isnan(X[:, cols])
            for i in np.flatnonzero(bad.any(axis=0)):
                ctx.flags.add(
                    self.stage,
                    "denominator_missing_or_zero",
                    ctx.units[bad[:, i]],
                    np.full(bad[:, i].sum(), ctx.codes[cols[i]], dtype=object),
                )
            X[:, cols] = np.where(finite, values * self.scale, np.nan)
        self.denominators_ = by
        ctx.X = X
        ctx.record(self.stage)
