"""Arrow helpers: the fast paths must give exactly what the full Arrow passes give."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from aicity.io._arrow import clean_text, coalesce, may_need_trimming

# every code point Arrow's utf8_trim_whitespace removes, plus neighbours that must not fool the check
SPACES = [chr(c) for c in (*range(0x09, 0x0E), *range(0x1C, 0x21), 0x85, 0xA0, 0x1680)]
SPACES += [chr(c) for c in (*range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000)]


def _slow_clean(values: list[str | None]) -> list[str | None]:
    arr = pc.utf8_trim_whitespace(pa.array(values, type=pa.large_string()))
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, type=arr.type), arr).to_pylist()


def test_arrow_trims_exactly_the_listed_spaces() -> None:
    chars = [chr(c) for c in range(0x3001) if not 0xD800 <= c < 0xE000]
    trimmed = pc.utf8_trim_whitespace(pa.array(chars)).to_pylist()
    assert [c for c, t in zip(chars, trimmed, strict=True) if t == ""] == SPACES


def test_every_leading_or_trailing_space_is_noticed() -> None:
    for space in SPACES:
        for cell in (space + "x", "x" + space, space + "中", "中" + space, space):
            assert may_need_trimming(pa.array(["北京", cell])), repr(cell)


def test_clean_cells_skip_the_passes() -> None:
    assert not may_need_trimming(pa.array(["北京", "合成企业0000123", "软件开发；", None]))
    assert may_need_trimming(pa.array(["北京", ""]))  # an empty cell becomes missing
    assert not may_need_trimming(pa.array([None, None], type=pa.string()))


def test_sliced_arrays_use_their_own_offsets() -> None:
    arr = pa.array([" padded ", "北京", "上海"]).slice(1)
    assert not may_need_trimming(arr)
    assert may_need_trimming(pa.array(["北京", "上海", " x"]).slice(1))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(alphabet=st.sampled_from([*SPACES[:6], " ", "a", "中", "\u3000", "；", "é"])),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_clean_text_matches_the_full_passes(values: list[str | None]) -> None:
    got = clean_text(pd.Series(values, dtype="string")).astype(object).where(lambda s: s.notna())
    assert [None if pd.isna(v) else v for v in got] == _slow_clean(values)


def test_coalesce_fast_paths_match_arrow() -> None:
    full = pd.Series(["a", "b"], dtype="string")
    empty = pd.Series([None, None], dtype="string")
    mixed = pd.Series([None, "y"], dtype="string")
    assert coalesce(clean_text(full), mixed).tolist() == ["a", "b"]
    assert coalesce(empty, mixed).isna().tolist() == [True, False]
    assert coalesce(empty, mixed).iloc[1] == "y"
    assert coalesce(mixed, "z").tolist() == ["z", "y"]
    assert coalesce(mixed, full).tolist() == ["a", "y"]


def test_fixed_width_keys_proven_distinct_or_deferred() -> None:
    import numpy as np

    from aicity.io._arrow import fixed_width_all_distinct

    codes = pa.array(["91110000600001760P", "91330100MA27XL0E2W", "91440300708461136T"])
    everyone = np.ones(3, dtype=bool)
    assert fixed_width_all_distinct(codes, everyone)
    repeated = pa.array(["91110000600001760P", "91330100MA27XL0E2W", "91110000600001760P"])
    assert not fixed_width_all_distinct(repeated, everyone)
    assert fixed_width_all_distinct(repeated, np.array([True, True, False]))  # repeat set aside
    assert not fixed_width_all_distinct(pa.array(["ab", "abc"]), np.ones(2, dtype=bool))
    assert not fixed_width_all_distinct(pa.array(["ab", None]), np.ones(2, dtype=bool))
    sliced = pa.array(["zz", "ab", "cd", "ab"]).slice(1, 2)
    assert fixed_width_all_distinct(sliced, np.ones(2, dtype=bool))
    many = pa.array([f"{i:018d}" for i in range(5000)] + ["000000000000004999"])
    assert not fixed_width_all_distinct(many, np.ones(5001, dtype=bool))
