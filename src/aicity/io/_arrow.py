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
    if isinstance(arr, pa.ChunkedArray):  # one chunk (a block of a big file) is used as it is
        arr = arr.chunk(0) if arr.num_chunks == 1 else arr.combine_chunks()
    return arr


def missing_text(index: pd.Index) -> pd.Series:
    """An all-missing text column (an Arrow null buffer: no per-row work)."""
    return pd.Series(
        pd.arrays.ArrowStringArray(pa.nulls(len(index), pa.large_string())), index=index
    )


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
    except pa.ArrowException:  # Arrow's parser refused a cell (or the type): take the regex path
        pass
    ok = pc.fill_null(pc.match_substring_regex(arr, _PLAIN_NUMBER), False)
    kept = pc.utf8_trim_whitespace(pc.if_else(ok, arr, pa.scalar(None, type=arr.type)))
    return np.array(pc.cast(kept, pa.float64()).to_numpy(zero_copy_only=False), dtype="float64")


# first bytes of the UTF-8 encodings of Unicode white space above ASCII (U+0085, U+00A0, U+1680,
# U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000), and the byte before the last one
_SPACE_LEADS = np.array([0xC2, 0xE1, 0xE2, 0xE3], dtype=np.uint8)
_SPACE_PENULTIMATES = np.array([0x80, 0x81, 0x9A, 0xC2], dtype=np.uint8)


def may_need_trimming(arr: pa.Array) -> bool:
    """False only when no cell is empty and none starts or ends with white space (or a control byte).

    Looks at each cell's first and last two bytes through the offsets (numpy, no string copies), so a
    clean million-row column skips the trim/compare/replace passes. Conservative: a cell that merely
    might end in a multi-byte space (its penultimate byte is one such a space can have) says True.
    """
    if arr.null_count == len(arr):
        return False
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return True
    _, offsets_buffer, data_buffer = arr.buffers()
    offset_type = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    offsets = np.frombuffer(offsets_buffer, dtype=offset_type)[
        arr.offset : arr.offset + len(arr) + 1
    ]
    starts, ends = offsets[:-1], offsets[1:]
    if arr.null_count:  # (a column without missing cells skips the mask and its copies)
        present = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        if (present & (ends == starts)).any():
            return True
        starts, ends = starts[present], ends[present]
    elif (ends == starts).any():
        return True
    if data_buffer is None:
        return True
    data = np.frombuffer(data_buffer, dtype=np.uint8)
    first, last = data[starts], data[ends - 1]
    if (first <= 0x20).any() or (last <= 0x20).any() or _any_of(first, _SPACE_LEADS):
        return True
    multibyte_end = ends[last >= 0x80]
    return _any_of(data[multibyte_end - 2], _SPACE_PENULTIMATES)


def _any_of(values: np.ndarray, wanted: np.ndarray) -> bool:
    """Whether any byte of ``values`` is one of the few ``wanted`` (a comparison each, no sort)."""
    return any(bool((values == byte).any()) for byte in wanted)


def clean_text(values: pd.Series) -> pd.Series:
    """Trim whitespace; empty cells become missing. Done in Arrow, returned as a pandas string Series."""
    arr = to_arrow(values)
    if may_need_trimming(arr):
        arr = pc.utf8_trim_whitespace(arr)
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, type=arr.type), arr)
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(arr), index=values.index)


def coalesce(first: pd.Series, fallback: pd.Series | str | None) -> pd.Series:
    """``first`` where present, else ``fallback`` (a column or one text), computed in Arrow."""
    if fallback is None:
        return first
    left = to_arrow(first)
    if left.null_count == 0 and left.type == pa.large_string():  # nothing to fill
        return first
    if left.null_count == len(left) and isinstance(fallback, pd.Series):  # all from the fallback
        right_only = to_arrow(fallback)
        if right_only.type != pa.large_string():
            right_only = right_only.cast(pa.large_string())
        return pd.Series(pd.arrays.ArrowStringArray(right_only), index=first.index)
    right = (
        pa.scalar(fallback, type=left.type)
        if isinstance(fallback, str)
        else to_arrow(fallback).cast(left.type)
    )
    out = pc.coalesce(left, right)
    if out.type != pa.large_string():
        out = out.cast(pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(out), index=first.index)


def to_chunked(values: pd.Series) -> pa.ChunkedArray:
    """A pandas text column as Arrow chunks, as stored (no concatenation of a big file's blocks)."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        arr = pa.array(values.array)
    else:
        arr = pa.array(values.astype("string"), from_pandas=True)
    return arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])


def fixed_width_all_distinct(arr: pa.Array | pa.ChunkedArray, keep: np.ndarray) -> bool:
    """True when the kept cells are proven distinct by a 64-bit hash of their bytes (no repeat).

    Only for the common key shape, every cell present and of one byte length (credit codes, ids),
    read chunk by chunk as (n, width) byte matrices with numpy. A repeated hash, a missing cell or
    ragged lengths give False, and the caller then checks exactly; so a hash collision can never hide
    a duplicate.
    """
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    hashes, position, width = [], 0, None
    for chunk in chunks:
        chunk_width, hashed = fixed_width_hashes(chunk, keep[position : position + len(chunk)])
        position += len(chunk)
        if chunk_width is None or (width is not None and chunk_width != width and len(chunk)):
            return False
        width = chunk_width if len(chunk) else width
        hashes.append(hashed)
    if not hashes:
        return True
    every = np.concatenate(hashes)
    every.sort()
    return not bool((every[1:] == every[:-1]).any())


def fixed_width_hashes(arr: pa.Array, keep: np.ndarray) -> tuple[int | None, np.ndarray]:
    """(byte width, 64-bit hashes of the kept cells) of one array; width None if not fixed-width."""
    empty = np.zeros(0, dtype=np.uint64)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)) or arr.null_count:
        return None, empty
    _, offsets_buffer, data_buffer = arr.buffers()
    if len(arr) == 0:
        return 0, empty
    offset_type = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    offsets = np.frombuffer(offsets_buffer, dtype=offset_type)[
        arr.offset : arr.offset + len(arr) + 1
    ]
    lengths = np.diff(offsets)
    width = int(lengths[0])
    if data_buffer is None or width == 0 or width > 64 or (lengths != width).any():
        return None, empty
    data = np.frombuffer(data_buffer, dtype=np.uint8)
    start = int(offsets[0])
    matrix = data[start : start + width * len(lengths)].reshape(len(lengths), width)[keep]
    words = -(-width // 8)
    padded = np.zeros((len(matrix), words * 8), dtype=np.uint8)
    padded[:, :width] = matrix
    lanes = padded.view(np.uint64)
    hashed = np.full(len(matrix), 0xCBF29CE484222325, dtype=np.uint64)
    for lane in range(words):  # multiply-xor mixing per 8-byte word (wrapping uint64 arithmetic)
        hashed = (hashed ^ lanes[:, lane]) * np.uint64(0x100000001B3)
        hashed ^= hashed >> np.uint64(29)
    return width, hashed


def whole_float_text(column: pa.Array) -> pd.arrays.ArrowStringArray | None:
    """pandas' text of float cells ('22.0'; missing and NaN: NA) when every other value is a whole
    number below 1e16 (Python writes those as digits and '.0'), built in Arrow; else None."""
    values = np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)
    finite = np.isfinite(values)
    whole = values[finite]
    odd = (np.abs(whole) >= 1e16) | (whole != np.floor(whole)) | ((whole == 0) & np.signbit(whole))
    if odd.any() or np.isinf(values).any():  # 0.5, 1e+16, -0.0, inf: Python's own text
        return None
    digits = pc.cast(
        pa.array(np.where(finite, values, 0).astype(np.int64), mask=~finite), pa.large_string()
    )
    suffix = pa.scalar(".0", pa.large_string())
    text = pc.binary_join_element_wise(digits, suffix, pa.scalar("", pa.large_string()))
    return pd.arrays.ArrowStringArray(pa.chunked_array([text]))
