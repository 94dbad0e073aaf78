"""The guarded writer: formula-like text gets ' in CSV and Excel's quote prefix in xlsx; numbers,
booleans, dates and ordinary text are untouched."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from aicity.io.export import csv_text, guard_frame, guard_text, to_csv, write_workbook

PAYLOADS = ['=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "-2+3", "\tx", "\rx"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_guard_text_prefixes_formula_like_text(payload):
    assert guard_text(payload) == "'" + payload


@pytest.mark.parametrize("value", ["百度", "a=b", "", None, -1.5, 3, True])
def test_guard_text_leaves_other_values(value):
    assert guard_text(value) is value or guard_text(value) == value


def test_guard_frame_guards_text_of_every_dtype_and_never_numbers():
    frame = pd.DataFrame(
        {
            "obj": pd.array(["=a", "b"], dtype=object),
            "str": pd.array(["+c", None], dtype="string"),
            "cat": pd.Categorical(["@d", "e"]),
            "mixed": pd.array(["-f", -1.5], dtype=object),
            "num": [-1.5, -2.0],
            "int": [-1, 2],
        },
        index=pd.Index(["=idx", "ok"], name="uCode"),
    )
    out = guard_frame(frame)
    assert list(out["obj"]) == ["'=a", "b"]
    assert out["str"].iloc[0] == "'+c" and pd.isna(out["str"].iloc[1])
    assert list(out["cat"]) == ["'@d", "e"]
    assert list(out["mixed"]) == ["'-f", -1.5]
    assert list(out["num"]) == [-1.5, -2.0] and list(out["int"]) == [-1, 2]
    assert list(out.index) == ["'=idx", "ok"]
    assert frame["obj"].iloc[0] == "=a"  # the input is not changed


def test_csv_round_trip(tmp_path):
    frame = pd.DataFrame({"name": PAYLOADS, "value": [-1.5, 1, 2, 3, 4, 5]})
    back = pd.read_csv(io.StringIO(csv_text(frame)))
    assert list(back["name"]) == ["'" + p for p in PAYLOADS]
    assert list(back["value"]) == [-1.5, 1, 2, 3, 4, 5]
    path = to_csv(frame, tmp_path / "x.csv")
    assert pd.read_csv(path)["name"].tolist() == ["'" + p for p in PAYLOADS]


def test_workbook_cells():
    stamp = pd.Timestamp("2024-01-02 03:04:05", tz="UTC")
    frame = pd.DataFrame(
        {
            "name": [*PAYLOADS, "ok"],
            "value": [-1.5, 1, 2, 3, None, 5, 6],
            "flag": [True, False, True, False, True, False, True],
            "when": [stamp] * 7,
        }
    )
    book = openpyxl.load_workbook(io.BytesIO(write_workbook({"t": frame})))
    rows = list(book["t"].iter_rows(min_row=2))
    for row, payload in zip(rows, PAYLOADS, strict=False):
        name = row[0]
        assert name.data_type == "s" and name.quotePrefix
        assert name.value.replace("_x000D_", "\r") == payload
    assert rows[-1][0].value == "ok" and not rows[-1][0].quotePrefix
    assert rows[0][1].value == -1.5 and rows[0][1].data_type == "n"
    assert rows[4][1].value is None
    assert rows[0][2].value is True
    assert rows[0][3].value == stamp.tz_localize(None).to_pydatetime()


def test_write_workbook_to_a_path(tmp_path):
    path = write_workbook({"a": pd.DataFrame({"x": ["=1"]})}, tmp_path / "sub" / "a.xlsx")
    assert path.exists()
    assert openpyxl.load_workbook(path)["a"]["A2"].value == "=1"
