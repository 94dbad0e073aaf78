"""Small Arrow helpers that keep million-row columns out of Python loops."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_PLAIN_NUMBER = r"^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$"


def to_arrow(values: pd.Series) -> pa.Array:
    """A pandas text column as one Arrow string array (zero-copy for Arrow-backed columns)."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        arr = pa.array(values.array)  # already Arrow: no conversion
    else:
        arr = pa.array(values.astype("string"), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr


def take_strings(table: Sequence[str | None], indices: np.ndarray, index: pd.Index) -> pd.Series:
    """``table[indices]`` as a pandas string Series, built in Arrow (no per-row Python objects)."""
    dictionary = pa.array(list(table), type=pa.large_string())
    taken = pc.take(dictionary, pa.array(np.asarray(indices, dtype=np.int64)))
    return pd.Series(pd.arrays.ArrowStringArray(taken), index=index)


def plain_floats(values: pd.Series) -> np.ndarray:
    """Cells that are plain decimal numbers as float64; everything else (and missing) NaN."""
    arr = to_arrow(values)
    try:  # the usual case, a clean numeric column: Arrow's own parser, no regex
        cleaned = pc.if_else(pc.equal(arr, ""), pa.scalar(None, type=arr.type), arr)
        return np.array(
            pc.cast(cleaned, pa.float64()).to_numpy(zero_copy_only=False), dtype="float64"
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    ok = pc.fill_null(pc.match_substring_regex(arr, _PLAIN_NUMBER), False)
    kept = pc.utf8_trim_whitespace(pc.if_else(ok, arr, pa.scalar(None, type=arr.type)))
    return np.array(pc.cast(kept, pa.float64()).to_numpy(zero_copy_only=False), dtype="float64")


def clean_text(values: pd.Series) -> pd.Series:
    """Trim whitespace; empty cells become missing. Done in Arrow, returned as a pandas string Series."""
    arr = pc.utf8_trim_whitespace(to_arrow(values))
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, type=arr.type), arr)
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(arr), index=values.index)


def coalesce(first: pd.Series, fallback: pd.Series | str | None) -> pd.Series:
    """``first`` where present, else ``fallback`` (a column or one text), computed in Arrow."""
    if fallback is None:
        return first
    left = to_arrow(first)
    right = (
        pa.scalar(fallback, type=left.type)
        if isinstance(fallback, str)
        else to_arrow(fallback).cast(left.type)
    )
    out = pc.coalesce(left, right)
    if out.type != pa.large_string():
        out = out.cast(pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(out), index=first.index)
