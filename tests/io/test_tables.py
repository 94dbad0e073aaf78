"""Validation in row blocks: the parallel path gives exactly the single-block result."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from aicity.io import read, tables
from aicity.io.read import read_table
from aicity.io.tables import validate
from aicity.store import Store
from aicity.workflows.ingest import _context

ROWS = [
    "甲公司{i},北京,{code},large_models,2016,100",
    "乙公司{i},不存在市,,speech,2019,3.5万",  # unknown city
    "丙公司{i},杭州,91350100M000100Y44,,19x0,",  # bad check digit and bad year
    "丁公司{i},Shenzhen,,robotics,2020,-5",  # negative size
]
GOOD_CODES = ["91350100M000100Y43", "91110000600001760P"]


def _csv(tmp_path: Path) -> Path:
    lines = ["企业名称,所在城市,统一社会信用代码,细分领域,成立年份,注册资本（万元）"]
    for i in range(12):
        for template in ROWS:
            lines.append(template.format(i=i, code=GOOD_CODES[i] if i < 2 else ""))
    lines.append("甲公司重复,北京,91350100M000100Y43,large_models,2016,1")  # repeats row 2's code
    path = tmp_path / "firms.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("gb18030"))
    return path


def test_blocks_in_parallel_match_one_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    ctx = _context(Store.memory())
    path = _csv(tmp_path)
    one = read_table(path)
    assert len(list(one.blocks())) == 1
    whole = validate(one, "enterprises", ctx)
    monkeypatch.setattr(read, "_PIECE", 256)  # many pieces, parsed and validated as they come
    assert len(list(read_table(path).blocks())) > 3
    split = validate(read_table(path), "enterprises", ctx)
    pd.testing.assert_frame_equal(split.candidates, whole.candidates)
    pd.testing.assert_frame_equal(split.rejected, whole.rejected)
    assert (split.keep == whole.keep).all() and split.cities_used == whole.cities_used
    # the repeat in the last row is found across blocks, and names the first row
    last = split.rejected[split.rejected["row"] == 50]
    assert last["reason"].tolist() == ["duplicate enterprise (first seen in row 2)"]
    assert split.n_rejected == 12 * 3 + 1


def test_row_blocks_follow_arrow_batches_and_keep_a_short_tail(monkeypatch: pytest.MonkeyPatch):
    import pyarrow as pa

    monkeypatch.setattr(tables, "BLOCK_ROWS", 4)
    chunks = pa.chunked_array([["a"] * 3, ["b"] * 3, ["c"] * 5, ["d"] * 2], type=pa.large_string())
    frame = pd.DataFrame({"x": pd.arrays.ArrowStringArray(chunks)})
    assert tables._row_blocks(frame) == [slice(0, 6), slice(6, 13)]
    plain = pd.DataFrame({"x": ["a"] * 40}).astype("string[python]")
    assert tables._row_blocks(plain) == [slice(0, 16), slice(16, 32), slice(32, 40)]
    assert tables._row_blocks(plain.iloc[:7]) == [slice(0, 7)]


def test_a_frame_read_whole_is_split_for_the_row_checks(monkeypatch: pytest.MonkeyPatch):
    from aicity.io.read import RawTable

    monkeypatch.setattr(tables, "BLOCK_ROWS", 3)
    frame = pd.DataFrame(
        {"name": [f"firm {i}" for i in range(20)], "city": ["北京"] * 19 + ["nowhere"]}
    ).astype("string")
    checked = validate(
        RawTable.of(frame, "f.parquet", "parquet", first_row=1),
        "enterprises",
        _context(Store.memory()),
    )
    assert checked.n_rows == 20 and checked.candidates["row"].tolist() == list(range(1, 21))
    assert checked.rejected["row"].tolist() == [20] and checked.n_accepted == 19


def test_a_hash_collision_neither_hides_nor_invents_a_repeat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import numpy as np

    ctx = _context(Store.memory())
    path = _csv(tmp_path)
    monkeypatch.setattr(read, "_PIECE", 256)
    honest = validate(read_table(path), "enterprises", ctx)

    def colliding(arr, keep):  # every kept key gets the same hash
        return 18, np.zeros(int(np.count_nonzero(keep)), dtype=np.uint64)

    monkeypatch.setattr(tables, "fixed_width_hashes", colliding)
    forced = validate(read_table(path), "enterprises", ctx)
    pd.testing.assert_frame_equal(forced.rejected, honest.rejected)
    assert (forced.keep == honest.keep).all()
