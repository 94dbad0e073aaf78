"""Validation of each target table: text cells in, typed accepted rows plus rejected rows out.

Everything is column-at-a-time (pandas/pyarrow string ops, numpy); distinct values such as city names,
units and park names are worked out once and mapped back. No SQL here: the store writes the result.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from aicity.errors import InputError
from aicity.io._arrow import fixed_width_hashes, to_arrow
from aicity.io.checks import Context, _present, _Problems, _text
from aicity.io.firms import validate_enterprises
from aicity.io.headers import duplicate_of, map_headers
from aicity.io.observations import (
    melt_wide,
    melt_years,
    validate_indicators,
    validate_observations,
)
from aicity.io.places import validate_cities, validate_parks
from aicity.io.projects import validate_projects
from aicity.io.read import RawTable

REQUIRED: dict[str, list[tuple[str, ...]]] = {
    "cities": [("code", "name_zh")],
    "parks": [("name_zh",), ("city", "park_id")],
    "enterprises": [("name",), ("city",)],
    "observations": [("indicator",), ("value",), ("city", "park")],
    "indicators": [("code",), ("name_zh",), ("name_en",)],
    "projects": [("name",), ("city",), ("kind",)],
}


@dataclass
class Validated:
    table: str
    candidates: pd.DataFrame  # every row: canonical columns plus 'row' (file row number)
    keep: np.ndarray  # True for accepted rows of ``candidates``
    rejected: pd.DataFrame  # row, column, value, reason
    n_rows: int
    unknown_columns: list[str]
    cities_used: list[str] = field(default_factory=list)
    n_rejected: int = 0  # rows (facts, for wide files) with at least one problem

    @cached_property
    def rows(self) -> pd.DataFrame:
        """The accepted rows. Built on first use: a big file's writer filters in the store instead,
        sparing a copy of every column."""
        return self.candidates[self.keep].reset_index(drop=True)

    @property
    def n_accepted(self) -> int:
        return int(self.keep.sum())


# ------------------------------------------------------------------------------------------------
def validate(raw: RawTable, table: str, ctx: Context) -> Validated:
    """Map headers, check required columns (file-level), then validate rows (row-level)."""
    mapping, header_units, unknown = map_headers(
        list(raw.columns), table, raw.file, duplicates=True
    )
    mapped = set(mapping.values())
    if table in STREAMED:  # row checks block by block, in parallel, as the file is parsed
        return join_blocks(list(validate_stream(raw, table, ctx)))
    validator = VALIDATORS[table]
    frame = raw.frame.rename(columns=mapping)[list(mapping.values())]
    rows = raw.frame.index.to_numpy(dtype=np.int64) + raw.first_row
    source_columns: dict[str, np.ndarray] = {}
    if table == "observations" and not {"indicator", "value"} & mapped:
        frame, rows, header_units, unknown = melt_wide(raw, frame, rows, unknown, ctx)
    elif table == "observations" and "indicator" in mapped and not {"value", "year"} & mapped:
        frame, rows, unknown = melt_years(raw, frame, rows, unknown)
    if "_column" in frame:  # wide files: name the file column a fact came from in rejections
        origin = frame.pop("_column").to_numpy(dtype=object)
        derived = ["value"] + [c for c in ("indicator", "year", "unit") if c not in mapped]
        if "indicator" in mapped:  # year columns: the unit still comes from the unit column
            derived = [c for c in derived if c != "unit"]
        source_columns = {c: origin for c in derived}
    _require_columns(table, set(frame.columns), raw.file)
    problems = _Problems(rows, source_columns)
    frame = _merge_duplicates(frame.reset_index(drop=True), mapping, ctx, problems)
    out = validator(frame, header_units, ctx, problems)
    return _validated(table, out, rows, problems, unknown)


def _validated(
    table: str, out: pd.DataFrame, rows: np.ndarray, problems: _Problems, unknown: list[str]
) -> Validated:
    out.insert(0, "row", rows)
    keep = ~problems.bad
    cities_used: list[str] = []
    for col in ("city_code", "code"):
        if col in out and table != "indicators":
            cities_used = sorted(str(c) for c in pd.unique(out[col][keep].dropna()))
            break
    if table == "observations":
        on_city = out["unit_key"][keep & (out["unit_type"] == "city").to_numpy(dtype=bool)]
        cities_used = sorted(str(c) for c in on_city.dropna().unique())
    return Validated(
        table, out, keep, problems.frame(), len(rows), unknown, cities_used, int((~keep).sum())
    )


def _require_columns(table: str, columns: set[str], file: str) -> None:
    for group in REQUIRED[table]:
        if not any(c in columns for c in group):
            wanted = " or ".join(repr(c) for c in group)
            raise InputError(
                f"missing required column {wanted} for table {table}",
                file=file,
                fix="see docs/ingest.md for accepted Chinese and English headers",
            )


# rows per block for the parallel row checks; a CSV's Arrow batches (one per 16 MB) are used as blocks
BLOCK_ROWS = 65_536


def _row_blocks(frame: pd.DataFrame) -> list[slice]:
    """Row ranges to check in parallel: a CSV's Arrow batches (zero-copy column views), grouped to at
    least BLOCK_ROWS rows; other frames in BLOCK_ROWS * 4 slices. One block for small frames."""
    n = len(frame)
    if n < 2 * BLOCK_ROWS or frame.shape[1] == 0:
        return [slice(0, n)]
    first = frame.iloc[:, 0].array
    lengths = (
        [len(c) for c in first._pa_array.chunks]
        if isinstance(first, pd.arrays.ArrowStringArray)
        else [BLOCK_ROWS * 4] * -(-n // (BLOCK_ROWS * 4))
    )
    blocks, start, end = [], 0, 0
    for length in lengths:
        end = min(n, end + length)
        if end - start >= BLOCK_ROWS:
            blocks.append(slice(start, end))
            start = end
    if start < n:  # a short tail joins the last block
        blocks[-1:] = [slice(blocks[-1].start if blocks else 0, n)]
    return blocks


def validate_stream(raw: RawTable, table: str, ctx: Context) -> Iterator[Validated]:
    """Validate a file block by block, in row order, for tables whose only whole-file check is a
    repeated key (``STREAMED``): a reader thread hands each parsed block to a thread pool for the
    row checks (Arrow and numpy release the GIL), and each block is yielded, its repeats of earlier
    accepted keys rejected, as soon as it and the blocks before it are done.
    """
    mapping, units, unknown = map_headers(list(raw.columns), table, raw.file, duplicates=True)
    _require_columns(table, set(mapping.values()), raw.file)
    validator = VALIDATORS[table]
    key, shown_column, what = STREAMED[table]
    shown_column = shown_column if shown_column in mapping.values() else "name"
    names = list(mapping.values())
    guard = _KeyGuard(what)
    workers = os.cpu_count() or 1
    # blocks handed to the pool and not yet taken: bounded, so a slow check holds back the parser
    # instead of parsed blocks piling up in memory
    pending: queue.Queue[Future[tuple[pd.DataFrame, _Problems]] | BaseException | None]
    pending = queue.Queue(maxsize=workers + 2)
    stop = threading.Event()

    def offer(item: Future[tuple[pd.DataFrame, _Problems]] | BaseException | None) -> bool:
        while not stop.is_set():  # the consumer may stop early (an error, a closed stream)
            try:
                pending.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read_blocks(pool: ThreadPoolExecutor) -> None:
        try:
            for block in raw.blocks(keep=False):  # the checked rows hold what is needed
                frame = block.rename(columns=mapping)[names]
                for part in _row_blocks(frame):
                    rows = frame.index[part].to_numpy(dtype=np.int64) + raw.first_row
                    future = pool.submit(
                        _check_rows, validator, frame.iloc[part], units, ctx, rows, mapping
                    )
                    if not offer(future):
                        return
        except BaseException as exc:  # a file-level problem met in a later block
            offer(exc)
        finally:
            offer(None)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="aicity-validate") as pool:
        reader = threading.Thread(target=read_blocks, args=(pool,), name="aicity-read", daemon=True)
        reader.start()
        try:
            while (item := pending.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                out, problems = item.result()
                shown = out.pop("_key_shown")
                guard.check(out[key], problems, shown_column, shown)
                yield _validated(table, out, problems.rows, problems, unknown)
        finally:
            stop.set()
            reader.join()


def _check_rows(
    validator: Callable[..., pd.DataFrame],
    frame: pd.DataFrame,
    units: dict[str, str],
    ctx: Context,
    rows: np.ndarray,
    mapping: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, _Problems]:
    problems = _Problems(rows)
    frame = _merge_duplicates(frame, mapping, ctx, problems)
    return validator(frame, units, ctx, problems), problems


def _merge_duplicates(
    frame: pd.DataFrame, mapping: dict[str, str] | None, ctx: Context, problems: _Problems
) -> pd.DataFrame:
    """Two file columns meaning one field (a synthetic registry writes both city_code and city): where
    they agree, or one is empty, keep one value; where they disagree, reject the row with the reason.
    Cities agree when they resolve to the same code (110000 and 北京 do)."""
    extra = [c for c in frame.columns if duplicate_of(str(c))]
    if not extra:
        return frame
    frame = frame.copy()
    first_column = {v: k for k, v in (mapping or {}).items() if not duplicate_of(v)}
    for name in extra:
        canonical, column = duplicate_of(str(name))  # type: ignore[misc]
        a, b = _text(frame, canonical), _text(frame, name)
        if canonical == "city":
            ka, _ = ctx.resolver.resolve(a)
            kb, _ = ctx.resolver.resolve(b)
            ka, kb = ka.fillna(a), kb.fillna(b)  # unresolved: compare the text itself
        else:
            ka, kb = a, b
        both = _present(a) & _present(b)
        differ = both & (ka.astype("string") != kb.astype("string")).fillna(True).to_numpy(bool)
        first = first_column.get(canonical, canonical)
        reason = (
            f"columns {first!r} and {column!r} both mean {canonical!r} and disagree: "
            + a.astype("string").fillna("")
            + " vs "
            + b.astype("string").fillna("")
        )
        problems.add(differ, canonical, b, reason)
        if canonical in frame:
            frame[canonical] = frame[canonical].where(_present(a), frame[name])
        else:
            frame[canonical] = frame[name]
        frame = frame.drop(columns=[name])
    return frame


def join_blocks(blocks: list[Validated]) -> Validated:
    """Consecutive blocks of one file as one result."""
    if len(blocks) == 1:
        return blocks[0]
    first = blocks[0]
    return Validated(
        first.table,
        pd.concat([b.candidates for b in blocks]),
        np.concatenate([b.keep for b in blocks]),
        pd.concat([b.rejected for b in blocks], ignore_index=True),
        sum(b.n_rows for b in blocks),
        first.unknown_columns,
        sorted(set().union(*(b.cities_used for b in blocks))),
        sum(b.n_rejected for b in blocks),
    )


class _KeyGuard:
    """The keys accepted so far in a file, to reject a block's repeats of earlier rows and its own.

    Fast path: keys of one byte width (credit codes) are hashed to 64 bits from a byte matrix; no
    shared hash proves no repeat. Any shared hash (a repeat or a collision) or a key of another
    shape switches, from that block on, to an exact check against every earlier accepted key, so a
    collision can never hide a repeat or invent one.
    """

    def __init__(self, what: str) -> None:
        self.what = what
        self.hashes: list[np.ndarray] = []
        self.width: int | None = None
        self.exact = False
        self.keys: list[pd.Series] = []  # accepted keys and their rows, block by block
        self.rows: list[np.ndarray] = []

    def check(self, keys: pd.Series, problems: _Problems, column: str, shown: pd.Series) -> None:
        valid = ~problems.bad
        if not self.exact:
            width, hashed = fixed_width_hashes(to_arrow(keys), valid)
            ordered = np.sort(hashed)
            if width is not None and self.width in (None, width) and self._new(ordered):
                self.width = width
                self._add(ordered)
                self._remember(keys, problems.rows, valid)
                return
            self.exact = True
        earlier = pd.concat(self.keys) if self.keys else pd.Series(dtype="string")
        earlier_rows = np.concatenate(self.rows) if self.rows else np.zeros(0, dtype=np.int64)
        combined = pd.concat([earlier, keys[valid]], ignore_index=True)
        rows = pd.Series(np.concatenate([earlier_rows, problems.rows[valid]]))
        repeated = combined.duplicated(keep="first").to_numpy()[len(earlier) :]
        if repeated.any():
            first_row = rows.groupby(combined, dropna=False).transform("first")
            dup = np.zeros(len(keys), dtype=bool)
            dup[np.flatnonzero(valid)[repeated]] = True
            reasons = pd.Series(pd.NA, index=keys.index, dtype="string")
            seen = first_row.to_numpy()[len(earlier) :][repeated]
            reasons[dup] = [f"duplicate {self.what} (first seen in row {r})" for r in seen]
            problems.add(dup, column, shown, reasons)
        self._remember(keys, problems.rows, ~problems.bad)

    def _new(self, ordered: np.ndarray) -> bool:
        """Whether the sorted hashes repeat neither each other nor an earlier block's."""
        if (ordered[1:] == ordered[:-1]).any():
            return False
        for earlier in self.hashes:
            at = np.minimum(np.searchsorted(earlier, ordered), len(earlier) - 1)
            if (earlier[at] == ordered).any():
                return False
        return True

    def _add(self, ordered: np.ndarray) -> None:
        """Earlier hashes kept as a few sorted runs of doubling size (merged as they fill), so each
        block is looked up in about log2(blocks) runs: a 10M-row file has 77 blocks."""
        if len(ordered):  # (an empty run would have no last hash to compare with)
            self.hashes.append(ordered)
        while len(self.hashes) > 1 and len(self.hashes[-2]) <= len(self.hashes[-1]):
            last, before = self.hashes.pop(), self.hashes.pop()
            self.hashes.append(np.sort(np.concatenate([before, last]), kind="stable"))

    def _remember(self, keys: pd.Series, rows: np.ndarray, accepted: np.ndarray) -> None:
        self.keys.append(keys[accepted])
        self.rows.append(rows[accepted])


# tables validated block by block: (key column, column a repeat's rejection names, what a key is)
STREAMED: dict[str, tuple[str, str, str]] = {
    "enterprises": ("enterprise_id", "enterprise_id", "enterprise")
}


VALIDATORS: dict[
    str, Callable[[pd.DataFrame, dict[str, str], Context, _Problems], pd.DataFrame]
] = {
    "cities": validate_cities,
    "parks": validate_parks,
    "enterprises": validate_enterprises,
    "observations": validate_observations,
    "indicators": validate_indicators,
    "projects": validate_projects,
}
