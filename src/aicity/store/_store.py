"""The ``Store``: one DuckDB file, opened only here, with versioned migrations.

Every SQL statement of the project lives in ``aicity.store``; other packages call the domain functions
(``aicity.store.core`` and siblings) or the generic helpers below.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from aicity.errors import DuplicateKey, StoreError
from aicity.paths import default_store_path

_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# DuckDB's words for a unique or primary key violation: Duplicate key "col: value" violates ...
_DUPLICATE = re.compile(r'Duplicate key "(?P<key>.*?): (?P<value>.*)" violates', re.DOTALL)
# ... and for a key repeated within one statement: "UNIQUE constraint violation: duplicate key "value""
_DUPLICATE_WITHIN = re.compile(r'constraint violation: duplicate key "(?P<value>.*)"', re.DOTALL)


def default_path() -> Path:
    """The store path used when none is given: ``$AICITY_DB`` or ``./aicity.duckdb``."""
    return default_store_path()


def migrations() -> list[tuple[int, str, str]]:
    """Every bundled migration as (version, name, sql), in order."""
    found = []
    for entry in resources.files("aicity.store.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if len(versions) != len(set(versions)):
        raise StoreError(f"two migrations share a number: {versions} (renumber the newer one)")
    return found


class Store:
    """One DuckDB database. Use ``Store.open(path)`` or ``Store.memory()``; close it or use ``with``."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path | None, read_only: bool) -> None:
        self._con = con
        self.path = path
        self.read_only = read_only
        self._depth = 0
        self._lock = threading.RLock()
        # clean-ups a failed statement blocked (DuckDB refuses all but ROLLBACK in an aborted
        # transaction): run right after the ROLLBACK
        self._after_rollback: list[Callable[[], Any]] = []
        # extensions download at run time and fail offline; fail fast instead of trying HTTP
        con.execute("SET autoinstall_known_extensions = false")
        con.execute("SET autoload_known_extensions = false")

    # ----- opening -------------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        read_only: bool = False,
        create: bool = True,
    ) -> Store:
        """Open (and, unless read-only, migrate) the store at ``path``.

        A missing store is created only when writing with ``create`` (ingest, demo); commands that work on
        existing data pass ``create=False`` so a mistyped --db is an error, not a new empty file.
        """
        target = Path(path) if path is not None else default_path()
        if (read_only or not create) and not target.exists():
            raise StoreError(
                f"{target}: no store found (run `aicity demo` or `aicity ingest` first, or pass --db)"
            )
        if target.is_dir():
            raise StoreError(f"{target}: is a folder, not a store file (pass --db a file path)")
        if not read_only and target.parent and not target.parent.exists():
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"{target}: cannot create its folder: {exc.strerror} "
                    "(pass --db a path in a folder you can write to)"
                ) from exc
        try:
            con = duckdb.connect(str(target), read_only=read_only)
        except duckdb.Error as exc:
            raise open_error(exc, target) from exc
        store = cls(con, target, read_only)
        try:
            if read_only and store._needs_migration():
                # a store written by an older aicity: brought up to date once, then read as asked
                con.close()
                cls.open(target).close()
                return cls.open(target, read_only=True)
            if read_only:
                store._check_version()
            else:
                store.migrate()
        except BaseException:
            con.close()
            raise
        return store

    def _needs_migration(self) -> bool:
        known = max((v for v, _, _ in migrations()), default=0)
        return 0 < self.schema_version() < known

    @classmethod
    @contextmanager
    def snapshot(cls, path: str | os.PathLike[str] | None = None) -> Iterator[Store]:
        """A read-only store over a private copy of ``path`` (and its ``.wal``), removed on exit.

        The copy is taken under a read-only connection to the original, so no writer can change the
        file half-way through it; that connection is closed once the copy is made, so an ingest can
        then write the original while the copy keeps answering (``aicity serve``).
        """
        target = Path(path) if path is not None else default_path()
        folder = Path(tempfile.mkdtemp(prefix="aicity-snapshot-"))
        copy = folder / "store.duckdb"
        try:
            # the original's read-only open: no writer can hold or take it while the bytes are copied
            with cls.open(target, read_only=True):
                try:
                    shutil.copyfile(target, copy)
                    wal = target.with_name(target.name + ".wal")
                    if wal.exists():
                        shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
                except OSError as exc:
                    raise StoreError(
                        f"{target}: cannot copy the store to {folder}: {exc.strerror} "
                        "(free space there, or set TMPDIR to a folder with room)"
                    ) from exc
            with cls.open(copy, read_only=True) as store:
                yield store
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    @classmethod
    def memory(cls) -> Store:
        """A fresh, migrated in-memory store (tests, scratch work)."""
        store = cls(duckdb.connect(":memory:"), None, False)
        store.migrate()
        return store

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The raw DuckDB connection, for the Ibis backend in ``aicity.inventory`` only."""
        return self._con

    # ----- migrations ----------------------------------------------------------------------------
    def schema_version(self) -> int:
        exists = self._con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
        ).fetchone()
        if not exists or exists[0] == 0:
            return 0
        row = self._con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
        return int(row[0]) if row else 0

    def _check_version(self) -> None:
        known = max((v for v, _, _ in migrations()), default=0)
        current = self.schema_version()
        if current > known:
            raise StoreError(
                f"{self.path}: schema version {current} is newer than this aicity knows ({known}) "
                "(upgrade aicity)"
            )
        if current < known:
            raise StoreError(
                f"{self.path}: schema version {current}, expected {known} "
                "(open it once without read-only to migrate it)"
            )

    def migrate(self) -> list[int]:
        """Apply every bundled migration newer than the store's version; return the versions applied."""
        self._con.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
        )
        current = self.schema_version()
        all_migrations = migrations()
        known = max((v for v, _, _ in all_migrations), default=0)
        if current > known:
            self._check_version()
        applied = []
        for version, name, sql in all_migrations:
            if version <= current:
                continue
            try:
                with self.transaction():
                    self._con.execute(sql)
                    self._con.execute(
                        "INSERT INTO schema_version (version, name) VALUES (?, ?)", [version, name]
                    )
            except duckdb.Error as exc:
                raise StoreError(f"migration {version:03d}_{name}.sql failed: {exc}") from exc
            applied.append(version)
        return applied

    # ----- transactions and helpers --------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Everything inside commits together or not at all. Nested blocks join the outer one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            self._con.execute("BEGIN TRANSACTION")
            self._depth = 1
            try:
                yield self
            except BaseException:
                self._depth = 0
                self._con.execute("ROLLBACK")
                while self._after_rollback:
                    self._after_rollback.pop()()
                raise
            self._depth = 0
            self._con.execute("COMMIT")

    @contextmanager
    def unordered_inserts(self) -> Iterator[Store]:
        """Bulk appends whose row order in the table does not matter (readers order explicitly).

        DuckDB then keeps the row groups each thread wrote; preserving insertion order instead
        rewrites them all at the next checkpoint (about 1 s per million firm rows, paid on close).
        """
        with self._lock:
            before = self._con.execute(
                "SELECT current_setting('preserve_insertion_order')"
            ).fetchone()
            self._con.execute("SET preserve_insertion_order = false")
            try:
                yield self
            finally:
                value = "true" if before is None or before[0] else "false"
                restore = f"SET preserve_insertion_order = {value}"
                try:
                    self._con.execute(restore)
                except (
                    duckdb.TransactionException
                ):  # the transaction is aborted: after its ROLLBACK
                    self._after_rollback.append(lambda: self._con.execute(restore))

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> None:
        """Run one statement for its effect."""
        with self._lock:
            self._con.execute(sql, params) if params is not None else self._con.execute(sql)

    def fetch_df(
        self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
    ) -> pd.DataFrame:
        """Run a query and return its result as a pandas DataFrame."""
        with self._lock:
            cur = self._con.execute(sql, params) if params is not None else self._con.execute(sql)
            return cur.df()

    def fetch_arrow(
        self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
    ) -> pa.Table:
        """Run a query and return its result as an Arrow table: for big results, whose
        ``to_pandas()`` is several times faster than :meth:`fetch_df` (1.4 s against 8.4 s on 1M
        firms' text columns)."""
        with self._lock, warnings.catch_warnings():
            # DuckDB warns that a DB-API result is copied to Arrow: cheap next to df()
            warnings.simplefilter("ignore", UserWarning)
            cur = self._con.execute(sql, params) if params is not None else self._con.execute(sql)
            return cur.to_arrow_table()

    def fetch_one(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        """Run a query and return the first column of its first row (or None)."""
        with self._lock:
            cur = self._con.execute(sql, params) if params is not None else self._con.execute(sql)
            row = cur.fetchone()
            return row[0] if row else None

    def insert_df(self, table: str, df: pd.DataFrame) -> int:
        """Append the frame's rows to ``table`` by column name (columns absent from ``df`` get defaults)."""
        if not _IDENTIFIER.match(table):
            raise StoreError(f"bad table name {table!r} (expected a plain identifier)")
        if df.empty:
            return 0
        columns = ", ".join(f'"{c}"' for c in df.columns)
        view = f"_insert_{table}_{id(df)}"
        with self._lock:
            self._con.register(view, df)
            try:
                if table in _KEY_CHECKS:  # keys the store checks itself (no index holds them)
                    _KEY_CHECKS[table](self, view)
                self._con.execute(
                    f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM "{view}"'
                )
            except duckdb.ConstraintException as exc:
                raise constraint_error(exc, table) from exc
            finally:
                self.unregister(view)
        return len(df)

    def register(self, name: str, frame: Any) -> None:
        """Expose a pandas frame or Arrow table to SQL as ``name`` (for set-based upserts)."""
        with self._lock:
            self._con.register(name, frame)

    def unregister(self, name: str) -> None:
        with self._lock:
            try:
                self._con.unregister(name)
            except duckdb.TransactionException:  # the transaction is aborted: after its ROLLBACK
                self._after_rollback.append(lambda: self._con.unregister(name))

    def table_counts(self) -> dict[str, int]:
        """Row counts of every base table (schema_version excluded)."""
        names = self.fetch_df(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' AND table_name <> 'schema_version' ORDER BY table_name"
        )["table_name"]
        return {n: int(self.fetch_one(f'SELECT count(*) FROM "{n}"')) for n in names}


# table -> check run on a frame before ``insert_df`` appends it: check(store, registered view name);
# the store's domain modules add theirs (aicity.store.enterprises_keys), so this module imports none
_KEY_CHECKS: dict[str, Callable[[Store, str], None]] = {}


def check_before_insert(table: str, check: Callable[[Store, str], None]) -> None:
    """Run ``check`` on every frame ``Store.insert_df`` is about to append to ``table``."""
    _KEY_CHECKS[table] = check


_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")


def open_error(exc: duckdb.Error, target: Path) -> StoreError:
    """Why DuckDB could not open ``target``, as one line with the fix."""
    text = str(exc)
    first = text.splitlines()[0] if text else type(exc).__name__
    if "Could not set lock" in text or "Conflicting lock" in text:
        holder = _LOCK_HOLDER.search(text)
        who = f"process {holder.group('pid')}" if holder else "another process"
        return StoreError(
            f"{target}: store is busy: {who} has it open (an ingest, demo or `aicity serve`); "
            "retry when it has finished"
        )
    if "not a valid DuckDB database" in text or "Could not read enough bytes" in text:
        return StoreError(
            f"{target}: not a DuckDB store, or a truncated one; nothing was changed "
            "(pass --db the right file, or restore it from a copy)"
        )
    if "Permission denied" in text or "Read-only file system" in text:
        return StoreError(
            f"{target}: cannot open the store for writing: permission denied "
            "(pass --db a file in a folder you can write to)"
        )
    return StoreError(f"{target}: cannot open the store: {first}")


def constraint_error(exc: duckdb.ConstraintException, table: str) -> StoreError:
    """DuckDB's constraint violation as one line naming the table, the key and the fix."""
    against_store = _DUPLICATE.search(str(exc))
    match = against_store or _DUPLICATE_WITHIN.search(str(exc))
    if match is None:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return StoreError(f"{table}: {text} (nothing written)")
    key = match.groupdict().get("key") or "key"
    if key.upper().startswith("COALESCE(CREDIT_CODE"):  # migration 008's firm-key index
        key = "firm"
    return duplicate_key(table, key, match.group("value"), stored=against_store is not None)


def duplicate_key(table: str, key: str, value: str, *, stored: bool) -> DuplicateKey:
    """A refused write as one line: ``key`` (a column, ``firm`` for the enterprises firm key, or
    ``key`` when the write repeated a key it did not name) holds ``value`` in a stored row
    (``stored``) or twice in the write."""
    if key == "firm" or value.startswith("name:"):
        # the enterprises firm key (migration 008): credit code, else normalised name and city
        if value.startswith("name:"):
            name, _, city = value[len("name:") :].rpartition("@")
            what = f"a firm named {name!r} in city {city} (no credit code)"
        else:
            what = f"credit code {value!r}"
        if stored:
            reason = f"{what} is already stored under another enterprise_id"
            fix = "a firm has one row: reuse its enterprise_id, or leave enterprise_id empty"
        else:
            reason = f"{what} is given twice with different enterprise_ids"
            fix = "a firm has one row: drop or merge the repeat"
        return DuplicateKey(reason, table=table, key="firm", value=value, fix=fix)
    if stored:
        reason = f"{key} {value!r} is already stored"
        fix = "a key names one row: change it, or let `aicity ingest` update the stored row"
    else:
        reason = f"{key} {value!r} is given twice"
        fix = "a key names one row: drop or change the repeat"
    return DuplicateKey(reason, table=table, key=key, value=value, fix=fix)
