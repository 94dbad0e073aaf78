"""Text encodings of CSV files: UTF-8 (with or without BOM), GB18030/GBK by fallback, UTF-16 with a BOM.

Decoding happens in Python (DuckDB's encodings extension is not available offline), chunk by chunk, so
a big file never exists as one Python str. Errors name the file line (or byte) where decoding failed,
and a file whose lines mix encodings is refused as such.
"""

from __future__ import annotations

import codecs

from aicity.errors import InputError

FALLBACK_ENCODINGS = ("utf-8-sig", "gb18030")

_CHUNK = 1 << 23  # 8 MB: transcoding in chunks never holds the whole file as one Python str


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
    bad: dict[str, int] = {}  # encoding -> byte offset of its first error
    prefix_error = _utf8_prefix_error(data)
    if prefix_error is not None:  # decide on the first 64 KB instead of failing late on a big file
        candidates.remove("utf-8-sig")
        bad["utf-8-sig"] = prefix_error
        mixed = _mixed_encodings(data, name, prefix_error)
        if mixed is not None:
            raise mixed
    for candidate in candidates:
        try:
            return _transcode(data, candidate), candidate
        except UnicodeDecodeError as exc:
            mixed = _mixed_encodings(data, name, exc.start) if _is_utf8(candidate) else None
            if mixed is not None:
                raise mixed from None
            bad[candidate] = exc.start
    lines = {enc: _line_of(data, offset) for enc, offset in bad.items()}
    raise InputError(
        f"cannot decode as UTF-8 (from line {lines.get('utf-8-sig', 1)}) or as GB18030 "
        f"(from line {lines.get('gb18030', 1)}); a file whose lines mix encodings fails so",
        file=name,
        fix="pass --encoding with the file's encoding, or save the whole file again as UTF-8",
    )


def _line_of(data: bytes, offset: int) -> int:
    """The 1-based line (counted by line breaks) holding byte ``offset``."""
    return data.count(b"\n", 0, offset) + 1


def _mixed_encodings(data: bytes, name: str, offset: int) -> InputError | None:
    """The error for a file that is UTF-8 (with Chinese text) up to the line holding ``offset`` and not
    from there on; None when the lines before it are plain ASCII (then it may be GB18030 throughout)."""
    start = data.rfind(b"\n", 0, offset) + 1
    if data[:start].isascii():
        return None
    line = _line_of(data, offset)
    end = data.find(b"\n", offset)
    try:
        bytes(data[start : end if end >= 0 else len(data)]).decode("gb18030")
        reads_as = "it reads as GB18030"
    except UnicodeDecodeError:
        reads_as = "nor GB18030"
    return InputError(
        f"mixed encodings: lines 1-{line - 1} are UTF-8 but line {line} is not ({reads_as}); "
        "nothing read",
        file=name,
        fix="save the whole file again in one encoding (UTF-8), then ingest it; --encoding names "
        "one encoding for every line",
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
            raise at_offset(exc, start) from None
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
            raise at_offset(exc, start) from None


def at_offset(exc: UnicodeDecodeError, start: int) -> UnicodeDecodeError:
    """The same error with positions counted from the start of the file (chunks may carry over bytes)."""
    return UnicodeDecodeError(
        exc.encoding, exc.object, max(0, start + exc.start), max(0, start + exc.end), exc.reason
    )


def _utf8_prefix(data: bytes) -> bool:
    return _utf8_prefix_error(data) is None


def _utf8_prefix_error(data: bytes) -> int | None:
    """The offset of the first byte that is not UTF-8 in the first 64 KB, or None."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data[:65536], final=False)
    except UnicodeDecodeError as exc:
        return exc.start
    return None


def decode_error(
    data: bytes, name: str, encoding: str | None, exc: UnicodeDecodeError
) -> InputError:
    """The file-level error for bytes the codec refused while parsing, naming the file's byte offset
    (pyarrow's transcoder only knows offsets within its block, so the file is decoded once more)."""
    try:
        to_utf8(data, name, encoding)
    except InputError as precise:
        return precise
    return InputError(f"cannot decode ({exc.reason})", file=name, fix="pass the right --encoding")


def csv_encoding(
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
    bad = _utf8_prefix_error(data)
    if bad is None:
        try:
            return _transcode(data, "utf-8-sig"), None, "utf-8-sig"
        except UnicodeDecodeError as exc:
            bad = exc.start
    # not UTF-8 from byte `bad` on: GB18030, unless the lines before it hold UTF-8 Chinese text
    mixed = _mixed_encodings(data, name, bad)
    if mixed is not None:
        raise mixed
    return None, "gb18030", "gb18030"
