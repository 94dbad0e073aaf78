"""Number and unit parsing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aicity.io.numbers import Unit, conversion_factors, parse_numbers, parse_unit


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234", 1234.0),
        ("3.5", 3.5),
        ("12%", 12.0),
        ("3.5亿元", 3.5e8),
        ("2.4万", 24000.0),
        ("-5", -5.0),
        ("１２３", 123.0),
        (" 7 ", 7.0),
        ("1,234,567.5", 1234567.5),
        ("5.39万亿", 5.39e12),
    ],
)
def test_parse_numbers(text: str, value: float) -> None:
    parsed = parse_numbers(pd.Series([text]))
    assert parsed.value[0] == pytest.approx(value)
    assert not parsed.bad[0]


@pytest.mark.parametrize("text", ["abc", "1,23", "12 apples", "1.2.3", "--5"])
def test_bad_numbers_are_flagged(text: str) -> None:
    parsed = parse_numbers(pd.Series([text]))
    assert parsed.bad[0] and np.isnan(parsed.value[0])


def test_missing_is_not_bad() -> None:
    parsed = parse_numbers(pd.Series(["", None], dtype="string"))
    assert not parsed.bad.any() and np.isnan(parsed.value).all()


@given(st.integers(min_value=0, max_value=10**12))
def test_thousands_separators_round_trip(n: int) -> None:
    assert parse_numbers(pd.Series([f"{n:,}"])).value[0] == n


def test_parse_unit() -> None:
    assert parse_unit("亿元 (AI core industry)") == Unit(1e8, "元")
    assert parse_unit("万人 (year-end)") == Unit(1e4, "人")
    assert parse_unit("% of GDP") == Unit(1.0, "%")
    assert parse_unit("models (count)") is None


def test_conversion_to_canonical_units() -> None:
    parsed = parse_numbers(pd.Series(["5", "5", "5", "3.5亿元", "12%", "7"]))
    factors, reasons = conversion_factors(
        pd.Series(["万元", "亿元", "models", "", "", "万人"]),
        parsed.base,
        pd.Series(["亿元"] * 6),
    )
    assert factors[:4] == pytest.approx([1e-4, 1.0, 1.0, 1e-8])
    assert (parsed.value * factors)[3] == pytest.approx(3.5)
    assert "does not match" in reasons[4] and "'%'" in reasons[4]
    assert "'万人'" in reasons[5]
    assert reasons[:4].isna().all()
