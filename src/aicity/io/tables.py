"""Validation of each target table: text cells in, typed accepted rows plus rejected rows out.

Everything is column-at-a-time (pandas/pyarrow string ops, numpy); distinct values such as city names,
units and park names are worked out once and mapped back. No SQL here: the store writes the result.
"""

from __future__ import annotations

import os
import queue
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from aicity.errors import InputError
from aicity.io._arrow import (
    clean_text,
    coalesce,
    fixed_width_hashes,
    to_arrow,
)
from aicity.io.checks import (
    FALSE,
    TRUE,
    Context,
    _booleans,
    _coverage_kinds,
    _duplicates,
    _match_parks,
    _present,
    _Problems,
    _resolve_city,
    _text,
    _years,
    hex_ids,
    map_unique,
    slugify,
)
from aicity.io.cities import CityResolver, is_nation
from aicity.io.credit import credit_code_problems, firm_name_key
from aicity.io.headers import duplicate_of, map_headers
from aicity.io.numbers import conversion_factors, parse_numbers
from aicity.io.read import RawTable

LAYERS = {
    "foundation": "foundation",
    "technology": "technology",
    "application": "application",
    "基础层": "foundation",
    "技术层": "technology",
    "应用层": "application",
}
KINDS = {
    "actual": "actual",
    "estimate": "estimate",
    "plan_target": "plan_target",
    "实际": "actual",
    "实际值": "actual",
    "估计": "estimate",
    "估算": "estimate",
    "估计值": "estimate",
    "plan": "plan_target",
    "target": "plan_target",
    "规划目标": "plan_target",
    "目标": "plan_target",
    "规划": "plan_target",
}
REQUIRED: dict[str, list[tuple[str, ...]]] = {
    "cities": [("code", "name_zh")],
    "parks": [("name_zh",), ("city", "park_id")],
    "enterprises": [("name",), ("city",)],
    "observations": [("indicator",), ("value",), ("city", "park")],
    "indicators": [("code",), ("name_zh",), ("name_en",)],
    "projects": [("name",), ("city",), ("kind",)],
}
VALUE_TYPES = {"number", "flag", "rank", "text"}
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


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
        frame, rows, header_units, unknown = _melt_wide(raw, frame, rows, unknown, ctx)
    elif table == "observations" and "indicator" in mapped and not {"value", "year"} & mapped:
        frame, rows, unknown = _melt_years(raw, frame, rows, unknown)
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
    pending: queue.Queue[Future[tuple[pd.DataFrame, _Problems]] | BaseException | None]
    pending = queue.Queue()
    stop = threading.Event()

    def read_blocks(pool: ThreadPoolExecutor) -> None:
        try:
            for block in raw.blocks(keep=False):  # the checked rows hold what is needed
                frame = block.rename(columns=mapping)[names]
                for part in _row_blocks(frame):
                    if stop.is_set():
                        return
                    rows = frame.index[part].to_numpy(dtype=np.int64) + raw.first_row
                    pending.put(
                        pool.submit(
                            _check_rows, validator, frame.iloc[part], units, ctx, rows, mapping
                        )
                    )
        except BaseException as exc:  # a file-level problem met in a later block
            pending.put(exc)
        finally:
            pending.put(None)

    workers = os.cpu_count() or 1
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
            if width is not None and self.width in (None, width) and self._new(hashed):
                self.width = width
                self.hashes.append(np.sort(hashed))
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

    def _new(self, hashed: np.ndarray) -> bool:
        ordered = np.sort(hashed)
        if (ordered[1:] == ordered[:-1]).any():
            return False
        return not any(
            np.isin(ordered, earlier, assume_unique=True).any() for earlier in self.hashes
        )

    def _remember(self, keys: pd.Series, rows: np.ndarray, accepted: np.ndarray) -> None:
        self.keys.append(keys[accepted])
        self.rows.append(rows[accepted])


def _melt_wide(
    raw: RawTable, frame: pd.DataFrame, rows: np.ndarray, unknown: list[str], ctx: Context
) -> tuple[pd.DataFrame, np.ndarray, dict[str, str], list[str]]:
    """A wide observations file (one column per indicator, e.g. ``GDP（亿元）``) to long rows.

    Columns named by an indicator's code, Chinese or English name (a bracketed unit is kept as the
    fact's unit) become facts; empty cells are simply absent facts. Row numbers stay the file's.
    """
    from aicity.io.headers import split_header_unit

    wide: list[tuple[str, str, str | None]] = []
    for column in unknown:
        name, unit = split_header_unit(column)
        code = _resolve_indicators(pd.Series([name], dtype="string"), ctx.indicators).iloc[0]
        if isinstance(code, str):
            wide.append((column, code, unit))
    if not wide:
        return frame, rows, {}, unknown
    parts, part_rows = [], []
    for column, code, unit in wide:
        cells = clean_text(raw.frame[column]).reset_index(drop=True)
        present = cells.notna().to_numpy()
        part = frame.reset_index(drop=True)[present].copy()
        part["indicator"] = code
        part["value"] = cells[present].to_numpy()
        part["_column"] = column
        if unit and "unit" not in part:
            part["unit"] = unit
        parts.append(part)
        part_rows.append(rows[present])
    long = pd.concat(parts, ignore_index=True)
    long_rows = np.concatenate(part_rows)
    order = np.argsort(long_rows, kind="stable")
    remaining = [c for c in unknown if c not in {w[0] for w in wide}]
    return long.iloc[order].reset_index(drop=True), long_rows[order], {}, remaining


def _melt_years(
    raw: RawTable, frame: pd.DataFrame, rows: np.ndarray, unknown: list[str]
) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Year columns (城市, 指标, 2021, 2022, ...; '2023年' too) to one fact per filled cell."""
    years = [
        (c, m.group(1)) for c in unknown if (m := re.fullmatch(r"\s*((?:19|20)\d\d)\s*年?\s*", c))
    ]
    if not years:
        return frame, rows, unknown
    parts, part_rows = [], []
    base = frame.reset_index(drop=True)
    for column, year in years:
        cells = clean_text(raw.frame[column]).reset_index(drop=True)
        present = cells.notna().to_numpy()
        part = base[present].copy()
        part["year"] = year
        part["value"] = cells[present].to_numpy()
        part["_column"] = column
        parts.append(part)
        part_rows.append(rows[present])
    long = pd.concat(parts, ignore_index=True)
    long_rows = np.concatenate(part_rows)
    order = np.argsort(long_rows, kind="stable")
    remaining = [c for c in unknown if c not in {y[0] for y in years}]
    return long.iloc[order].reset_index(drop=True), long_rows[order], remaining


def _cities(
    frame: pd.DataFrame, units: dict[str, str], ctx: Context, problems: _Problems
) -> pd.DataFrame:
    code_text = _text(frame, "code")
    name = _text(frame, "name_zh")
    source = code_text.fillna(name)
    codes, reasons = ctx.resolver.resolve(source)
    problems.add(
        _present(source) & codes.isna().to_numpy(),
        "code" if "code" in frame else "name_zh",
        source,
        reasons,
    )
    problems.add(~_present(source), "name_zh", source, "missing city code and name")
    # a code and a name that disagree are a problem, not a silent choice
    if "code" in frame and "name_zh" in frame:
        by_name, _ = ctx.resolver.resolve(name)
        clash = (
            _present(name)
            & by_name.notna().to_numpy()
            & codes.notna().to_numpy()
            & (by_name != codes).fillna(False).to_numpy()
        )
        problems.add(clash, "name_zh", name, "name and code point to different cities")
    ref = pd.DataFrame(
        [ctx.resolver.city(c).__dict__ if ctx.resolver.city(c) else {} for c in codes.fillna("")],
        index=frame.index,
    )
    out = pd.DataFrame({"code": codes})
    out["name_zh"] = name.fillna(
        ref.get("short_zh", pd.Series(pd.NA, index=frame.index)).astype("string")
    )
    out["name_en"] = _text(frame, "name_en").fillna(
        ref.get("name_en", pd.Series(pd.NA, index=frame.index)).astype("string")
    )
    out["province"] = _text(frame, "province").fillna(
        ref.get("province", pd.Series(pd.NA, index=frame.index)).astype("string")
    )
    for col, low, high in (("longitude", 73.0, 136.0), ("latitude", 3.0, 54.0)):
        given = _text(frame, col)
        parsed = parse_numbers(given)
        problems.add(parsed.bad, col, given, "expected a number")
        values = pd.Series(parsed.value, index=frame.index)
        outside = values.notna() & ((values < low) | (values > high))
        problems.add(outside.to_numpy(), col, given, f"value out of range for China ({low}-{high})")
        fallback = ref.get(col, pd.Series(np.nan, index=frame.index)).astype("float64")
        out[col] = values.where(values.notna(), fallback)
    out["source_url"] = _text(frame, "source_url")
    _duplicates(out[["code"]], problems, "code", source, "city")
    return out


def _parks(
    frame: pd.DataFrame, units: dict[str, str], ctx: Context, problems: _Problems
) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    out["city_code"] = _resolve_city(frame, "city", ctx, problems)
    out["name_zh"] = _text(frame, "name_zh")
    problems.add(~_present(out["name_zh"]), "name_zh", out["name_zh"], "missing park name")
    out["name_en"] = _text(frame, "name_en")
    given_id = _text(frame, "park_id")
    city_en = map_unique(out["city_code"], _city_english(ctx.resolver)).fillna("")
    label = out["name_en"].fillna(out["name_zh"].map(_pinyin_or_empty))
    derived = (city_en.astype("string") + " " + label.fillna("")).map(
        lambda t: slugify(t)[:60].strip("-")
    )
    out["park_id"] = given_id.fillna(derived.astype("string"))
    bad_id = (
        _present(given_id)
        & ~given_id.str.fullmatch(r"[a-z0-9][a-z0-9\-]*").fillna(False).to_numpy()
    )
    problems.add(bad_id, "park_id", given_id, "park_id must be a lower-case slug (a-z, 0-9, -)")
    out["district"] = _text(frame, "district")
    out["focus"] = _text(frame, "focus")
    out["opened"] = _years(_text(frame, "opened"), problems, "opened")
    firms_text = _text(frame, "firms")
    out["firms"] = firms_text.map(
        lambda t: firm_count(t)[0] if isinstance(t, str) else None
    ).astype("Int64")
    out["firms_text"] = firms_text
    out["source_url"] = _text(frame, "source_url")
    out["note"] = _text(frame, "note")
    _duplicates(out[["park_id"]], problems, "park_id", out["park_id"], "park")
    return out


def _city_english(resolver: CityResolver) -> Callable[[object], str]:
    def english(code: object) -> str:
        city = resolver.city(code) if isinstance(code, str) else None
        return city.name_en if city else ""

    return english


def _pinyin_or_empty(text: object) -> str:
    if not isinstance(text, str):
        return ""
    from pypinyin import lazy_pinyin

    return " ".join(lazy_pinyin(text))


def firm_count(text: str) -> tuple[int | None, int | None, str]:
    """Leading firm count of a park's 'firms' text ('132 (2022)', '~90', '600+ AI firms (2024)').

    Returns (count, year, kind) or (None, None, '') when the text is a range or not a count of firms.
    """
    clause = text.split(";")[0].strip()
    match = re.match(r"^(~)?(\d[\d,]*)\+?(?:\s|$)", clause)
    if not match or re.search(r"project|institute|\bof\b|\d-\d", clause):
        return None, None, ""
    year = re.search(r"\b(1[89]\d\d|20\d\d)\b", clause)
    kind = "plan_target" if "expected" in clause else ("estimate" if match.group(1) else "actual")
    return int(match.group(2).replace(",", "")), int(year.group(1)) if year else None, kind


def _enterprises(
    frame: pd.DataFrame, units: dict[str, str], ctx: Context, problems: _Problems
) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    out["name"] = _text(frame, "name")
    problems.add(~_present(out["name"]), "name", out["name"], "missing enterprise name")
    out["city_code"] = _resolve_city(frame, "city", ctx, problems)
    credit = _text(frame, "credit_code").str.upper()
    reasons = credit_code_problems(credit)
    problems.add(reasons.notna().to_numpy(), "credit_code", credit, reasons)
    out["credit_code"] = credit
    given_id = _text(frame, "enterprise_id")
    derived = credit.copy()
    needs_id = (given_id.isna() & credit.isna()).to_numpy()
    if needs_id.any():  # no id and no credit code: a stable id from normalised name and city
        names = firm_name_key(out["name"][needs_id])
        basis = pd.DataFrame({"n": names.fillna(""), "c": out["city_code"][needs_id].fillna("")})
        derived[needs_id] = hex_ids(basis, "ent-").to_numpy()
    out["enterprise_id"] = coalesce(given_id, derived)
    park_text = _text(frame, "park")
    out["park_id"] = (
        _match_parks(park_text, out["city_code"], ctx)
        if park_text.notna().any()
        else pd.Series(pd.NA, index=frame.index, dtype="string")
    )
    out["park_text"] = park_text
    layer_text = _text(frame, "layer")
    layer = map_unique(layer_text.str.lower(), LAYERS).astype("string")
    problems.add(
        _present(layer_text) & layer.isna().to_numpy(),
        "layer",
        layer_text,
        "expected foundation/technology/application (基础层/技术层/应用层)",
    )
    segment_text = _text(frame, "segment")
    segment = segment_text
    if not ctx.taxonomy.empty and segment_text.notna().any():
        tax = ctx.taxonomy
        lookup = {
            **dict(zip(tax["code"], tax["code"], strict=False)),
            **dict(zip(tax["name_zh"], tax["code"], strict=False)),
            **dict(zip(tax["name_en"].str.lower(), tax["code"], strict=False)),
        }
        segment = map_unique(segment_text, lambda s: lookup.get(s, lookup.get(s.lower()))).astype(
            "string"
        )
        problems.add(
            _present(segment_text) & segment.isna().to_numpy(),
            "segment",
            segment_text,
            "unknown segment (expected a taxonomy code such as large_models)",
        )
        seg_layer = map_unique(segment, dict(zip(tax["code"], tax["layer"], strict=False))).astype(
            "string"
        )
        clash = layer.notna() & seg_layer.notna() & (layer != seg_layer)
        problems.add(
            clash.fillna(False).to_numpy(),
            "layer",
            layer_text,
            "layer does not match the segment's layer in the taxonomy",
        )
        layer = coalesce(layer, seg_layer)
    out["layer"] = layer
    out["segment"] = segment
    # a label's source: as stated in the file, else "given"; no label, no source
    labelled = (layer.notna() | segment.notna()).to_numpy()
    label_source = coalesce(_text(frame, "label_source"), "given")
    out["label_source"] = label_source.where(labelled) if not labelled.all() else label_source
    out["founded"] = _years(_text(frame, "founded"), problems, "founded")
    out["description"] = _text(frame, "description")
    size_text = _text(frame, "size")
    parsed = parse_numbers(size_text)
    problems.add(parsed.bad, "size", size_text, "expected a number such as 1,234 or 3.5万")
    out["size"] = parsed.value
    out["size_unit"] = coalesce(_text(frame, "size_unit"), units.get("size"))
    negative = np.nan_to_num(parsed.value, nan=0.0) < 0
    problems.add(negative, "size", size_text, "value out of range (expected >= 0)")
    out["source_url"] = _text(frame, "source_url")
    out["note"] = _text(frame, "note")
    out["is_synthetic"] = _booleans(_text(frame, "is_synthetic"), problems, "is_synthetic", False)
    out["coverage"] = _coverage_kinds(_text(frame, "coverage"), problems, ctx.firm_coverage)
    out["_key_shown"] = coalesce(given_id, out["name"])  # what a duplicate's rejection shows
    return out


# tables validated block by block: (key column, column a repeat's rejection names, what a key is)
STREAMED: dict[str, tuple[str, str, str]] = {
    "enterprises": ("enterprise_id", "enterprise_id", "enterprise")
}


def _resolve_indicators(values: pd.Series, registry: pd.DataFrame) -> pd.Series:
    lookup: dict[str, str] = {}
    for row in registry.itertuples():
        for alias in [
            row.name_en,
            row.name_zh,
            *(str(row.raw_names).split(";") if isinstance(row.raw_names, str) else []),
        ]:
            if isinstance(alias, str) and alias:
                lookup.setdefault(alias.strip().lower(), row.code)
        lookup[row.code] = row.code
    uniques = values.dropna().unique()
    answers = {u: lookup.get(u, lookup.get(u.lower())) for u in uniques}
    return values.map(answers).astype("string")


def _observations(
    frame: pd.DataFrame, units: dict[str, str], ctx: Context, problems: _Problems
) -> pd.DataFrame:
    registry = ctx.indicators
    out = pd.DataFrame(index=frame.index)
    indicator_text = _text(frame, "indicator")
    code = _resolve_indicators(indicator_text, registry)
    problems.add(
        _present(indicator_text) & code.isna().to_numpy(),
        "indicator",
        indicator_text,
        "unknown indicator (expected a registry code such as gdp; add new ones with --table indicators)",
    )
    problems.add(~_present(indicator_text), "indicator", indicator_text, "missing indicator")
    out["indicator"] = code
    # where the fact belongs: a city, a park, or the whole country
    city_text = _text(frame, "city")
    park_text = _text(frame, "park")
    given_type = _text(frame, "unit_type").str.lower()
    nation = city_text.map(is_nation).fillna(False).astype(bool)
    unit_type = given_type.fillna(
        pd.Series(
            np.where(park_text.notna(), "park", np.where(nation, "nation", "city")),
            index=frame.index,
            dtype="string",
        )
    )
    problems.add(
        ~unit_type.isin(["city", "park", "nation"]).to_numpy(),
        "unit_type",
        given_type,
        "expected city, park or nation",
    )
    is_city = (unit_type == "city").to_numpy()
    is_park = (unit_type == "park").to_numpy()
    codes, reasons = ctx.resolver.resolve(city_text.where(is_city))
    problems.add(is_city & codes.isna().to_numpy(), "city", city_text, reasons)
    park_ids = _match_parks(park_text.where(is_park), codes, ctx)
    problems.add(
        is_park & park_ids.isna().to_numpy(),
        "park",
        park_text,
        "unknown park (ingest it first with --table parks, or give its park_id)",
    )
    unit_key = pd.Series(pd.NA, index=frame.index, dtype="string")
    unit_key[is_city] = codes[is_city]
    unit_key[is_park] = park_ids[is_park]
    unit_key[(unit_type == "nation").to_numpy()] = "CN"
    out["unit_type"] = unit_type
    out["unit_key"] = unit_key
    # values, by the indicator's value type
    info = (
        registry.set_index("code")
        if not registry.empty
        else pd.DataFrame(columns=["value_type", "unit", "min_value", "max_value"])
    )
    value_type = code.map(info["value_type"]).fillna("number")
    value_text = _text(frame, "value")
    problems.add(~_present(value_text), "value", value_text, "missing value")
    unit_given = _text(frame, "unit").fillna(units.get("value", pd.NA))
    numeric = value_type.isin(["number", "rank"]).to_numpy()
    parsed = parse_numbers(value_text.where(numeric))
    problems.add(
        numeric & parsed.bad,
        "value",
        value_text,
        "expected a number such as 1,234, 3.5, 12% or 3.5亿元",
    )
    canonical = code.map(info["unit"]).astype("string")
    factors, unit_reasons = conversion_factors(unit_given, parsed.base, canonical)
    problems.add(
        numeric & unit_reasons.notna().to_numpy() & ~parsed.bad,
        "unit",
        unit_given.fillna(parsed.base),
        unit_reasons,
    )
    values = parsed.value * factors
    flag = (value_type == "flag").to_numpy()
    if flag.any():
        lowered = value_text.str.lower()
        flags = np.where(
            lowered.isin(TRUE).fillna(False),
            1.0,
            np.where(lowered.isin(FALSE).fillna(False), 0.0, np.nan),
        )
        problems.add(
            flag & np.isnan(flags) & _present(value_text),
            "value",
            value_text,
            "expected yes/no (是/否, 1/0) for a flag",
        )
        values = np.where(flag, flags, values)
    text = (value_type == "text").to_numpy()
    out["value"] = np.where(text, np.nan, values)
    out["value_text"] = value_text.where(text)
    low = code.map(info["min_value"]).astype("float64").to_numpy()
    high = code.map(info["max_value"]).astype("float64").to_numpy()
    vals = out["value"].to_numpy(dtype="float64")
    outside = (~np.isnan(vals)) & (
        ((~np.isnan(low)) & (vals < low)) | ((~np.isnan(high)) & (vals > high))
    )
    bounds = (
        "["
        + pd.Series(low).astype("string").fillna("")
        + ", "
        + pd.Series(high).astype("string").fillna("")
        + "]"
    )
    problems.add(
        outside,
        "value",
        value_text,
        pd.Series("value out of range " + bounds.to_numpy(), index=frame.index),
    )
    out["unit"] = unit_given.fillna(canonical)
    out["year"] = _years(_text(frame, "year"), problems, "year", low=1900)
    kind_text = _text(frame, "kind")
    kind = kind_text.str.lower().map(KINDS).astype("string")
    problems.add(
        _present(kind_text) & kind.isna().to_numpy(),
        "kind",
        kind_text,
        "expected actual, estimate or plan_target",
    )
    out["kind"] = kind.fillna("actual")
    out["verified"] = _booleans(_text(frame, "verified"), problems, "verified", True)
    out["source_url"] = _text(frame, "source_url")
    rel = _text(frame, "source_reliability").str.upper()
    problems.add(
        _present(rel) & ~rel.isin(["A", "B", "C"]).fillna(False).to_numpy(),
        "source_reliability",
        rel,
        "expected A, B or C",
    )
    out["source_reliability"] = rel
    out["note"] = _text(frame, "note")
    key = out[["unit_type", "unit_key", "indicator", "year", "kind", "source_url", "unit"]]
    _duplicates(
        key,
        problems,
        "indicator",
        indicator_text,
        "fact (same place, indicator, year, kind, source and scope)",
    )
    return out


def _indicators(
    frame: pd.DataFrame, units: dict[str, str], ctx: Context, problems: _Problems
) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    out["code"] = _text(frame, "code")
    problems.add(
        ~out["code"].str.fullmatch(_CODE.pattern).fillna(False).to_numpy(),
        "code",
        out["code"],
        "indicator code must be ASCII snake_case (a-z, 0-9, _), e.g. rd_intensity",
    )
    for col in ("name_zh", "name_en"):
        out[col] = _text(frame, col)
        problems.add(~_present(out[col]), col, out[col], f"missing {col}")
    out["unit"] = _text(frame, "unit")
    direction_text = _text(frame, "direction")
    direction = pd.to_numeric(
        direction_text.fillna("1").str.replace("+", "", regex=False), errors="coerce"
    )
    problems.add(
        ~direction.isin([1, -1]).to_numpy(), "direction", direction_text, "expected 1 or -1"
    )
    out["direction"] = direction.where(direction.isin([1, -1])).astype("Int64")
    out["definition"] = _text(frame, "definition")
    out["category"] = _text(frame, "category")
    vt = _text(frame, "value_type").str.lower().fillna("number")
    problems.add(
        ~vt.isin(list(VALUE_TYPES)).to_numpy(),
        "value_type",
        vt,
        f"expected one of {', '.join(sorted(VALUE_TYPES))}",
    )
    out["value_type"] = vt
    for col in ("min_value", "max_value"):
        given = _text(frame, col)
        parsed = parse_numbers(given)
        problems.add(parsed.bad, col, given, "expected a number")
        out[col] = parsed.value
    out["raw_names"] = _text(frame, "raw_names")
    _duplicates(out[["code"]], problems, "code", out["code"], "indicator code")
    return out


def _projects(
    frame: pd.DataFrame, units: dict[str, str], ctx: Context, problems: _Problems
) -> pd.DataFrame:
    from aicity.io.projects import validate_projects  # a module of its own (issue 16)

    return validate_projects(frame, units, ctx, problems)


VALIDATORS: dict[
    str, Callable[[pd.DataFrame, dict[str, str], Context, _Problems], pd.DataFrame]
] = {
    "cities": _cities,
    "parks": _parks,
    "enterprises": _enterprises,
    "observations": _observations,
    "indicators": _indicators,
    "projects": _projects,
}
