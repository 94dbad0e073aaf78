"""Hostile files given to ingest: an XLSX zip bomb, formulas and external links in a workbook, a
symlink out of the working folder, Parquet with odd types, a 50 MB line, 100,000 columns. Each ends in
a clear one-line error or in plain values, within bounded time."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter

from aicity.errors import InputError
from aicity.io.excel import MAX_XLSX_RATIO
from aicity.store import Store
from aicity.workflows.ingest import ingest_file


def _bomb(path: Path, inflated: int) -> Path:
    """A real workbook whose first sheet is padded with `inflated` bytes of spaces (deflates ~1000x)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    book.add_worksheet().write_row(0, 0, ["企业名称", "城市"])
    book.close()
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * inflated, 1)
            out.writestr(item.filename, data)
    return path


def test_an_xlsx_zip_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    path = _bomb(tmp_path / "bomb.xlsx", 200 * 1024 * 1024)
    assert path.stat().st_size < 1024 * 1024
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"would inflate [\d,]+ times .*zip bomb") as err:
        ingest_file(Store.memory(), path, "enterprises")
    assert time.perf_counter() - start < 2
    assert str(path) in str(err.value) and f"limit {MAX_XLSX_RATIO}" in str(err.value)


def _lying(path: Path, inflated: int, claimed: int) -> Path:
    """A zip bomb whose sheet member's sizes, in its local header and in the zip directory, claim
    ``claimed`` bytes inflated (CRC left alone): the directory's ratio and total look harmless."""
    import struct

    data = bytearray(_bomb(path, inflated).read_bytes())
    member = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    struct.pack_into("<I", data, member.header_offset + 22, claimed)  # local header
    entry = data.find(b"PK\x01\x02")
    while entry >= 0:  # the member's central directory entry
        length = struct.unpack_from("<H", data, entry + 28)[0]
        if data[entry + 46 : entry + 46 + length] == member.filename.encode():
            struct.pack_into("<I", data, entry + 24, claimed)
        entry = data.find(b"PK\x01\x02", entry + 4)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("claimed", [4096, 30 * 1024 * 1024])
def test_an_xlsx_that_lies_about_its_sizes_is_refused_while_inflating(
    tmp_path: Path, claimed: int
) -> None:
    """200 MB of spaces claimed as 4 kB or 30 MB, under the ratio and size limits by the directory: the
    reader counts the inflated bytes itself, stops just past the claimed size, and refuses the file in
    one line, in bounded time and memory (before, calamine's own error came out as a traceback)."""
    import tracemalloc

    path = _lying(tmp_path / "lying.xlsx", 200 * 1024 * 1024, claimed)
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size == claimed  # what the directory says
    start = time.perf_counter()
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match="lies about its sizes") as err:
            ingest_file(Store.memory(), path, "enterprises")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 2
    assert peak < 64 * 1024 * 1024, peak  # never the 200 MB
    message = str(err.value)
    assert str(path) in message and "\n" not in message and f"says {claimed:,}" in message


def test_xlsx_formulas_and_external_links_are_read_as_their_values(tmp_path: Path) -> None:
    path = tmp_path / "formulas.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["企业名称", "城市", "经营范围", "备注"])
    sheet.write_formula(1, 0, '=HYPERLINK("http://evil.example/x","甲科技")', None, "甲科技")
    sheet.write(1, 1, "北京")
    sheet.write_formula(1, 2, "=1+1", None, 2)
    sheet.write_formula(1, 3, "='[other.xlsx]Sheet1'!A1", None, "cached")
    book.close()
    store = Store.memory()
    assert ingest_file(store, path, "enterprises").n_accepted == 1
    row = store.fetch_df("SELECT name, description, note FROM enterprises").iloc[0].to_dict()
    assert row == {"name": "甲科技", "description": "2", "note": "cached"}


def test_a_symlink_out_of_the_working_folder_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.csv"
    secret.write_text("city,indicator,value\n北京,gdp,1\n", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    (work / "facts.csv").symlink_to(secret)
    (work / "inside.csv").write_text("city,indicator,value\n北京,gdp,2\n", encoding="utf-8")
    (work / "alias.csv").symlink_to(work / "inside.csv")
    monkeypatch.chdir(work)
    store = Store.memory()
    with pytest.raises(
        InputError, match=r"symbolic link to .*secret\.csv, outside the working folder"
    ):
        ingest_file(store, "facts.csv", "observations")
    assert ingest_file(store, "alias.csv", "observations").n_accepted == 1  # inside: fine
    assert (
        ingest_file(store, secret, "observations").n_accepted == 1
    )  # its own path: the user means it


def test_parquet_with_wrong_types_gives_rows_or_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "odd.parquet"
    table = pa.table(
        {
            "city": pa.array([110000, 310000]),  # numbers, not text
            "indicator": pa.array(["gdp", "gdp"]),
            "value": pa.array([[1.0, 2.0], [3.0]], type=pa.list_(pa.float64())),  # a list per cell
            "year": pa.array([b"2023", b"2023"]),  # bytes
        }
    )
    pq.write_table(table, path)
    store = Store.memory()
    try:
        result = ingest_file(store, path, "observations")
    except InputError as exc:
        assert str(path) in str(exc) and "\n" not in str(exc)
    else:  # read as text: the list cells are not numbers, so those rows are rejected
        assert result.n_accepted == 0 and result.n_rejected == 2
        assert set(result.rejected["column"]) >= {"value"}


@pytest.mark.redteam
def test_a_csv_with_a_50mb_line(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_bytes(
        "企业名称,城市,经营范围\nx,".encode()
        + b"\xe5\x8c\x97\xe4\xba\xac,"
        + b"a" * (50 << 20)
        + b"\n"
    )
    start = time.perf_counter()
    result = ingest_file(Store.memory(), path, "enterprises")
    assert result.n_accepted == 1 and time.perf_counter() - start < 30


@pytest.mark.redteam
def test_a_csv_with_100k_columns(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    letters = "abcdefghijklmnopqrstuvwxyz"
    names = ["x" + "".join(letters[(i // 26**k) % 26] for k in range(4)) for i in range(100_000)]
    header = ",".join(["企业名称", "城市", *names])
    row = ",".join(["甲科技", "北京", *("1" for _ in range(100_000))])
    path.write_text(header + "\n" + row + "\n", encoding="utf-8")
    start = time.perf_counter()
    result = ingest_file(Store.memory(), path, "enterprises")
    assert result.n_accepted == 1 and len(result.unknown_columns) == 100_000
    assert time.perf_counter() - start < 60


def _mixed(path: Path, lines: list[tuple[str, str]]) -> Path:
    path.write_bytes(b"".join((text + "\n").encode(encoding) for text, encoding in lines))
    return path


HEADER = "企业名称,城市,经营范围"


@pytest.mark.parametrize("before", [1, 100_000])
def test_utf8_lines_then_a_gb18030_line_name_the_line_and_the_fix(
    tmp_path: Path, before: int
) -> None:
    """UTF-8 lines, then one in GB18030 (near the start, or past the first 64 KB the reader samples):
    one line naming the first line that is not UTF-8 and what to do; nothing read."""
    rows = [(HEADER, "utf-8")] + [(f"科大讯飞{i},合肥,智能语音", "utf-8") for i in range(before)]
    path = _mixed(tmp_path / "mixed.csv", [*rows, ("商汤科技,上海,计算机视觉", "gb18030")])
    store = Store.memory()
    with pytest.raises(InputError) as err:
        ingest_file(store, path, "enterprises")
    message = str(err.value)
    assert "\n" not in message and str(path) in message
    line = before + 2
    assert f"mixed encodings: lines 1-{line - 1} are UTF-8 but line {line} is not" in message
    assert "reads as GB18030" in message and "--encoding" in message
    assert store.table_counts()["enterprises"] == 0


def test_gb18030_lines_then_a_utf8_line_name_the_lines(tmp_path: Path) -> None:
    path = _mixed(
        tmp_path / "mixed.csv",
        [
            (HEADER, "gb18030"),
            ("科大讯飞股份有限公司,合肥,智能语音", "gb18030"),
            ("商汤科技,上海,计算机视觉", "utf-8"),  # an odd byte count: not GB18030 either
        ],
    )
    with pytest.raises(InputError) as err:
        ingest_file(Store.memory(), path, "enterprises")
    message = str(err.value)
    assert "\n" not in message
    assert "cannot decode as UTF-8 (from line 1) or as GB18030 (from line 3)" in message
    assert "--encoding" in message


def test_one_encoding_throughout_still_reads(tmp_path: Path) -> None:
    for encoding in ("utf-8", "utf-8-sig", "gb18030"):
        path = _mixed(
            tmp_path / f"{encoding}.csv",
            [(HEADER, encoding), ("科大讯飞股份有限公司,合肥,智能语音", "gb18030")]
            if encoding == "gb18030"
            else [(HEADER, encoding), ("科大讯飞股份有限公司,合肥,智能语音", "utf-8")],
        )
        assert ingest_file(Store.memory(), path, "enterprises").n_accepted == 1, encoding
    # an ASCII header over GB18030 rows is GB18030, not a mix
    path = _mixed(tmp_path / "ascii.csv", [("name,city", "ascii"), ("科大讯飞,合肥", "gb18030")])
    assert ingest_file(Store.memory(), path, "enterprises").n_accepted == 1
