"""Unified social credit codes (统一社会信用代码, GB 32100-2015): vectorised check-digit validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28], dtype=np.int64)
_LOOKUP = np.full(256, -1, dtype=np.int64)
for _i, _c in enumerate(ALPHABET):
    _LOOKUP[ord(_c)] = _i


def check_char(body17: str) -> str:
    """The 18th character for a 17-character body."""
    values = [ALPHABET.index(c) for c in body17.upper()]
    remainder = int(np.dot(values, WEIGHTS)) % 31
    return ALPHABET[(31 - remainder) % 31]


def is_valid(code: str) -> bool:
    return bool(credit_code_problems(pd.Series([code])).isna().iloc[0])


def credit_code_problems(codes: pd.Series) -> pd.Series:
    """For each code: NA if valid (or missing), else the reason. Runs in numpy, no Python loop per row."""
    text = codes.astype("string").str.strip().str.upper()
    present = text.notna() & (text != "")
    reasons = pd.Series(pd.NA, index=codes.index, dtype="string")
    if not present.any():
        return reasons
    arr = pa.array(text[present].to_numpy(dtype=object, na_value=None), type=pa.string())
    byte_len = np.asarray(pa.compute.binary_length(arr).to_numpy(zero_copy_only=False))
    right_length = byte_len == 18
    idx_present = np.flatnonzero(present.to_numpy())
    bad_len = idx_present[~right_length]
    reasons.iloc[bad_len] = "credit code must have 18 characters (GB 32100)"
    if right_length.any():
        good = arr.filter(pa.array(right_length))
        buf = np.frombuffer(good.buffers()[2], dtype=np.uint8)
        offsets = np.frombuffer(good.buffers()[1], dtype=np.int32)[: len(good) + 1]
        start = int(offsets[0])
        matrix = buf[start : start + 18 * len(good)].reshape(len(good), 18)
        values = _LOOKUP[matrix]
        bad_char = (values < 0).any(axis=1)
        expected = (31 - (values[:, :17] @ WEIGHTS) % 31) % 31
        bad_check = ~bad_char & (expected != values[:, 17])
        idx_len = idx_present[right_length]
        reasons.iloc[idx_len[bad_char]] = (
            "credit code contains a character outside GB 32100's alphabet (no I, O, S, V, Z)"
        )
        reasons.iloc[idx_len[bad_check]] = "credit code check digit is wrong (GB 32100)"
    return reasons
