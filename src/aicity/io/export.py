"""Guarded spreadsheet output: every CSV and Excel workbook the project writes goes through here.

CSV/Excel formula injection (OWASP "CSV Injection"): a text cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return can run as a formula when the file is opened in a spreadsheet, e.g. a firm
named ``=HYPERLINK("http://x","y")``. The rules:

* **CSV**: such a text cell gets a leading apostrophe (``'=HYPERLINK(...)``), which spreadsheets show as
  text. Numbers stay numbers: ``-1.5`` in a numeric column is written as ``-1.5``. Rows end with CRLF
  (RFC 4180), so a value holding a CR or LF is quoted and cannot split a row.
* **xlsx**: every text cell is written with ``write_string`` (a shared-string cell, never a formula), the
  workbook is opened with ``strings_to_formulas`` off as a second guard, and a formula-like string gets
  Excel's quote prefix (the cell format behind a typed ``'``), so it stays text even when edited. The
  text itself is kept exactly as stored.

``to_csv`` / ``csv_text`` and ``write_workbook`` / ``write_sheet`` are the only writers; a new export
uses them rather than ``DataFrame.to_csv`` or ``DataFrame.to_excel``.
"""

from __future__ import annotations

import contextlib
import io
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
}


def is_formula_like(text: str) -> bool:
    """True when a text cell would be read as a formula by a spreadsheet."""
    return text.startswith(FORMULA_PREFIXES)


def guard_text(value: Any) -> Any:
    """A text value with a leading apostrophe when it looks like a formula; anything else unchanged."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def _is_plain(dtype) -> bool:
    """Numbers, booleans and datetimes: never text, never prefixed."""
    return (
        pd.api.types.is_numeric_dtype(dtype)
        or pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_datetime64_any_dtype(dtype)
    )


def _guard_index(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return index.set_levels([_guard_index(level) for level in index.levels])
    if _is_plain(index.dtype):
        return index
    return pd.Index([guard_text(v) for v in index], name=guard_text(index.name), dtype=object)


def guard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every formula-like text cell (and column or index label) prefixed with
    ``'``. Numeric, boolean and datetime columns are left as they are."""
    out = frame.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if not _is_plain(column.dtype):
            out.isetitem(i, column.astype(object).map(guard_text))
    out.columns = _guard_index(out.columns)
    out.index = _guard_index(out.index)
    return out


def csv_text(frame: pd.DataFrame, index: bool = False, **kwargs: Any) -> str:
    """The frame as guarded CSV text (RFC 4180 CRLF rows, so a CR or LF inside a value is quoted)."""
    kwargs.setdefault("lineterminator", "\r\n")
    return guard_frame(frame).to_csv(index=index, **kwargs)


def to_csv(frame: pd.DataFrame, path: str | Path, index: bool = False, **kwargs: Any) -> Path:
    """Write ``frame`` to ``path`` as guarded CSV (utf-8 and CRLF rows unless told otherwise)."""
    kwargs.setdefault("encoding", "utf-8")
    kwargs.setdefault("lineterminator", "\r\n")
    path = Path(path)
    guard_frame(frame).to_csv(path, index=index, **kwargs)
    return path


# ----- xlsx ---------------------------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _write_cell(sheet, row: int, col: int, value: Any, quoted, date_format) -> None:
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        with contextlib.suppress(TypeError, ValueError):
            value = value.item()  # numpy scalars -> python
    if _is_missing(value):
        sheet.write_blank(row, col, None)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            sheet.write_blank(row, col, None)
        else:
            sheet.write_number(row, col, number)
    elif isinstance(value, pd.Timestamp):
        stamp = value.tz_localize(None) if value.tzinfo is not None else value
        sheet.write_datetime(row, col, stamp.to_pydatetime(), date_format)
    else:
        # Always a string cell: formula-looking text stays text.
        text = value if isinstance(value, str) else str(value)
        if is_formula_like(text):
            sheet.write_string(row, col, text, quoted)
        else:
            sheet.write_string(row, col, text)


def write_sheet(
    workbook,
    sheet_name: str,
    frame: pd.DataFrame,
    header_format=None,
    widths: Mapping[str, float] | None = None,
    filters: bool = True,
    comments: Mapping[str, str] | None = None,
    validations: Mapping[str, Validation] | None = None,
):
    """Add ``frame`` as a sheet (header row, frozen; autofilter) written cell by cell: text with
    ``write_string``, numbers with ``write_number``, missing values blank. The index is not written.

    ``comments`` puts a note on a column's header cell (a spreadsheet comment: readers of the data never
    see it); ``validations`` gives a column a drop-down list (see :class:`Validation`) on its data rows.
    Returns the worksheet."""
    formats = getattr(workbook, "_aicity_formats", None)
    if formats is None:
        formats = {
            "quoted": workbook.add_format({"quote_prefix": True}),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        }
        workbook._aicity_formats = formats
    sheet = workbook.add_worksheet(sheet_name[:31])
    for col, name in enumerate(frame.columns):
        sheet.write_string(0, col, str(name), header_format)
    for r, row in enumerate(frame.itertuples(index=False), start=1):
        for c, value in enumerate(row):
            _write_cell(sheet, r, c, value, formats["quoted"], formats["date"])
    sheet.freeze_panes(1, 0)
    if filters and len(frame.columns):
        sheet.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
    for c, name in enumerate(frame.columns):
        width = (widths or {}).get(name, min(60, max(8, len(str(name)) * 2 + 2)))
        sheet.set_column(c, c, width)
    for c, name in enumerate(frame.columns):
        note = (comments or {}).get(name)
        if note:  # a comment is shown text, never evaluated
            sheet.write_comment(0, c, str(note), {"x_scale": 2, "y_scale": 1.5})
        rule = (validations or {}).get(name)
        if rule is not None:
            sheet.data_validation(1, c, max(rule.rows, len(frame)), c, rule.options())
    return sheet


@dataclass(frozen=True)
class Validation:
    """A drop-down list on a column's data rows: the allowed values stand in column ``column`` of sheet
    ``sheet`` (written there with the guarded writer, rows 2 to ``n + 1``). ``strict`` refuses other
    values; otherwise Excel warns and lets the user keep theirs (e.g. a new unit or indicator code)."""

    sheet: str
    column: int
    n: int
    strict: bool = True
    rows: int = 1000
    title: str = ""
    message: str = ""

    def options(self) -> dict[str, Any]:
        letters = _column_letters(self.column)
        name = self.sheet.replace("'", "''")
        options: dict[str, Any] = {
            "validate": "list",
            # a range reference built here from our own sheet name and counts, not from cell text
            "source": f"='{name}'!${letters}$2:${letters}${max(self.n, 1) + 1}",
            "error_type": "stop" if self.strict else "warning",
        }
        if self.title or self.message:
            options["input_title"] = self.title[:32]
            options["input_message"] = self.message[:255]
        return options


def _column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def open_workbook(target: str | Path | io.BytesIO):
    """An xlsxwriter workbook with formula, URL and number conversion of strings switched off."""
    import xlsxwriter

    options = dict(WORKBOOK_OPTIONS)
    if isinstance(target, io.BytesIO):
        options["in_memory"] = True
        return xlsxwriter.Workbook(target, options)
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    return xlsxwriter.Workbook(str(path), options)


def write_workbook(
    sheets: Mapping[str, pd.DataFrame],
    target: str | Path | None = None,
    widths: Mapping[str, float] | None = None,
    comments: Mapping[str, Mapping[str, str]] | None = None,
    lists: Mapping[str, list[Any]] | None = None,
    validations: Mapping[str, Mapping[str, tuple[str, bool]]] | None = None,
    lists_sheet: str = "lists",
) -> bytes | Path:
    """Write one sheet per frame. With a ``target`` path the file is written and its path returned;
    without one the workbook's bytes are returned.

    Input workbooks (templates for the user to fill) may carry header ``comments`` ({sheet: {column:
    note}}) and drop-down ``lists`` ({list name: values}, written as one column each of a last sheet
    ``lists_sheet``), used by ``validations`` ({sheet: {column: (list name, strict)}})."""
    buffer = io.BytesIO() if target is None else None
    workbook = open_workbook(buffer if buffer is not None else target)
    header = workbook.add_format({"bold": True, "bg_color": "#F0F4F8", "border": 1})
    names = list(lists or {})
    try:
        for name, frame in sheets.items():
            rules = {
                column: Validation(
                    lists_sheet, names.index(list_name), len(lists[list_name]), strict
                )
                for column, (list_name, strict) in (validations or {}).get(name, {}).items()
                if lists and list_name in lists
            }
            write_sheet(
                workbook,
                name,
                frame,
                header,
                widths=widths,
                comments=(comments or {}).get(name),
                validations=rules,
            )
        if lists:
            longest = max(len(v) for v in lists.values())
            table = pd.DataFrame(
                {k: list(v) + [None] * (longest - len(v)) for k, v in lists.items()}, dtype=object
            )
            write_sheet(workbook, lists_sheet, table, header, filters=False)
    finally:
        workbook.close()
    return buffer.getvalue() if buffer is not None else Path(target)
