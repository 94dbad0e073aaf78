"""Reading files: every format and encoding, and the file-level errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aicity.errors import InputError
from aicity.io.read import read_table

ROWS = '城市,指标,数值\n北京,gdp,"43,760.7"\n杭州,gdp,20059\n'


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-8", "utf-8-sig"),
        ("utf-8-sig", "utf-8-sig"),
        ("gb18030", "gb18030"),
        ("gbk", "gb18030"),
        ("utf-16", "utf-16"),
    ],
)
def test_csv_encodings_fall_back(tmp_path: Path, encoding: str, expected: str) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(ROWS.encode(encoding))
    table = read_table(path)
    assert table.encoding == expected
    assert list(table.frame.columns) == ["城市", "指标", "数值"]
    assert table.frame["城市"].tolist() == ["北京", "杭州"]
    assert table.frame["数值"].tolist() == ["43,760.7", "20059"]


def test_gbk_after_a_long_ascii_prefix(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(("name,n\n" + "abc,1\n" * 20000 + "北京,2\n").encode("gbk"))
    table = read_table(path)
    assert table.encoding == "gb18030" and table.frame["name"].iloc[-1] == "北京"


def test_gb18030_only_character_survives(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("name\n䶮科技\n".encode("gb18030"))
    assert read_table(path).frame["name"].tolist() == ["䶮科技"]


def test_explicit_wrong_encoding_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(ROWS.encode("gb18030"))
    with pytest.raises(InputError, match="cannot decode as utf-8"):
        read_table(path, encoding="utf-8")


def test_xlsx_sheets(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="封面", index=False)
        pd.DataFrame({"城市": ["北京"], "数值": [1.5]}).to_excel(
            writer, sheet_name="数据", index=False
        )
    table = read_table(path, sheet="数据")
    assert table.sheet == "数据" and table.frame["城市"].tolist() == ["北京"]
    assert read_table(path).sheet == "封面"
    with pytest.raises(InputError, match=r"no sheet named 'x'.*封面, 数据"):
        read_table(path, sheet="x")


def test_parquet(tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    pd.DataFrame({"city": ["Beijing"], "value": [3.5]}).to_parquet(path)
    table = read_table(path)
    assert table.format == "parquet" and table.first_row == 1
    assert table.frame["value"].tolist() == ["3.5"]


def test_tsv_and_tab_sniffing(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("city\tvalue\n北京\t1\n", encoding="utf-8")
    assert read_table(path).frame.columns.tolist() == ["city", "value"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "file is empty"),
        ("header.csv", b"city,value\n", "no data rows"),
        ("a.json", b"{}", "unsupported file type '.json'"),
        ("bin.csv", b"\x00\x01\x02abc", "looks binary"),
        ("dup.csv", b"city,city\n1,2\n", "appears twice"),
        ("bad.xlsx", b"not a zip", "not a readable XLSX"),
        ("bad.parquet", b"not parquet", "not a readable Parquet"),
    ],
)
def test_file_level_errors(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        read_table(path)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_table(tmp_path / "nope.csv")


def test_ragged_row_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('city,value\n北京,1\n"上海\n市",2\n杭州,3,extra\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"row 5: expected 2 fields as in the header, got 3"):
        read_table(path)


def test_undecodable_bytes_deep_in_a_big_gb18030_file_name_the_offset(tmp_path: Path) -> None:
    # pyarrow transcodes block by block; the error must still count bytes from the file's start
    body = ("名称,城市\n" + "甲公司,北京\n" * 200_000).encode("gb18030")
    path = tmp_path / "a.csv"
    path.write_bytes(body + b"\x81\x20,x\n")
    with pytest.raises(
        InputError,
        match=r"cannot decode as UTF-8 \(from line 1\) or as GB18030 \(from line 200002\)",
    ):
        read_table(path)
    with pytest.raises(InputError, match=f"cannot decode as gb18030 at byte {len(body)}"):
        read_table(path, encoding="gb18030")


def test_a_ragged_row_in_a_gb18030_file_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("名称,城市\n甲,北京\n乙,上海,多余\n".encode("gb18030"))
    with pytest.raises(InputError, match="expected 2 fields as in the header, got 3") as err:
        read_table(path)
    assert err.value.row == 3


def test_problems_in_a_later_piece_name_the_file_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aicity.io import read

    monkeypatch.setattr(read, "_PIECE", 64)  # many pieces, decoded and parsed one after another
    lines = ["名称,城市"] + [f"公司{i},北京" for i in range(40)]
    path = tmp_path / "a.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("gb18030"))
    table = read_table(path)
    assert table.frame["名称"].tolist() == [f"公司{i}" for i in range(40)]
    assert table.frame.index.tolist() == list(range(40))
    lines[30] = "公司29,北京,多余"
    path.write_bytes(("\n".join(lines) + "\n").encode("gb18030"))
    with pytest.raises(InputError, match="expected 2 fields as in the header, got 3") as err:
        _ = read_table(path).frame
    assert err.value.row == 31


def test_a_header_only_file_has_no_data_rows(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("名称,城市\n\n".encode("gb18030"))
    with pytest.raises(InputError, match="no data rows"):
        read_table(path)


def test_an_unread_stream_stops_its_transcoding_thread(tmp_path: Path, monkeypatch) -> None:
    import gc
    import threading

    from aicity.io import read

    monkeypatch.setattr(read, "_PIECE", 64)
    path = tmp_path / "a.csv"
    path.write_bytes(("名称,城市\n" + "公司,北京\n" * 2000).encode("gb18030"))
    table = read_table(path)  # only the first block is read
    assert any(t.name == "aicity-transcode" for t in threading.enumerate())
    del table
    gc.collect()
    assert not any(t.name == "aicity-transcode" for t in threading.enumerate())


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.binary(max_size=300).map(lambda b: b.replace(b"\n", b"")), max_size=40),
    st.booleans(),
)
def test_pieces_cover_the_file_and_end_at_line_breaks(lines: list[bytes], trailing: bool) -> None:
    from aicity.io import read

    data = b"\n".join(lines) + (b"\n" if trailing else b"")
    original = read._PIECE
    read._PIECE = 97  # small pieces, lines longer than a piece included
    try:
        pieces = read._pieces(data)
    finally:
        read._PIECE = original
    assert b"".join(bytes(p) for p in pieces) == data
    assert all(bytes(p).endswith(b"\n") for p in pieces[:-1])
    assert all(len(p) for p in pieces)


def test_crlf_tsv_in_many_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from aicity.io import read

    monkeypatch.setattr(read, "_PIECE", 50)
    rows = [f"公司{i}\t北京\t{i}" for i in range(30)]
    path = tmp_path / "a.tsv"
    path.write_bytes(("名称\t城市\t数值\r\n" + "\r\n".join(rows) + "\r\n").encode("gb18030"))
    table = read_table(path)
    assert table.columns == ["名称", "城市", "数值"] and table.encoding == "gb18030"
    assert table.frame["数值"].tolist() == [str(i) for i in range(30)]
    assert table.frame["名称"].iloc[-1] == "公司29"
