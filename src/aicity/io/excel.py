"""Reading XLSX workbooks, zip bombs refused before any member is inflated."""

from __future__ import annotations

import io
import zipfile

import pandas as pd

from aicity.errors import InputError

# An XLSX is a zip archive, and a few kB of zip can inflate to gigabytes (a zip bomb). Workbooks past
# these limits are refused before any member is inflated. Real sheets deflate 5-30x, very repetitive
# ones about 100x; Excel's largest sheet (1,048,576 rows) of short cells is well under 1 GiB of XML.
MAX_XLSX_INFLATED = 1 << 30
MAX_XLSX_RATIO = 250
_SMALL_MEMBER = 1 << 20  # members up to 1 MiB inflated are never a bomb, whatever their ratio


def _check_zip(data: bytes, name: str) -> None:
    """Refuse a workbook whose members would inflate past the size or ratio limits (zip bombs)."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise InputError("not a readable XLSX workbook (not a zip archive)", file=name) from exc
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _SMALL_MEMBER and ratio > MAX_XLSX_RATIO:
            raise InputError(
                f"workbook member {member.filename!r} would inflate {ratio:,.0f} times "
                f"(limit {MAX_XLSX_RATIO}), as a zip bomb does; nothing read",
                file=name,
                fix="re-save the workbook from a spreadsheet program, or export it as CSV",
            )
    if total > MAX_XLSX_INFLATED:
        raise InputError(
            f"workbook would inflate to {total / (1 << 20):,.0f} MiB "
            f"(limit {MAX_XLSX_INFLATED >> 20} MiB); nothing read",
            file=name,
            fix="split it, or export it as CSV (read in pieces, no size limit)",
        )
    # The directory may lie: inflate every member once here, counting the bytes it really gives, and
    # stop as soon as it passes what the directory says (the reader is then bounded by the directory).
    for member in members:
        inflated = _inflated_size(data, member, member.file_size, name)
        if inflated is not None and inflated != member.file_size:
            raise InputError(
                f"workbook member {member.filename!r} inflates to "
                f"{'more than ' if inflated > member.file_size else ''}{inflated:,} bytes, but its "
                f"zip directory says {member.file_size:,}: a zip that lies about its sizes; nothing read",
                file=name,
                fix="re-save the workbook from a spreadsheet program, or export it as CSV",
            )


def _inflated_size(data: bytes, member: zipfile.ZipInfo, limit: int, name: str) -> int | None:
    """Bytes a deflated member really inflates to, counted in 1 MiB steps and no further than just past
    ``limit``; None for a member that is not deflated (a stored one is never larger than the file)."""
    import struct
    import zlib

    if member.compress_type != zipfile.ZIP_DEFLATED:
        return None
    start = member.header_offset
    if data[start : start + 4] != b"PK\x03\x04":
        raise InputError(
            f"not a readable XLSX workbook (member {member.filename!r} has no local header)",
            file=name,
        )
    name_length, extra_length = struct.unpack_from("<HH", data, start + 26)
    view = memoryview(data)[start + 30 + name_length + extra_length :]
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    count, position, step = 0, 0, 1 << 20
    try:
        pending = b""
        while not inflater.eof and count <= limit:
            if inflater.unconsumed_tail:
                pending = inflater.unconsumed_tail
            elif position < len(view):
                pending = view[position : position + step]
                position += step
            else:
                break  # the data ends before the deflate stream does: the reader will say so
            count += len(inflater.decompress(pending, step))
    except zlib.error:
        return None  # broken data: the reader reports the workbook as unreadable
    return count


def read_workbook(data: bytes, name: str, sheet: str | None) -> tuple[pd.DataFrame, str]:
    """One sheet (the first unless named) as text cells, fully empty rows dropped, and its name."""
    _check_zip(data, name)
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
    try:
        frame = pd.read_excel(book, sheet_name=chosen, dtype=str)
    except Exception as exc:  # calamine's own error types for a broken sheet
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(
            f"not a readable XLSX workbook: sheet {chosen!r}: {first}",
            file=name,
            fix="re-save the workbook from a spreadsheet program, or export it as CSV",
        ) from exc
    frame = frame.dropna(how="all")
    frame = frame.astype("string")
    frame.columns = [str(c) for c in frame.columns]
    return frame, chosen
