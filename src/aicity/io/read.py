"""Reading tables from files: CSV (UTF-8, UTF-8 with BOM, GB18030/GBK by fallback), XLSX and Parquet.

Every cell comes back as text (pandas ``string`` dtype) so validation sees exactly what the file holds.
Decoding happens in Python (DuckDB's encodings extension is not available offline); parsing uses
pyarrow's multithreaded CSV reader.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from aicity.errors import InputError

CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
FALLBACK_ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass
class RawTable:
    """A file's cells as text, plus where they came from."""

    frame: pd.DataFrame
    file: str
    sha256: str
    format: str
    encoding: str | None = None
    sheet: str | None = None
    first_row: int = 2  # file row number of the frame's first data row (header is row 1)


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_table(path: str | Path, sheet: str | None = None, encoding: str | None = None) -> RawTable:
    """Read one file. File-level problems raise ``InputError`` (unreadable, wrong format, empty)."""
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise InputError("file not found", file=name, fix="check the path")
    if path.is_dir():
        raise InputError("is a directory, expected a file", file=name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", file=name) from exc
    if not data or data.isspace():  # (isspace stops at the first other byte; strip would copy)
        raise InputError("file is empty", file=name, fix="expected a header row and data rows")
    digest = file_sha256(data)
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        table = _read_excel(data, name, sheet)
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
    table.sha256 = digest
    if table.frame.empty:
        raise InputError("no data rows", file=name, fix="expected a header row and data rows")
    return table


_CHUNK = 1 << 23  # 8 MB: transcoding in chunks never holds the whole file as one Python str
_BLOCK = 1 << 24  # pyarrow parses 16 MB blocks in parallel; each block becomes one Arrow batch


def decode(data: bytes, name: str, encoding: str | None) -> tuple[str, str]:
    """Decode bytes with the given encoding, or try UTF-8 (with or without BOM) then GB18030."""
    utf8, used = to_utf8(data, name, encoding)
    return bytes(utf8).decode("utf-8"), used


def to_utf8(data: bytes, name: str, encoding: str | None) -> tuple[memoryview | bytes, str]:
    """The file's bytes as UTF-8 (no BOM) and the encoding used: ``encoding`` if given, else UTF-8
    (with or without BOM), else GB18030. UTF-8 input comes back as a view of ``data`` (no copy);
    other encodings are transcoded chunk by chunk, so a 100 MB file never exists as one Python str
    (a str of Chinese text takes 2 bytes per character plus page faults to allocate it)."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise InputError(f"unknown encoding {encoding!r}", file=name) from exc
        try:
            return _transcode(data, encoding), encoding
        except UnicodeDecodeError as exc:
            raise InputError(
                f"cannot decode as {encoding} at byte {exc.start}",
                file=name,
                fix="pass the right --encoding (utf-8, gb18030)",
            ) from exc
    if data.startswith(
        (b"\xff\xfe", b"\xfe\xff")
    ):  # Excel's "Unicode text" export is UTF-16 with a BOM
        try:
            return _transcode(data, "utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError(f"cannot decode as UTF-16 at byte {exc.start}", file=name) from exc
    if b"\x00" in data[:4096]:
        raise InputError(
            "looks binary, not a text CSV", file=name, fix="save it as CSV, XLSX or Parquet"
        )
    candidates = list(FALLBACK_ENCODINGS)
    if not _utf8_prefix(data):  # decide on the first 64 KB instead of failing late on a big file
        candidates.remove("utf-8-sig")
    for candidate in candidates:
        try:
            return _transcode(data, candidate), candidate
        except UnicodeDecodeError:
            continue
    raise InputError(
        "cannot decode as UTF-8 or GB18030",
        file=name,
        fix="pass --encoding with the file's encoding",
    )


def _is_utf8(name: str) -> bool:
    return codecs.lookup(name).name in ("utf-8", "utf-8-sig")


def _transcode(data: bytes, encoding: str) -> memoryview | bytes:
    """UTF-8 bytes of ``data`` decoded as ``encoding``; raises UnicodeDecodeError with the file offset."""
    view = memoryview(data)
    if _is_utf8(encoding):
        _check_utf8(view)
        return view[3:] if data.startswith(codecs.BOM_UTF8) else view
    decoder = codecs.getincrementaldecoder(encoding)()
    parts: list[bytes] = []
    for start in range(0, len(data), _CHUNK):
        try:
            text = decoder.decode(view[start : start + _CHUNK], final=start + _CHUNK >= len(data))
        except UnicodeDecodeError as exc:
            raise _at_offset(exc, start) from None
        parts.append(text.encode("utf-8"))
        del text
    if not data:
        parts.append(decoder.decode(b"", final=True).encode("utf-8"))
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _check_utf8(view: memoryview) -> None:
    """Validate UTF-8 chunk by chunk without keeping the decoded text."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    for start in range(0, len(view), _CHUNK):
        try:
            decoder.decode(view[start : start + _CHUNK], final=start + _CHUNK >= len(view))
        except UnicodeDecodeError as exc:
            raise _at_offset(exc, start) from None


def _at_offset(exc: UnicodeDecodeError, start: int) -> UnicodeDecodeError:
    """The same error with positions counted from the start of the file (chunks may carry over bytes)."""
    return UnicodeDecodeError(
        exc.encoding, exc.object, max(0, start + exc.start), max(0, start + exc.end), exc.reason
    )


def _utf8_prefix(data: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data[:65536], final=False)
    except UnicodeDecodeError:
        return False
    return True


def _first_ragged_row(
    utf8: memoryview | bytes, delimiter: str, width: int
) -> tuple[int, int] | None:
    """(file line, field count) of the first row whose field count differs from the header's."""
    reader = csv.reader(io.StringIO(str(utf8, "utf-8", errors="replace")), delimiter=delimiter)
    for fields in reader:
        if fields and len(fields) != width:
            return reader.line_num, len(fields)
    return None


def _read_csv(data: bytes, name: str, encoding: str | None, tab: bool) -> RawTable:
    utf8, codec, used = _csv_encoding(data, name, encoding)
    if utf8 is not None:  # UTF-8: pyarrow reads the bytes as they are (a view, no copy)
        head = bytes(utf8[:65536])
    else:  # pyarrow transcodes block by block in a reader thread, overlapping with parsing
        assert codec is not None
        try:
            text = codecs.getincrementaldecoder(codec)().decode(data[:65536], final=False)
        except UnicodeDecodeError as exc:
            raise _decode_error(data, name, encoding, exc) from None
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
    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(utf8 if utf8 is not None else data)),
            read_options=pacsv.ReadOptions(block_size=_BLOCK, encoding=codec or "utf8"),
            # a line break inside a value needs quotes; without any '"' byte (never part of a
            # multi-byte character in UTF-8 or GB18030) the parser may split blocks at line ends
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=b'"' in data),
            convert_options=pacsv.ConvertOptions(
                # large_string: blocks of any size combine without 2 GB offset limits
                column_types={n: pa.large_string() for n in names},
                strings_can_be_null=True,
                null_values=[""],
                quoted_strings_can_be_null=True,
            ),
        )
    except UnicodeDecodeError as exc:
        raise _decode_error(data, name, encoding, exc) from None
    except pa.ArrowInvalid as exc:
        if utf8 is None:
            utf8 = to_utf8(data, name, used)[0]
        line = _first_ragged_row(utf8, delimiter, len(names))
        if line is not None:
            number, count = line
            raise InputError(
                f"expected {len(names)} fields as in the header, got {count}",
                file=name,
                row=number,
                fix="check quoting and delimiters on that line",
            ) from exc
        raise InputError(
            f"not a readable CSV table: {exc}",
            file=name,
            fix="check quoting and the number of columns per row",
        ) from exc
    frame = _arrow_frame(table)
    return RawTable(frame, name, "", "csv", encoding=used)


def _decode_error(
    data: bytes, name: str, encoding: str | None, exc: UnicodeDecodeError
) -> InputError:
    """The file-level error for bytes the codec refused while parsing, naming the file's byte offset
    (pyarrow's transcoder only knows offsets within its block, so the file is decoded once more)."""
    try:
        to_utf8(data, name, encoding)
    except InputError as precise:
        return precise
    return InputError(f"cannot decode ({exc.reason})", file=name, fix="pass the right --encoding")


def _csv_encoding(
    data: bytes, name: str, encoding: str | None
) -> tuple[memoryview | bytes | None, str | None, str]:
    """How to decode a CSV: (its UTF-8 bytes, or None when pyarrow should transcode with the codec,
    that codec, the encoding recorded for the file).

    UTF-8 (and UTF-16, rare and small) are checked and converted here; other encodings are decoded
    while parsing, and a decoding error there is reported by :func:`to_utf8`, which names the offset.
    """
    if encoding:
        try:
            info = codecs.lookup(encoding)
        except LookupError as exc:
            raise InputError(f"unknown encoding {encoding!r}", file=name) from exc
        if _is_utf8(encoding) or info.name.startswith("utf-16"):
            return to_utf8(data, name, encoding)[0], None, encoding
        return None, info.name, encoding
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        utf8, used = to_utf8(data, name, None)  # UTF-16 with a BOM, or the binary-file error
        return utf8, None, used
    if _utf8_prefix(data):
        try:
            return _transcode(data, "utf-8-sig"), None, "utf-8-sig"
        except UnicodeDecodeError:
            pass
    return None, "gb18030", "gb18030"


def _arrow_frame(table: pa.Table) -> pd.DataFrame:
    """Text columns wrapped as pandas ``string`` arrays over the Arrow buffers: no copy.

    ``Table.to_pandas`` builds pandas' ``str`` columns cell by cell (1.3 s per million rows here).
    """
    return pd.DataFrame(
        {name: pd.arrays.ArrowStringArray(table.column(name)) for name in table.column_names},
        columns=table.column_names,
    )


def _read_excel(data: bytes, name: str, sheet: str | None) -> RawTable:
    try:
        book = pd.ExcelFile(io.BytesIO(data), engine="calamine")
    except Exception as exc:  # calamine raises its own types for broken workbooks
        raise InputError(f"not a readable XLSX workbook ({type(exc).__name__})", file=name) from exc
    sheets = [str(s) for s in book.sheet_names]
    if sheet is not None and sheet not in sheets:
        raise InputError(
            f"no sheet named {sheet!r}",
            file=name,
            fix=f"sheets in this workbook: {', '.join(sheets)}",
        )
    chosen = sheet if sheet is not None else sheets[0]
    frame = pd.read_excel(book, sheet_name=chosen, dtype=str)
    frame = frame.dropna(how="all")
    frame = frame.astype("string")
    frame.columns = [str(c) for c in frame.columns]
    return RawTable(frame, name, "", "xlsx", sheet=chosen)


def _read_parquet(data: bytes, name: str) -> RawTable:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"not a readable Parquet file: {exc}", file=name) from exc
    frame = table.to_pandas()
    frame = frame.astype("string")
    return RawTable(frame, name, "", "parquet", first_row=1)
