"""Ingest files into the store: read -> validate -> one transaction per file.

* file-level problems raise ``InputError`` (exit 2) before anything is written;
* row-level problems put rows in ``rejected_rows``; accepted rows are written (``strict``: nothing is
  written and ``RowProblems`` is raised, exit 3); the CLI exits 3 whenever rows were rejected;
* identical bytes already ingested into the same table add nothing; a changed file updates its rows and
  the old observation values stay as history (``valid_to`` set).
"""

from __future__ import annotations

import csv
from collections.abc import Generator, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from aicity.errors import DuplicateKey, InputError, RowProblems
from aicity.io.cities import CityResolver
from aicity.io.credit import firm_name_key
from aicity.io.headers import map_headers
from aicity.io.read import RawTable, load, parse
from aicity.io.tables import Context, Validated, join_blocks, validate, validate_stream
from aicity.store import Store, cities, indicators
from aicity.store import core as store_core
from aicity.store import ingest as store_ingest

TABLES = ("indicators", "cities", "parks", "enterprises", "observations", "projects")
# upserted by key, counted per row
ENTITY_TABLES = ("cities", "parks", "enterprises", "indicators", "projects")
FIRM_COVERAGE_KINDS = ("registry", "sample")
# tables whose first load (an empty table) of a file this big is written block by block as it is
# checked: the write overlaps the checks and memory does not grow with the file (one 16 MB piece)
STREAMED_WRITES = ("enterprises",)
STREAM_BYTES = 1 << 24
# rows of checked blocks gathered per append: one INSERT per block cost more CPU than it overlapped
# (1M firms in 7 blocks: 8.2 CPU s and 1.4 s of checkpoint, vs 6.2 CPU s and 0.1 s in one)
STREAM_WRITE_ROWS = 1 << 20


@dataclass
class IngestResult:
    file: str
    table: str
    status: str  # ok | partial | unchanged | rejected (strict)
    ingest_id: int | None
    n_rows: int = 0
    n_accepted: int = 0
    n_rejected: int = 0
    n_changed: int = 0
    # entity tables (cities, parks, enterprises, indicators): accepted rows not stored before, stored
    # with other content (replaced; the old row kept in entity_history), stored as they are
    n_new: int | None = None
    n_updated: int | None = None
    n_unchanged: int | None = None
    encoding: str | None = None
    sheet: str | None = None
    unknown_columns: list[str] = field(default_factory=list)
    rejected: pd.DataFrame = field(default_factory=pd.DataFrame)
    previous_ingest: int | None = None


def bundled_registry() -> pd.DataFrame:
    """The bundled indicator registry (codes the example and the default framework use)."""
    path = resources.files("aicity.data.example").joinpath("indicators.csv")
    with path.open("r", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    frame = pd.DataFrame(rows).replace("", pd.NA)
    for col in ("min_value", "max_value"):
        frame[col] = pd.to_numeric(frame[col])
    frame["direction"] = pd.to_numeric(frame["direction"]).astype("Int64")
    return frame


def bundled_taxonomy() -> pd.DataFrame:
    path = resources.files("aicity.data.example").joinpath("taxonomy.csv")
    with path.open("r", encoding="utf-8") as fh:
        return pd.DataFrame(list(csv.DictReader(fh)))


def _context(store: Store) -> Context:
    known = cities(store)
    registry = indicators(store)
    bundled = bundled_registry()
    # codes in the store win; bundled codes not yet registered are available too (added when used)
    merged = pd.concat(
        [registry, bundled[~bundled["code"].isin(registry["code"])]], ignore_index=True
    )
    parks = store_core.parks(store)[["park_id", "city_code", "name_zh"]]
    return Context(
        resolver=CityResolver(known) if not known.empty else _default_resolver(),
        parks=parks,
        indicators=merged,
        taxonomy=bundled_taxonomy(),
    )


def _default_resolver() -> CityResolver:
    from aicity.io.cities import default_resolver

    return default_resolver()


def ingest_file(
    store: Store,
    path: str | Path,
    table: str,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    strict: bool = False,
    label: str | None = None,
    coverage: str | None = None,
) -> IngestResult:
    """Ingest one file into ``table``. ``label`` is the file name recorded for provenance (default: path).
    ``coverage`` (enterprises only): 'registry' or 'sample' for rows whose file does not say; default
    'sample', since a firm list stands for a city's population only when the user says it does."""
    _check_arguments(table, coverage)
    loaded = load(path)
    file = label or str(path)
    previous = store_ingest.previous_ingest(store, loaded.sha256, table)
    if previous is not None:  # the same bytes again: nothing to parse or write
        return _unchanged(store, int(previous), file, table)
    stream = (
        table in STREAMED_WRITES
        and not strict
        and len(loaded.data) >= STREAM_BYTES
        and store_ingest.is_empty(store, table)
    )
    raw = parse(loaded, sheet=sheet, encoding=encoding)
    del loaded  # the parser holds the bytes while it needs them; a big file's are freed after
    ctx = _context(store)
    if coverage is not None:
        ctx.firm_coverage = coverage
    if stream:
        try:
            return _ingest_streamed(store, raw, ctx, file, table)
        except DuplicateKey:  # rolled back: read whole again, so the refusal names its file row
            raw = parse(load(path), sheet=sheet, encoding=encoding)
    checked = validate(raw, table, ctx)
    # the parser's freed buffers back to the system before the store sorts and indexes the rows
    pa.default_memory_pool().release_unused()
    result = IngestResult(
        file,
        table,
        "ok",
        None,
        n_rows=checked.n_rows,
        n_accepted=checked.n_accepted,
        n_rejected=checked.n_rejected,
        encoding=raw.encoding,
        sheet=raw.sheet,
        unknown_columns=checked.unknown_columns,
        rejected=checked.rejected,
    )
    if strict and result.n_rejected:
        result.status = "rejected"
        raise RowProblems(
            f"{file}: {result.n_rejected} of {result.n_rows} rows have problems; nothing written "
            "(--strict). First: " + _first_problem(checked.rejected)
        )
    try:
        _commit(store, checked, ctx, raw, result)
    except DuplicateKey as exc:  # the store's keys refused a row (rolled back): name it in the file
        raise _located(exc, checked, file) from exc
    return result


def _ingest_streamed(
    store: Store, raw: RawTable, ctx: Context, file: str, table: str
) -> IngestResult:
    """A first load (the table is empty): each block of rows is written as soon as it is checked,
    in the file's one transaction, while later blocks are still decoded and checked; the keys of
    every row written are checked once before the commit. Nothing is held for the whole file but
    its rejected rows, so memory does not grow with it."""
    now = datetime.now()
    result = IngestResult(file, table, "ok", None, encoding=raw.encoding, sheet=raw.sheet)
    rejected: list[pd.DataFrame] = []
    cities_used: set[str] = set()
    with store_ingest.bounded_memory(store), store.transaction():
        result.ingest_id = store_ingest.start_ingest(
            store, file, raw.sha256, table, raw.sheet, raw.encoding, now
        )
        blocks = _tallied(validate_stream(raw, table, ctx), result, rejected, cities_used)
        try:
            if _names_sources(raw, table):  # each block's sources are looked up in the store
                _append_held(store, blocks)
            else:  # one INSERT reads the blocks as they are checked
                store_ingest.append_stream(
                    store, table, ((_unsourced(b.candidates), b.keep) for b in blocks)
                )
        finally:
            blocks.close()
        # validate_stream rejected every repeated id: only firm keys can repeat
        store_ingest.check_appended(store, table, ids_distinct=True)
        _ensure_cities(store, ctx, sorted(cities_used))
        result.rejected = pd.concat(rejected, ignore_index=True)
        store_ingest.add_rejected(store, result.ingest_id, file, result.rejected)
        result.n_new, result.n_updated, result.n_unchanged = result.n_accepted, 0, 0
        result.n_changed = result.n_accepted
        result.status = "partial" if result.n_rejected else "ok"
        store_ingest.finish_ingest(
            store,
            result.ingest_id,
            result.n_rows,
            result.n_accepted,
            result.n_rejected,
            result.n_changed,
            result.status,
        )
    return result


def _tallied(
    blocks: Iterator[Validated],
    result: IngestResult,
    rejected: list[pd.DataFrame],
    cities_used: set[str],
) -> Generator[Validated, None, None]:
    """The checked blocks, their counts, rejected rows and cities added up as they pass."""
    with closing(blocks):  # type: ignore[type-var]
        for checked in blocks:
            result.n_rows += checked.n_rows
            result.n_accepted += checked.n_accepted
            result.n_rejected += checked.n_rejected
            result.unknown_columns = checked.unknown_columns
            rejected.append(checked.rejected)
            cities_used.update(checked.cities_used)
            yield checked


def _names_sources(raw: RawTable, table: str) -> bool:
    """Whether the file has a source URL column (its rows' source ids come from the store)."""
    mapping, _, _ = map_headers(list(raw.columns), table, raw.file, duplicates=True)
    return "source_url" in mapping.values()


def _unsourced(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of a file without a source column, with the source id they get: none (as
    :func:`_with_source_ids` gives them, without asking the store)."""
    return rows.assign(source_id=pd.Series(pd.NA, index=rows.index, dtype="Int64"))


def _append_held(store: Store, blocks: Iterator[Validated]) -> None:
    """Checked blocks appended STREAM_WRITE_ROWS rows at a time (an INSERT each)."""
    held: list[Validated] = []  # checked blocks not written yet
    for checked in blocks:
        held.append(checked)
        if sum(len(b.keep) for b in held) >= STREAM_WRITE_ROWS:
            _append_blocks(store, held)
            held = []
    _append_blocks(store, held)


def _append_blocks(store: Store, blocks: list[Validated]) -> None:
    """Checked blocks of one file appended in one statement (fewer, fuller row groups)."""
    if not blocks:
        return
    joined = join_blocks(blocks)
    rows = _with_source_ids(store, joined.candidates, joined.keep)
    store_ingest.append_entities(store, joined.table, rows, keep=joined.keep)


def _with_source_ids(
    store: Store, rows: pd.DataFrame, keep: np.ndarray | None = None
) -> pd.DataFrame:
    """``rows`` with the source_id of each row's source_url (new sources added); the URLs of rows
    ``keep`` leaves out are not added."""
    if "source_url" not in rows:
        return rows
    urls = rows["source_url"] if keep is None else rows["source_url"].where(keep)
    reliability = rows.get("source_reliability")
    return rows.assign(source_id=store_ingest.source_ids(store, urls, reliability))


def _check_arguments(table: str, coverage: str | None) -> None:
    if table not in TABLES:
        raise InputError(f"unknown table {table!r}", fix=f"expected one of {', '.join(TABLES)}")
    if coverage is not None and coverage not in FIRM_COVERAGE_KINDS:
        raise InputError(
            f"coverage must be one of {', '.join(FIRM_COVERAGE_KINDS)}, received {coverage!r}",
            fix="--coverage registry (a full registry export) or --coverage sample (a curated list)",
        )


def _unchanged(store: Store, previous: int, file: str, table: str) -> IngestResult:
    """The result of ingesting bytes already ingested into ``table``: the earlier ingest's counts."""
    before = store_ingest.ingest_counts(store, previous)
    return IngestResult(
        file,
        table,
        "unchanged",
        None,
        n_rows=before["n_rows"],
        n_accepted=before["n_accepted"],
        n_rejected=before["n_rejected"],
        encoding=before["encoding"],
        sheet=before["sheet"],
        previous_ingest=previous,
        **(_all_unchanged(before["n_accepted"]) if table in ENTITY_TABLES else {}),
    )


def _commit(
    store: Store, checked: Validated, ctx: Context, raw: RawTable, result: IngestResult
) -> None:
    """Write the accepted rows, the rejected ones and the ingest log entry in one transaction, and
    fill in the result's ingest id, counts and status."""
    now = datetime.now()
    file = result.file
    with store.transaction():
        ingest_id = store_ingest.start_ingest(
            store, file, raw.sha256, result.table, raw.sheet, raw.encoding, now
        )
        result.ingest_id = ingest_id
        written = _write(store, checked, ctx, ingest_id, file, raw.sheet, now)
        if isinstance(written, store_ingest.Upserted):
            result.n_new, result.n_updated, result.n_unchanged = written
            result.n_changed = written.changed
        else:
            result.n_changed = written
        store_ingest.add_rejected(store, ingest_id, file, checked.rejected)
        result.status = "partial" if result.n_rejected else "ok"
        store_ingest.finish_ingest(
            store,
            ingest_id,
            result.n_rows,
            result.n_accepted,
            result.n_rejected,
            result.n_changed,
            result.status,
        )


def _all_unchanged(n_accepted: int) -> dict[str, int]:
    return {"n_new": 0, "n_updated": 0, "n_unchanged": n_accepted}


def _located(exc: DuplicateKey, checked: Validated, file: str) -> InputError:
    """The file row (and column) behind a key the store refused, as a one-line input error."""
    rows = checked.candidates[checked.keep]
    keyed: dict[str, pd.Series] = {}  # the columns a key may be in, and the key's form there
    id_column = store_ingest.KEYS[checked.table]
    if exc.key in (id_column, "key"):
        keyed[id_column] = rows[id_column]
    if exc.key in ("firm", "key") and checked.table == "enterprises":
        keyed["credit_code"] = rows["credit_code"]
        keyed["name"] = "name:" + firm_name_key(rows["name"]) + "@" + rows["city_code"]
    for column, shown in keyed.items():
        hits = rows["row"][(shown == exc.value).fillna(False).to_numpy(dtype=bool)]
        if len(hits):
            reason = exc.reason
            if exc.key == "key":  # DuckDB did not say which key: the column found says it
                reason = reason.replace("key", column.replace("_", " "), 1)
            return InputError(
                reason + "; nothing written",
                file=file,
                row=int(hits.iloc[-1]),
                column=column,
                fix=exc.fix,
            )
    return InputError(exc.reason + "; nothing written", file=file, fix=exc.fix)


def _first_problem(rejected: pd.DataFrame) -> str:
    first = rejected.iloc[0]
    value = "" if pd.isna(first["value"]) else f" {str(first['value'])!r}"
    return f"row {first['row']}, column {first['column']!r}{value}: {first['reason']}"


def _write(
    store: Store,
    checked: Validated,
    ctx: Context,
    ingest_id: int,
    file: str,
    sheet: str | None,
    now: datetime,
) -> int | store_ingest.Upserted:
    table = checked.table
    if table not in ("indicators", "cities"):
        _ensure_cities(store, ctx, checked.cities_used)
    if table == "indicators":
        return store_ingest.upsert_entities(store, "indicators", checked.rows, ingest_id, now)
    # entity tables are written from every candidate row with the accepted mask (no pandas copy)
    entity = table in ("cities", "parks", "enterprises", "projects")
    rows = checked.candidates if entity else checked.rows
    rows = _with_source_ids(store, rows, checked.keep if entity else None)
    if table == "observations":
        used = set(rows["indicator"].dropna())
        registered = set(indicators(store)["code"])
        new_codes = ctx.indicators[ctx.indicators["code"].isin(used - registered)]
        if not new_codes.empty:  # bundled definitions of the codes this file uses
            store_ingest.upsert_entities(store, "indicators", new_codes)
        return store_ingest.merge_observations(store, rows, ingest_id, file, sheet, now)
    return store_ingest.upsert_entities(store, table, rows, ingest_id, now, keep=checked.keep)


def _ensure_cities(store: Store, ctx: Context, codes: list[str]) -> None:
    """Cities referenced by a file but not yet stored are added from the admin-code reference data."""
    missing = store_ingest.missing_cities(store, codes)
    found = [ctx.resolver.city(c) for c in missing]
    frame = pd.DataFrame(
        [
            {
                "code": c.code,
                "name_zh": c.short_zh,
                "name_en": c.name_en,
                "province": c.province,
                "longitude": c.longitude,
                "latitude": c.latitude,
            }
            for c in found
            if c is not None
        ]
    )
    if not frame.empty:
        store_ingest.upsert_entities(store, "cities", frame)
