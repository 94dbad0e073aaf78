"""Reading tables from files: CSV (UTF-8, UTF-8 with BOM, GB18030/GBK by fallback), XLSX and Parquet.

Every cell comes back as text (pandas ``string`` dtype) so validation sees exactly what the file holds.
Decoding happens in Python (DuckDB's encodings extension is not available offline); parsing uses
pyarrow's multithreaded CSV reader. A big CSV is handed out in blocks as it is decoded and parsed
(:meth:`RawTable.blocks`), so checking can start before the last block is read.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import queue
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from aicity.errors import InputError
from aicity.io._arrow import whole_float_text
from aicity.io._iconv import Transcoded, piece_utf8
from aicity.io.encoding import at_offset, csv_encoding, decode_error, to_utf8
from aicity.io.excel import read_workbook

CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
PARQUET_SUFFIXES = {".parquet", ".pq"}


@dataclass
class RawTable:
    """A file's cells as text, plus where they came from.

    A CSV is parsed as a stream of blocks: :meth:`blocks` hands them out as pyarrow parses them
    (validation starts before the last block is read); ``frame`` is every block joined, read on first
    use. A file-level problem found in a later block raises ``InputError`` where it is met.
    """

    file: str
    sha256: str
    format: str
    encoding: str | None = None
    sheet: str | None = None
    first_row: int = 2  # file row number of the frame's first data row (header is row 1)
    columns: list[str] = field(default_factory=list)
    _frame: pd.DataFrame | None = None
    _pending: Iterator[pd.DataFrame] | None = None  # blocks not yet parsed (CSV)
    _released: bool = False  # blocks handed out with keep=False: no frame to give

    @classmethod
    def of(cls, frame: pd.DataFrame, file: str, format: str, **where: Any) -> RawTable:
        return cls(file, "", format, columns=[str(c) for c in frame.columns], _frame=frame, **where)

    @property
    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            for _ in self.blocks():
                pass
        assert self._frame is not None
        return self._frame

    def blocks(self, keep: bool = True) -> Iterator[pd.DataFrame]:
        """The rows in consecutive blocks (a CSV's Arrow batches; each block's index continues the
        last one's). Blocks still being parsed are handed out as they come, once; after that, and for
        other formats, the whole frame is one block. ``keep=False``: the blocks are not joined into
        ``frame`` afterwards (a big file's text is then freed as soon as its checks are done)."""
        if self._pending is None:
            if self._released:
                raise RuntimeError(f"{self.file}: its blocks were read once, with keep=False")
            yield self.frame
            return
        pending, self._pending = self._pending, None
        self._released = not keep
        seen: list[pd.DataFrame] = []
        for block in pending:
            if keep:
                seen.append(block)
            yield block
        if not keep:
            return
        self._frame = (
            pd.concat(seen)
            if seen
            else pd.DataFrame({c: pd.Series(dtype="string") for c in self.columns})
        )


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class FileBytes:
    """A file's bytes and their SHA-256, read once: the hash decides whether parsing is needed."""

    name: str
    data: bytes
    sha256: str
    suffix: str


def load(path: str | Path) -> FileBytes:
    """Read one file's bytes. Missing, unreadable or empty files raise ``InputError``."""
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise InputError("file not found", file=name, fix="check the path")
    if path.is_dir():
        raise InputError("is a directory, expected a file", file=name)
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(Path.cwd().resolve()):
            raise InputError(
                f"is a symbolic link to {target}, outside the working folder",
                file=name,
                fix="pass the file's own path if you mean to read it",
            )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", file=name) from exc
    if not data or data.isspace():  # (isspace stops at the first other byte; strip would copy)
        raise InputError("file is empty", file=name, fix="expected a header row and data rows")
    return FileBytes(name, data, file_sha256(data), path.suffix.lower())


def parse(file: FileBytes, sheet: str | None = None, encoding: str | None = None) -> RawTable:
    """Parse loaded bytes by the file's type. Wrong format or no data rows raise ``InputError``."""
    name, data, suffix = file.name, file.data, file.suffix
    if suffix in EXCEL_SUFFIXES:
        frame, chosen = read_workbook(data, name, sheet)
        table = RawTable.of(frame, name, "xlsx", sheet=chosen)
    elif suffix in PARQUET_SUFFIXES:
        table = _read_parquet(data, name)
    elif suffix in CSV_SUFFIXES:
        table = _read_csv(data, name, encoding, tab=suffix == ".tsv")
    else:
        raise InputError(
            f"unsupported file type {suffix or '(none)'!r}",
            file=name,
            fix="expected .csv, .tsv, .xlsx or .parquet",
        )
    table.sha256 = file.sha256
    if table._frame is not None and table._frame.empty:
        raise InputError("no data rows", file=name, fix="expected a header row and data rows")
    return table


def read_table(path: str | Path, sheet: str | None = None, encoding: str | None = None) -> RawTable:
    """Read and parse one file. File-level problems raise ``InputError`` (unreadable, wrong format,
    empty)."""
    return parse(load(path), sheet=sheet, encoding=encoding)


def _first_ragged_row(
    utf8: memoryview | bytes, delimiter: str, width: int
) -> tuple[int, int] | None:
    """(file line, field count) of the first row whose field count differs from the header's."""
    reader = csv.reader(io.StringIO(str(utf8, "utf-8", errors="replace")), delimiter=delimiter)
    try:
        for fields in reader:
            if fields and len(fields) != width:
                return reader.line_num, len(fields)
    except csv.Error:  # e.g. a cell past the csv module's field limit: pyarrow's message stands
        return None
    return None


def _header_span(source: memoryview | bytes, step: int = 65536) -> int:
    """Bytes to read to hold the first line: 64 KB, or up to its line break if it is longer."""
    end = step
    while end < len(source) and b"\n" not in bytes(source[end - step : end]):
        end += step
    return end


def _read_csv(data: bytes, name: str, encoding: str | None, tab: bool) -> RawTable:
    utf8, codec, used = csv_encoding(data, name, encoding)
    size = _header_span(utf8 if utf8 is not None else data)  # a header may be longer than 64 KB
    if utf8 is not None:  # UTF-8: pyarrow reads the bytes as they are (a view, no copy)
        head = bytes(utf8[:size])
    else:  # decoded piece by piece later (_csv_blocks); the header line now
        assert codec is not None
        try:
            text = codecs.getincrementaldecoder(codec)().decode(data[:size], final=False)
        except UnicodeDecodeError as exc:
            raise decode_error(data, name, encoding, exc) from None
        head = text.encode("utf-8")
    end = head.find(b"\n")  # the header line
    first_line = (head[:end] if end >= 0 else head).decode("utf-8").lstrip("\ufeff").rstrip("\r")
    delimiter = "\t" if tab or first_line.count("\t") > first_line.count(",") else ","
    names = next(csv.reader([first_line], delimiter=delimiter), [])
    if not any(n.strip() for n in names):
        raise InputError("no header row", file=name, fix="the first line must name the columns")
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise InputError(f"column {dup!r} appears twice in the header", file=name, column=dup)
    quoted = b'"' in data  # only a quoted value can hold a line break
    source = utf8 if utf8 is not None else memoryview(data)
    pieces: list[memoryview | bytes] = [source] if quoted else list(_pieces(source))
    if quoted and codec is not None:  # one piece: transcode it whole, here
        pieces = [to_utf8(data, name, encoding)[0]]
        codec = None
    stream = _csv_blocks(pieces, codec, names, delimiter, quoted, data, name, encoding, used)
    first = next(stream, None)  # the first block now: an unreadable start fails here, not later
    if first is None:
        stream.close()
        raise InputError("no data rows", file=name, fix="expected a header row and data rows")
    return RawTable(
        name, "", "csv", encoding=used, columns=names, _pending=itertools.chain([first], stream)
    )


_PIECE = 1 << 24  # 16 MB of the file per block: transcoded, parsed and validated while others are


def _pieces(source: memoryview | bytes) -> list[memoryview]:
    """The file cut into pieces of about _PIECE bytes that end at a line break.

    Safe without quotes only, and for UTF-8 and GB18030 alike: byte 0x0A is never part of a
    multi-byte character in either."""
    view = memoryview(source)
    pieces, start = [], 0
    while start < len(view):
        end = min(len(view), start + _PIECE)
        if end < len(view):
            newline = bytes(view[end : end + 65536]).find(b"\n")
            while newline < 0 and end < len(view):  # a very long line: look further
                end += 65536
                newline = bytes(view[end : end + 65536]).find(b"\n")
            end = len(view) if newline < 0 else end + newline + 1
        pieces.append(view[start:end])
        start = end
    return pieces


def _csv_blocks(
    pieces: list[memoryview | bytes],
    codec: str | None,
    names: list[str],
    delimiter: str,
    quoted: bool,
    data: bytes,
    name: str,
    encoding: str | None,
    used: str,
) -> Generator[pd.DataFrame, None, None]:
    """Each piece parsed as one block of rows. A thread transcodes pieces ahead (GB18030 through
    iconv, outside the GIL, where that gives what Python's codec gives; else Python's codec, which
    holds it; pyarrow's parser and the validation of earlier blocks do not), so decoding, parsing
    and checking overlap. iconv writes into buffers handed back once their piece is parsed (the
    parser copies the cells): a few buffers serve the whole file, without fresh pages each time."""
    ahead: queue.Queue[Transcoded | BaseException | None] = queue.Queue(2)
    spare: queue.SimpleQueue[np.ndarray] = queue.SimpleQueue()  # buffers free for the next piece
    stop = threading.Event()

    def offer(item: Transcoded | BaseException | None) -> None:
        while not stop.is_set():  # the reader may stop early (an error, a closed stream)
            try:
                ahead.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def transcode() -> None:
        offset = 0
        try:
            for piece in pieces:
                if stop.is_set():
                    return
                offer(
                    (*piece_utf8(piece, codec, spare, _PIECE), offset)
                    if codec
                    else (piece, None, offset)
                )
                offset += len(piece)
        except UnicodeDecodeError as exc:
            offer(at_offset(exc, offset))
        except BaseException as exc:
            offer(exc)
        offer(None)

    worker = threading.Thread(target=transcode, name="aicity-transcode", daemon=True)
    worker.start()
    start_row = 0
    try:
        while (item := ahead.get()) is not None:
            if isinstance(item, UnicodeDecodeError):
                raise decode_error(data, name, encoding, item)
            if isinstance(item, BaseException):
                raise item
            utf8, buffer, offset = item
            first = offset == 0
            try:
                table = _parse_piece(utf8, names, first, delimiter, quoted)
            except pa.ArrowInvalid as exc:
                lines_before = 0 if first else _lines_before(pieces, offset)
                raise _csv_problem(exc, utf8, delimiter, names, name, lines_before) from exc
            if buffer is not None:  # the parser copied the cells: the buffer serves a later piece
                del utf8
                spare.put(buffer)
            if table.num_rows:
                for batch in table.to_batches():
                    yield _arrow_frame(batch, start_row)
                    start_row += batch.num_rows
    finally:
        stop.set()
        worker.join()


def _parse_piece(
    utf8: bytes | memoryview,
    names: list[str],
    first: bool,
    delimiter: str,
    quoted: bool,
) -> pa.Table:
    # the piece as one block: one chunk per column, no copy to join a piece's blocks (the pieces
    # themselves are transcoded, parsed and checked in parallel). A UTF-8 file was checked whole
    # before, and a transcoded piece is the codec's own UTF-8, so pyarrow need not check it again
    whole = min(len(utf8) + 1, (1 << 31) - 1)
    table = pacsv.read_csv(
        pa.BufferReader(pa.py_buffer(utf8)),
        read_options=pacsv.ReadOptions(
            block_size=whole, column_names=names, skip_rows=1 if first else 0
        ),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=quoted),
        convert_options=pacsv.ConvertOptions(
            # large_string: blocks of any size join without 2 GB offset limits
            column_types={n: pa.large_string() for n in names},
            strings_can_be_null=True,
            null_values=[""],
            quoted_strings_can_be_null=True,
            check_utf8=False,
        ),
    )
    # (a piece is one block: one chunk per column, unless pyarrow cut it)
    return table if all(c.num_chunks <= 1 for c in table.columns) else table.combine_chunks()


def _lines_before(pieces: list[memoryview | bytes], offset: int) -> int:
    """Line breaks in the pieces before byte ``offset`` (the file lines before a later piece)."""
    count, seen = 0, 0
    for piece in pieces:
        if seen >= offset:
            break
        count += bytes(piece).count(b"\n")
        seen += len(piece)
    return count


def _csv_problem(
    exc: pa.ArrowInvalid,
    utf8: bytes | memoryview,
    delimiter: str,
    names: list[str],
    name: str,
    lines_before: int,
) -> InputError:
    line = _first_ragged_row(utf8, delimiter, len(names))
    if line is not None:
        number, count = line
        return InputError(
            f"expected {len(names)} fields as in the header, got {count}",
            file=name,
            row=lines_before + number,
            fix="check quoting and delimiters on that line",
        )
    return InputError(
        f"not a readable CSV table: {exc}",
        file=name,
        fix="check quoting and the number of columns per row",
    )


def _arrow_frame(batch: pa.RecordBatch, start: int = 0) -> pd.DataFrame:
    """Text columns wrapped as pandas ``string`` arrays over the Arrow buffers: no copy.

    ``to_pandas`` builds pandas' ``str`` columns cell by cell (1.3 s per million rows here).
    """
    return pd.DataFrame(
        {
            name: pd.arrays.ArrowStringArray(pa.chunked_array([batch.column(i)]))
            for i, name in enumerate(batch.schema.names)
        },
        columns=batch.schema.names,
        index=pd.RangeIndex(start, start + batch.num_rows),
    )


# rows per Parquet record batch: a big registry is checked (and, on a first load, written) batch by
# batch instead of being read whole (about 1 GB per million synthetic firms)
PARQUET_BATCH_ROWS = 1 << 17


def _read_parquet(data: bytes, name: str) -> RawTable:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"not a readable Parquet file: {exc}", file=name) from exc
    as_float = _integers_with_nulls(parquet)
    if as_float is None:  # what reading it whole would give is not known batch by batch
        return _read_parquet_whole(data, name)

    def frames() -> Iterator[pd.DataFrame]:
        start = 0
        try:
            for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS):
                if not batch.num_rows:
                    continue
                yield _parquet_frame(batch, as_float, start)
                start += batch.num_rows
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"not a readable Parquet file: {exc}", file=name) from exc

    stream = frames()
    first = next(stream, None)  # an unreadable start fails here, as a whole read would
    if first is None or first.empty:
        raise InputError("no data rows", file=name, fix="expected a header row and data rows")
    columns = [str(c) for c in first.columns]
    return RawTable(
        name, "", "parquet", columns=columns, first_row=1, _pending=itertools.chain([first], stream)
    )


def _integers_with_nulls(parquet: Any) -> set[str] | None:
    """The integer columns with a null anywhere in the file (read whole, pandas makes them floats:
    5 reads as '5.0'), by the row groups' statistics; None when a batch-by-batch read could differ
    from a whole one (no statistics, a stored pandas index, columns other than plain ones)."""
    schema = parquet.schema_arrow
    meta = schema.pandas_metadata or {}
    for index in meta.get("index_columns", []):  # only pandas' default index, 0, 1, 2, ...
        if not (isinstance(index, dict) and index.get("start") == 0 and index.get("step") == 1):
            return None
    if len(set(schema.names)) != len(schema.names):
        return None
    integers = {i: f.name for i, f in enumerate(schema) if pa.types.is_integer(f.type)}
    if parquet.metadata.num_columns != len(schema):  # nested columns: leaves are not fields
        return None if integers else set()
    nulls: set[str] = set()
    for group in range(parquet.metadata.num_row_groups):
        row_group = parquet.metadata.row_group(group)
        for index, column in integers.items():
            stats = row_group.column(index).statistics
            if stats is None or not stats.has_null_count:
                return None
            if stats.null_count:
                nulls.add(column)
    return nulls


def _parquet_frame(batch: pa.RecordBatch, as_float: set[str], start: int) -> pd.DataFrame:
    """One batch as the whole read gives it: pandas' view of each column, as text (the file's
    pandas metadata, whose index spans the whole file, left out). Text and whole-number columns are
    turned into text in Arrow (pandas formats each float in Python: 1 s per million cells)."""
    columns = {}
    for index, name in enumerate(batch.schema.names):
        column = batch.column(index)
        if name in as_float:
            column = column.cast(pa.float64())
        text = None
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            text = pd.arrays.ArrowStringArray(pa.chunked_array([column.cast(pa.large_string())]))
        elif pa.types.is_float64(column.type):
            text = whole_float_text(column)
        if text is None:
            text = pa.table({"c": column}).to_pandas()["c"].astype("string").array
        columns[name] = text
    frame = pd.DataFrame(columns, columns=batch.schema.names)
    frame.index = pd.RangeIndex(start, start + len(frame))
    return frame


def _read_parquet_whole(data: bytes, name: str) -> RawTable:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"not a readable Parquet file: {exc}", file=name) from exc
    frame = table.to_pandas()
    frame = frame.astype("string")
    return RawTable.of(frame, name, "parquet", first_row=1)
