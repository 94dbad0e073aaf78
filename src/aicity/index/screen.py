"""Screen: drop units with too little data (missing values) and/or too many zeros, with forced exceptions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from aicity.index.base import Context, Step, fail

SCREEN_BY = ("na", "zeros", "both")


def data_availability(X: np.ndarray) -> dict[str, np.ndarray]:
    """Per unit (row): missing and zero counts, availability and non-zero share (COINr ``get_data_avail``).

    The non-zero share is relative to the available values, as in COINr.
    """
    missing = np.isnan(X)
    n_missing = missing.sum(axis=1)
    n_zero = (X == 0).sum(axis=1)
    k = X.shape[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        non_zero = 1 - n_zero / (k - n_missing)
    return {
        "N_missing": n_missing,
        "N_zero": n_zero,
        "N_miss_or_zero": n_missing + n_zero,
        "Dat_Avail": 1 - n_missing / k,
        "Non_Zero": non_zero,
    }


def screen_columns(
    units: np.ndarray,
    X: np.ndarray,
    min_availability: float = 2 / 3,
    min_nonzero: float = 0.05,
    by: str = "na",
    force_include: list[str] | tuple[str, ...] = (),
    force_exclude: list[str] | tuple[str, ...] = (),
) -> dict[str, np.ndarray]:
    """COINr's screening summary as column arrays: flags and the final ``Included`` decision per unit."""
    av = data_availability(X)
    low_data = av["Dat_Avail"] < min_availability
    low_nonzero = av["Non_Zero"] < min_nonzero
    either = low_data | low_nonzero
    included = ~{"na": low_data, "zeros": low_nonzero, "both": either}[by]
    if force_include:
        included = included | np.isin(units, list(force_include))
    if force_exclude:
        included = included & ~np.isin(units, list(force_exclude))
    return dict(
        {
            "uCode": units,
            **av,
            "LowData": low_data,
            "LowNonZero": low_nonzero,
            "LowDatOrZeroFlag": either,
            "Included": included,
        }
    )


def screen_summary(units: np.ndarray, X: np.ndarray, **params: Any) -> pd.DataFrame:
    """COINr's screening summary: one row per unit with the flags and the final ``Included`` decision."""
    return pd.DataFrame(screen_columns(units, X, **params))


def screen(data: pd.DataFrame, **params: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Function twin: returns (screened data, summary). ``params`` as for :class:`Screen`."""
    summary = screen_summary(data.index.to_numpy(), data.to_numpy(dtype=float), **params)  # type: ignore[arg-type]
    return data.loc[summary["Included"].to_numpy()], summary


class Screen(Step):
    """Keep units whose data availability (``by="na"``), non-zero share (``"zeros"``) or both pass.

    A unit is dropped when availability < ``min_availability`` (and/or non-zero share < ``min_nonzero``);
    ``force_include`` / ``force_exclude`` (uCodes) override the rule. Dropped units are flagged
    ``screened_out`` and listed in ``result.screening``.
    """

    name = "screen"
    stage = "screened"

    def __init__(
        self,
        *,
        min_availability: float = 2 / 3,
        min_nonzero: float = 0.05,
        by: str = "na",
        force_include: list[str] | None = None,
        force_exclude: list[str] | None = None,
    ) -> None:
        self.min_availability = min_availability
        self.min_nonzero = min_nonzero
        self.by = by
        self.force_include = force_include
        self.force_exclude = force_exclude

    def check(self, path: str = "") -> None:
        for key in ("min_availability", "min_nonzero"):
            value = getattr(self, key)
            if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
                fail(f"{path}screen -> {key}", f"must be a number between 0 and 1 (got {value!r})")
        if self.by not in SCREEN_BY:
            fail(f"{path}screen -> by", f"must be one of {list(SCREEN_BY)} (got {self.by!r})")
        both = set(self.force_include or ()) & set(self.force_exclude or ())
        if both:
            fail(f"{path}screen -> force_include", f"units both forced in and out: {sorted(both)}")

    def apply(self, ctx: Context) -> None:
        unknown = sorted(
            set(self.force_include or ()) | set(self.force_exclude or ()) - set(ctx.units)
        )
        if unknown:
            fail("screen -> force_include/force_exclude", f"unknown uCodes {unknown}")
        summary = screen_columns(
            ctx.units,
            ctx.X,
            self.min_availability,
            self.min_nonzero,
            self.by,
            self.force_include or (),
            self.force_exclude or (),
        )
        keep = summary["Included"]
        dropped = ctx.units[~keep]
        ctx.flags.add(self.stage, "screened_out", dropped, np.full(len(dropped), "*", dtype=object))
        self.removed_ = list(dropped)
        ctx.reports["screening"] = lambda: pd.DataFrame(summary)
        ctx.units = ctx.units[keep]
        ctx.X = ctx.X[keep]
        ctx.record(self.stage)
