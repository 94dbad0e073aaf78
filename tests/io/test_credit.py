"""GB 32100 unified social credit codes."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from aicity.io.credit import ALPHABET, check_char, credit_code_problems, is_valid


def test_known_valid_code() -> None:
    assert is_valid("91350100M000100Y43")
    assert check_char("91350100M000100Y4") == "3"


def test_problems_name_the_reason() -> None:
    reasons = credit_code_problems(
        pd.Series(
            ["91350100M000100Y43", "91350100M000100Y44", None, "", "abc", "91350100M00010OY43"]
        )
    ).tolist()
    assert pd.isna(reasons[0]) and pd.isna(reasons[2]) and pd.isna(reasons[3])
    assert "check digit" in reasons[1]
    assert "18 characters" in reasons[4]
    assert "alphabet" in reasons[5]


def test_lower_case_and_multibyte_inputs() -> None:
    reasons = credit_code_problems(
        pd.Series(["91350100m000100y43", "９1350100M000100Y43"])
    ).tolist()
    assert pd.isna(reasons[0])
    assert "18 characters" in reasons[1]


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17), st.sampled_from(ALPHABET))
def test_check_digit_accepts_exactly_one_character(body: str, last: str) -> None:
    valid = check_char(body) == last
    assert is_valid(body + last) == valid


def test_eighteen_bytes_of_fewer_characters_have_the_wrong_length() -> None:
    # 6 Chinese characters are 18 UTF-8 bytes: the byte matrix must not mistake them for a code
    reasons = credit_code_problems(
        pd.Series(["甲乙丙丁戊己", " 91350100M000100Y43 ", "91350100M000100Y43", "x"])
    ).tolist()
    assert "18 characters" in reasons[0] and "18 characters" in reasons[3]
    assert pd.isna(reasons[1]) and pd.isna(reasons[2])
