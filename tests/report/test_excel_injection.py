"""The report workbook through the shared guarded writer: formula-like text (sources, indicator names)
is a string cell with Excel's quote prefix, never a formula; numbers, negative ones included, stay numbers."""

from __future__ import annotations

import dataclasses

import openpyxl
import pandas as pd

from aicity.report.excel import write_excel

PAYLOADS = ['=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "-2+3", "\tx", "\rx"]


def test_report_xlsx_writes_formula_like_text_as_text_and_keeps_numbers(report_data, tmp_path):
    sources = pd.DataFrame(
        {
            "source_id": [1, 2, 3],
            "url": PAYLOADS[:3],
            "publisher": PAYLOADS[3:],
            "title": ["a", "b", "c"],
            "reliability": ["A", "B", "C"],
        }
    )
    values = report_data.run.values.copy()
    values.loc[values.index[0], "value"] = -1.5
    run = dataclasses.replace(report_data.run, values=values)
    data = dataclasses.replace(report_data, sources=sources, run=run)

    book = openpyxl.load_workbook(write_excel(data, tmp_path / "report.xlsx", "en"))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    guarded = [
        c
        for c in cells
        if isinstance(c.value, str) and c.value.replace("_x000D_", "\r") in PAYLOADS
    ]
    assert {c.value.replace("_x000D_", "\r") for c in guarded} == set(PAYLOADS)
    for cell in guarded:
        assert cell.data_type == "s" and cell.quotePrefix, (cell.coordinate, cell.value)
    stages = book["stages"]
    header = [c.value for c in stages[1]]
    first = stages.cell(row=2, column=header.index("value") + 1)
    assert first.value == -1.5 and first.data_type == "n" and not first.quotePrefix
