"""Writes of the ingest workflow: sources, entity upserts, observation history, the ingest log.

Everything is set-based: frames are registered with DuckDB and merged with one statement per step.
Call these inside ``store.transaction()`` so a file's rows commit together or not at all.
"""

from __future__ import annotations

import itertools
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NamedTuple

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from aicity.store import enterprises_keys
from aicity.store._store import Store, constraint_error

# columns written for each entity table (the frame may hold more)
ENTITY_COLUMNS = {
    "cities": ["code", "name_zh", "name_en", "province", "longitude", "latitude"],
    "parks": [
        "park_id",
        "city_code",
        "name_zh",
        "name_en",
        "district",
        "focus",
        "opened",
        "firms",
        "firms_text",
        "source_id",
        "note",
    ],
    "enterprises": [
        "enterprise_id",
        "name",
        "city_code",
        "park_id",
        "park_text",
        "credit_code",
        "layer",
        "segment",
        "label_source",
        "founded",
        "description",
        "size",
        "size_unit",
        "source_id",
        "note",
        "is_synthetic",
        "coverage",
    ],
    "indicators": [
        "code",
        "name_zh",
        "name_en",
        "unit",
        "direction",
        "definition",
        "category",
        "value_type",
        "min_value",
        "max_value",
        "raw_names",
    ],
    "projects": [
        "project_id",
        "name",
        "city_code",
        "park_id",
        "park_text",
        "enterprise",
        "enterprise_id",
        "kind",
        "investment_yi",
        "investment_text",
        "amount_kind",
        "stage",
        "year",
        "source_id",
        "note",
    ],
}
KEYS = {
    "cities": "code",
    "parks": "park_id",
    "enterprises": "enterprise_id",
    "indicators": "code",
    "projects": "project_id",
}
# an observation's identity: the same fact from the same source in the same scope
FACT_KEY = ["unit_type", "unit_key", "indicator", "year", "kind", "source_id", "unit"]
FACT_CONTENT = ["value", "value_text", "verified", "note"]


class Upserted(NamedTuple):
    """What an upsert did to the rows it was given: added, replaced (changed), left alone (same)."""

    new: int
    updated: int
    unchanged: int

    @property
    def changed(self) -> int:
        return self.new + self.updated


def previous_ingest(store: Store, sha256: str, table: str) -> int | None:
    """The id of an earlier successful ingest of identical bytes into the same table, if any."""
    return store.fetch_one(
        "SELECT max(ingest_id) FROM ingests WHERE sha256 = ? AND table_name = ? "
        "AND status IN ('ok', 'partial')",
        [sha256, table],
    )


def ingest_counts(store: Store, ingest_id: int) -> dict[str, Any]:
    """n_rows, n_accepted, n_rejected (ints), encoding and sheet (text or None) of one ingest."""
    row = store.fetch_df(
        "SELECT n_rows, n_accepted, n_rejected, encoding, sheet FROM ingests WHERE ingest_id = ?",
        [ingest_id],
    ).iloc[0]
    counts: dict[str, Any] = {k: int(row[k]) for k in ("n_rows", "n_accepted", "n_rejected")}
    counts.update({k: None if pd.isna(row[k]) else str(row[k]) for k in ("encoding", "sheet")})
    return counts


def start_ingest(
    store: Store,
    file: str,
    sha256: str,
    table: str,
    sheet: str | None,
    encoding: str | None,
    started_at: datetime,
) -> int:
    return int(
        store.fetch_one(
            "INSERT INTO ingests (file, sha256, table_name, sheet, encoding, started_at, status) "
            "VALUES (?, ?, ?, ?, ?, ?, 'running') RETURNING ingest_id",
            [file, sha256, table, sheet, encoding, started_at],
        )
    )


def finish_ingest(
    store: Store,
    ingest_id: int,
    n_rows: int,
    n_accepted: int,
    n_rejected: int,
    n_changed: int,
    status: str,
) -> None:
    store.execute(
        "UPDATE ingests SET n_rows = ?, n_accepted = ?, n_rejected = ?, n_changed = ?, status = ? "
        "WHERE ingest_id = ?",
        [n_rows, n_accepted, n_rejected, n_changed, status, ingest_id],
    )


def add_rejected(store: Store, ingest_id: int, file: str, rejected: pd.DataFrame) -> int:
    if rejected.empty:
        return 0
    frame = pd.DataFrame(
        {
            "ingest_id": ingest_id,
            "file": file,
            "row": rejected["row"],
            "column": rejected["column"],
            "value": rejected["value"],
            "reason": rejected["reason"],
        }
    )
    return store.insert_df("rejected_rows", frame)


def _publisher(url: str) -> str:
    return re.sub(r"^https?://", "", url).split("/")[0].lower()


def source_ids(store: Store, urls: pd.Series, reliability: pd.Series | None = None) -> pd.Series:
    """Map source URLs to source_id, adding new sources. Grade: given (A/B/C), else A for gov.cn, else B.

    A grade given for a URL already stored replaces the stored grade with the worse of the two.
    """
    frame = pd.DataFrame({"url": urls.astype("string")})
    frame["given"] = reliability.astype("string") if reliability is not None else pd.NA
    frame = frame.dropna(subset=["url"])
    if frame.empty:
        return pd.Series(pd.NA, index=urls.index, dtype="Int64")
    grades = (
        frame.groupby("url", sort=False)["given"].max().reset_index()
    )  # 'C' > 'B' > 'A': worst wins
    grades["publisher"] = grades["url"].map(_publisher)
    grades["default"] = grades["publisher"].map(lambda h: "A" if h.endswith("gov.cn") else "B")
    grades["reliability"] = grades["given"].fillna(grades["default"])
    store.register("_new_sources", grades[["url", "publisher", "reliability", "given"]])
    try:
        store.execute(
            "INSERT INTO sources (url, publisher, reliability) SELECT n.url, n.publisher, n.reliability "
            "FROM _new_sources n WHERE NOT EXISTS (SELECT 1 FROM sources s WHERE s.url = n.url)"
        )
        store.execute(
            "UPDATE sources SET reliability = n.given FROM _new_sources n "
            "WHERE sources.url = n.url AND n.given IS NOT NULL AND n.given > sources.reliability"
        )
        ids = store.fetch_df(
            "SELECT s.url, s.source_id FROM sources s JOIN _new_sources n USING (url)"
        )
    finally:
        store.unregister("_new_sources")
    mapping = dict(zip(ids["url"], ids["source_id"], strict=True))
    return urls.map(mapping).astype("Int64")


def upsert_entities(
    store: Store,
    table: str,
    frame: pd.DataFrame,
    ingest_id: int | None = None,
    now: datetime | None = None,
    keep: np.ndarray | None = None,
) -> Upserted:
    """Insert new rows and replace changed ones (by key); count the new, updated and unchanged rows.

    ``keep`` (optional) marks the rows of ``frame`` to write; DuckDB filters them while reading the
    Arrow table, so a million-row file is not copied once more in pandas to drop its rejected rows.
    The replaced versions are kept in ``entity_history`` (as JSON) with the time and the ingest.
    A row the store's keys refuse (an enterprise whose credit code, or name and city, another id
    holds: ``aicity.store.enterprises_keys``) raises ``DuplicateKey`` and nothing is written.
    """
    columns = ENTITY_COLUMNS[table]
    key = KEYS[table]
    arrow, source, wanted = _rows(table, frame, keep)
    cols = ", ".join(f'"{c}"' for c in columns)
    store.register("_new_entities", arrow)
    try:
        if table == enterprises_keys.TABLE:  # before any write: a refused file writes nothing
            enterprises_keys.check_keys(store, source, replaces=True)
        overlap = int(
            store.fetch_one(
                f'SELECT count(*) FROM {source} n JOIN {table} t ON n."{key}" = t."{key}"'
            )
        )
        if overlap == 0:  # all new (e.g. a first load): a plain append, no comparison needed
            _append(store, table, cols, source, key, wanted)
            return Upserted(wanted, 0, 0)
        store.execute(
            f"CREATE OR REPLACE TEMP TABLE _changed AS SELECT {cols} FROM {source} "
            f"EXCEPT SELECT {cols} FROM {table}"
        )
        changed = int(store.fetch_one("SELECT count(*) FROM _changed"))
        if changed:
            store.execute(
                "INSERT INTO entity_history (table_name, entity_key, old_row, replaced_at, ingest_id) "
                f'SELECT ?, CAST(t."{key}" AS TEXT), to_json(t), ?, ? FROM {table} t '
                f'WHERE t."{key}" IN (SELECT "{key}" FROM _changed)',
                [table, now or datetime.now(), ingest_id],
            )
            store.execute(f'DELETE FROM {table} WHERE "{key}" IN (SELECT "{key}" FROM _changed)')
            with store.unordered_inserts():
                store.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _changed")
        store.execute("DROP TABLE _changed")
    except duckdb.ConstraintException as exc:
        raise constraint_error(exc, table) from exc
    finally:
        store.unregister("_new_entities")
    new = wanted - overlap
    return Upserted(new, changed - new, wanted - changed)


# From this many rows an append goes in key order, in parts of at most SORTED_PART_ROWS (key ranges).
# Key order fed migration 008's unique (ART) indexes twice as fast; since 011 there is no index, and
# the sort costs more than it saves (1M firm rows: 2.9 s insert + 0.9 s checkpoint sorted, 0.7 s +
# 0.04 s in no order), so no append is that big by default.
SORTED_APPEND_ROWS = sys.maxsize
SORTED_PART_ROWS = 250_000


def _rows(table: str, frame: pd.DataFrame, keep: np.ndarray | None) -> tuple[pa.Table, str, int]:
    """The frame's table columns as Arrow (``_keep`` marks the rows to write, ``_pos`` numbers them
    for the key checks), the SQL that reads the rows to write from ``_new_entities``, and their count."""
    arrow = pa.Table.from_pandas(frame.reindex(columns=ENTITY_COLUMNS[table]), preserve_index=False)
    wanted = len(frame)
    if keep is not None:
        arrow = arrow.append_column("_keep", pa.array(np.asarray(keep, dtype=bool)))
        wanted = int(np.count_nonzero(keep))
    if table == enterprises_keys.TABLE:  # the rows' order, to name the first a key check refuses
        arrow = arrow.append_column("_pos", pa.array(np.arange(len(frame), dtype=np.int64)))
    source = (
        "(SELECT * EXCLUDE (_keep) FROM _new_entities WHERE _keep)"
        if keep is not None
        else "_new_entities"
    )
    return arrow, source, wanted


def is_empty(store: Store, table: str) -> bool:
    """Whether ``table`` (an entity table) holds no row."""
    if table not in KEYS:
        raise ValueError(f"expected an entity table ({', '.join(KEYS)}), received {table!r}")
    return store.fetch_df(f"SELECT 1 FROM {table} LIMIT 1").empty


def append_entities(
    store: Store, table: str, frame: pd.DataFrame, keep: np.ndarray | None = None
) -> int:
    """Append the rows of ``frame`` (those ``keep`` marks) without comparing them with stored rows:
    one block of a file streamed into an empty table, in the file's transaction. Its keys are not
    checked here: :func:`check_appended` checks every appended row at once, before the commit."""
    arrow, source, wanted = _rows(table, frame, keep)
    cols = ", ".join(f'"{c}"' for c in ENTITY_COLUMNS[table])
    # DuckDB keeps a registered table until the transaction ends (0.3 GB per million firms kept):
    # a stream read once is freed as it is written
    batches = pa.RecordBatchReader.from_batches(arrow.schema, iter(arrow.to_batches()))
    store.register("_new_entities", batches if wanted < SORTED_APPEND_ROWS else arrow)
    del arrow, batches
    try:
        _append(store, table, cols, source, KEYS[table], wanted)
    except duckdb.ConstraintException as exc:
        raise constraint_error(exc, table) from exc
    finally:
        store.unregister("_new_entities")
    return wanted


# DuckDB's memory while a big first load is written: it otherwise keeps each block it wrote cached
# (60 MB per million firms, up to 80 % of RAM); within this it drops them and spills GROUP BYs
STREAM_MEMORY = "1GB"


@contextmanager
def bounded_memory(store: Store, limit: str = STREAM_MEMORY) -> Iterator[None]:
    """DuckDB's memory limit at ``limit`` inside (a store in a file: an in-memory one holds its
    tables there), then DuckDB's default (aicity sets no other). Call it outside a transaction."""
    path = "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    in_file = store.fetch_one(path) is not None
    if in_file:
        store.execute(f"SET memory_limit = '{limit}'")
    try:
        yield
    finally:
        if in_file:
            store.execute("RESET memory_limit")


def append_stream(
    store: Store, table: str, blocks: Iterator[tuple[pd.DataFrame, np.ndarray]]
) -> int:
    """Append the kept rows of each ``(frame, keep)`` block (a first load, in its transaction) in
    one INSERT reading them as they come: written while later blocks are checked, each freed once
    written, in full row groups (an INSERT each leaves part-filled ones for the checkpoint). Keys
    are left to :func:`check_appended`. ``blocks`` must not use the store (its connection runs the
    INSERT); what it raises is raised as it is, and nothing is written. Returns the rows written."""
    if sys.maxsize > SORTED_APPEND_ROWS:  # key-ordered appends asked for: a sorted INSERT each
        return sum(append_entities(store, table, frame, keep) for frame, keep in blocks)
    first = next(blocks, None)
    if first is None:
        return 0
    arrow, source, written = _rows(table, *first)
    schema = arrow.schema.remove_metadata()
    del first  # (its rows are in ``arrow``, freed once written)
    failed: list[BaseException] = []

    def batches() -> Iterator[pa.RecordBatch]:
        nonlocal arrow, written
        try:
            while arrow is not None:
                if not arrow.schema.equals(schema):  # e.g. a column all missing in one block
                    arrow = arrow.cast(schema)
                yield from arrow.to_batches()
                block = next(blocks, None)
                arrow = None
                if block is not None:
                    arrow, _, wanted = _rows(table, *block)
                    written += wanted
                    del block
        except BaseException as exc:  # DuckDB reports it as a failed stream: raised as it was
            failed.append(exc)
            raise

    cols = ", ".join(f'"{c}"' for c in ENTITY_COLUMNS[table])
    store.register("_new_entities", pa.RecordBatchReader.from_batches(schema, batches()))
    try:
        with store.unordered_inserts():
            store.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {source}")
    except duckdb.Error as exc:
        if failed:
            raise failed[0] from None
        if isinstance(exc, duckdb.ConstraintException):
            raise constraint_error(exc, table) from exc
        raise
    finally:
        store.unregister("_new_entities")
        close = getattr(blocks, "close", None)
        if close is not None:  # a failed INSERT leaves the checks' threads to stop
            close()
    return written


def check_appended(store: Store, table: str, ids_distinct: bool = False) -> None:
    """The keys of a table filled by :func:`append_entities` from empty (``ids_distinct``: see
    ``enterprises_keys.check_keys``): a repeat raises ``DuplicateKey`` (roll back: nothing kept)."""
    if table == enterprises_keys.TABLE:
        enterprises_keys.check_keys(
            store, table, stored=False, order="rowid", ids_distinct=ids_distinct
        )


def _append(store: Store, table: str, cols: str, source: str, key: str, n_rows: int) -> None:
    """Insert every row of ``source``; a big one sorted by its key (a small one keeps file order).
    The parts are statements of one transaction: a repeat across parts is refused as a repeat
    within the file, as in one statement."""
    insert = f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {source}"
    if n_rows < SORTED_APPEND_ROWS:
        with store.unordered_inserts():
            store.execute(insert)
        return
    parts = -(-n_rows // SORTED_PART_ROWS)
    cuts: list[Any] = []
    if parts > 1:
        fractions = ", ".join(str(i / parts) for i in range(1, parts))
        cuts = store.fetch_one(f'SELECT quantile_disc("{key}", [{fractions}]) FROM {source}') or []
    bounds = [None, *dict.fromkeys(cuts), None]  # distinct cuts; the open ends hold the rest
    for low, high in itertools.pairwise(bounds):
        where = " AND ".join(
            [f'"{key}" >= ?'] * (low is not None) + [f'"{key}" < ?'] * (high is not None)
        )
        if high is None:  # a NULL key fails every range: the last part takes it
            where = f'({where or "true"}) OR "{key}" IS NULL'
        params = [b for b in (low, high) if b is not None]
        store.execute(f'{insert} WHERE {where} ORDER BY "{key}"', params)


def entity_history(store: Store, table: str | None = None) -> pd.DataFrame:
    """Replaced versions of entity rows (table_name, entity_key, old_row JSON, replaced_at, ingest_id)."""
    sql = "SELECT * FROM entity_history" + (" WHERE table_name = ?" if table else "")
    return store.fetch_df(sql + " ORDER BY replaced_at, entity_key", [table] if table else None)


def missing_cities(store: Store, codes: list[str]) -> list[str]:
    """Which of these city codes the cities table does not hold yet."""
    if not codes:
        return []
    known = store.fetch_df("SELECT code FROM cities WHERE list_contains(?, code)", [codes])
    return sorted(set(codes) - set(known["code"]))


def merge_observations(
    store: Store, frame: pd.DataFrame, ingest_id: int, file: str, sheet: str | None, now: datetime
) -> int:
    """Write a file's facts keeping history. Returns the number of facts added or changed.

    A fact (FACT_KEY) already current with the same content is left alone (idempotent); with other
    content the old row gets ``valid_to = now`` and the new one is added. Facts this file wrote earlier
    that are absent from its new version are closed the same way: the file is the authority for its rows.
    """
    data = frame.reindex(columns=[*FACT_KEY, *FACT_CONTENT, "row"]).copy()
    data["file"] = file
    data["sheet"] = sheet
    data["ingest_id"] = ingest_id
    data["valid_from"] = now
    same = " AND ".join(f'o."{c}" IS NOT DISTINCT FROM n."{c}"' for c in FACT_KEY)
    same_content = " AND ".join(f'o."{c}" IS NOT DISTINCT FROM n."{c}"' for c in FACT_CONTENT)
    store.register("_new_obs", data)
    try:
        store.execute(
            "CREATE OR REPLACE TEMP TABLE _fresh AS SELECT n.* FROM _new_obs n WHERE NOT EXISTS ("
            f"SELECT 1 FROM observations o WHERE o.valid_to IS NULL AND {same} AND {same_content})"
        )
        # close current versions of changed facts
        store.execute(
            "UPDATE observations o SET valid_to = ? FROM _fresh n "
            f"WHERE o.valid_to IS NULL AND {same}",
            [now],
        )
        # close facts this file wrote before and no longer states
        store.execute(
            "UPDATE observations o SET valid_to = ? WHERE o.valid_to IS NULL AND o.file = ? "
            f"AND NOT EXISTS (SELECT 1 FROM _new_obs n WHERE {same})",
            [now, file],
        )
        cols = ", ".join(
            f'"{c}"'
            for c in [*FACT_KEY, *FACT_CONTENT, "file", "sheet", "row", "ingest_id", "valid_from"]
        )
        store.execute(f"INSERT INTO observations ({cols}) SELECT {cols} FROM _fresh")
        changed = int(store.fetch_one("SELECT count(*) FROM _fresh"))
        store.execute("DROP TABLE _fresh")
    finally:
        store.unregister("_new_obs")
    return changed
