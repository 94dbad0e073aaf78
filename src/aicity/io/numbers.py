"""Numbers and units: ``1,234`` / ``3.5`` / ``12%`` / ``3.5亿元`` / ``2.4万`` and magnitude units
(元/万元/亿元, 人/万人, ...) converted into an indicator's canonical unit.

Rules (docs/ingest.md): a magnitude in the value cell multiplies the number; a unit in the value cell
(``3.5亿元``) wins over the unit column; a unit column (or a header such as ``value (万元)``) that starts
with a magnitude unit is converted to the indicator's canonical unit when both share a base (元, 人, 件, ...).
A unit with no magnitude (``models (count)``, ``% of GDP``) is a scope: the value is kept as given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aicity.io._arrow import plain_floats

MAGNITUDES = {
    "": 1.0,
    "十": 1e1,
    "百": 1e2,
    "千": 1e3,
    "万": 1e4,
    "十万": 1e5,
    "百万": 1e6,
    "千万": 1e7,
    "亿": 1e8,
    "万亿": 1e12,
}
BASES = ("元", "人", "件", "家", "个", "项", "户", "所", "台", "次", "%")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋％", "0123456789.,-+%")
_VALUE = re.compile(
    r"^\s*(?P<num>[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+)\s*"
    r"(?P<mag>万亿|十万|百万|千万|十|百|千|万|亿)?\s*(?P<base>元|人|件|家|个|项|户|所|台|次|%)?\s*$"
)
_UNIT = re.compile(
    r"^\s*(?P<mag>万亿|十万|百万|千万|十|百|千|万|亿)?(?P<base>元|人|件|家|个|项|户|所|台|次|%)"
)


@dataclass(frozen=True)
class Unit:
    multiplier: float
    base: str


def parse_unit(text: object) -> Unit | None:
    """The magnitude unit a unit text starts with (``亿元 (AI core)`` -> 1e8 元), or None for a scope."""
    if not isinstance(text, str):
        return None
    match = _UNIT.match(text.translate(_FULLWIDTH))
    if not match:
        return None
    return Unit(MAGNITUDES[match.group("mag") or ""], match.group("base"))


@dataclass
class ParsedNumbers:
    value: np.ndarray  # float64, NaN where missing or bad
    multiplier: np.ndarray  # float64, magnitude found in the cell (1 if none)
    base: pd.Series  # unit base written in the cell ('元', '%', ...) or NA
    bad: np.ndarray  # bool: present but not a number


def parse_numbers(values: pd.Series) -> ParsedNumbers:
    """Parse a column of number texts. Plain numbers take a vectorised fast path."""
    text = values.astype("string")
    present = (text.notna() & (text.str.strip() != "")).to_numpy(dtype=bool)
    fast = plain_floats(text)
    n = len(text)
    multiplier = np.ones(n)
    base = pd.Series(pd.NA, index=values.index, dtype="string")
    slow = present & np.isnan(fast)
    if slow.any():
        sub = text[slow].str.translate(_FULLWIDTH)
        parts = sub.str.extract(_VALUE)
        nums = pd.to_numeric(parts["num"].str.replace(",", "", regex=False), errors="coerce")
        fast[slow] = nums.to_numpy(dtype="float64", na_value=np.nan)
        multiplier[slow] = parts["mag"].map(MAGNITUDES).fillna(1.0).to_numpy(dtype="float64")
        base[slow] = parts["base"].to_numpy()
    bad = present & ~np.isfinite(fast)
    fast[bad] = np.nan
    return ParsedNumbers(fast * multiplier, multiplier, base, bad)


def conversion_factors(
    given_units: pd.Series, cell_base: pd.Series, canonical: pd.Series
) -> tuple[np.ndarray, pd.Series]:
    """Factor turning each parsed value into its indicator's canonical unit, and a reason where impossible.

    ``given_units`` is the unit column (scope as given), ``cell_base`` the unit written in the value cell
    (its magnitude is already applied by ``parse_numbers``), ``canonical`` the indicator's unit per row.
    Distinct unit combinations are few, so each is worked out once and mapped back.
    """
    frame = pd.DataFrame(
        {
            "given": given_units.astype("string").fillna("").to_numpy(),
            "cell": cell_base.astype("string").fillna("").to_numpy(),
            "canon": canonical.astype("string").fillna("").to_numpy(),
        }
    )
    codes, uniques = pd.factorize(
        frame["given"] + "\x1f" + frame["cell"] + "\x1f" + frame["canon"], sort=False
    )
    answers = [_factor(*key.split("\x1f")) for key in uniques]
    factors = np.array([a[0] for a in answers], dtype="float64")[codes]
    reason_table = np.array([a[1] for a in answers], dtype=object)
    reasons = pd.Series(reason_table[codes], index=given_units.index, dtype="string")
    return factors, reasons


def _factor(given: str, cell: str, canonical: str) -> tuple[float, str | None]:
    target = parse_unit(canonical)
    # a unit written in the cell (3.5亿元) is already in base units; otherwise read the unit column
    source = Unit(1.0, cell) if cell else parse_unit(given)
    if source is None or target is None:
        return 1.0, None
    if source.base != target.base:
        return np.nan, f"unit {cell or given!r} does not match the indicator's unit {canonical!r}"
    return source.multiplier / target.multiplier, None
