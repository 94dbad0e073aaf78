"""Input workbooks from the guarded writer: header comments and drop-down lists whose values are
written as guarded cells of a lists sheet."""

from __future__ import annotations

import openpyxl
import pandas as pd

from aicity.io.export import write_workbook


def test_drop_down_lists_and_header_comments(tmp_path):
    frame = pd.DataFrame({"层": pd.Series(dtype=object), "单位": pd.Series(dtype=object)})
    path = write_workbook(
        {"firms": frame},
        tmp_path / "t.xlsx",
        comments={"firms": {"层": "layer"}},
        lists={"layers": ["基础层", "技术层", "应用层"], "units": ["亿元", "=cmd|' /C calc'!A0"]},
        validations={"firms": {"层": ("layers", True), "单位": ("units", False)}},
    )
    book = openpyxl.load_workbook(path)
    sheet = book["firms"]
    assert sheet["A1"].comment.text == "layer"
    rules = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}
    assert rules["A2:A1001"].formula1 == "'lists'!$A$2:$A$4"
    assert rules["A2:A1001"].errorStyle in (None, "stop")  # strict: other values refused
    assert rules["B2:B1001"].formula1 == "'lists'!$B$2:$B$3"
    assert rules["B2:B1001"].errorStyle == "warning"
    lists = book["lists"]
    assert [c.value for c in lists["A"]] == ["layers", "基础层", "技术层", "应用层"]
    payload = lists["B3"]
    assert payload.data_type == "s" and payload.quotePrefix  # a list value never runs as a formula
