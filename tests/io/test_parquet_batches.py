"""A Parquet file is read batch by batch (io.read.PARQUET_BATCH_ROWS) into the very text a whole
read gives, integer columns with nulls included ('5.0', as pandas reads them whole)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from aicity.io import read
from aicity.store import Store
from aicity.workflows import ingest as workflow


def _bytes(table: pa.Table, **options: object) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf, **options)
    return buf.getvalue()


MIXED = pa.table(
    {
        "a": pa.array([1, None, 3, 4, 5, 6, 7], pa.int64()),  # nulls in the first row group only
        "b": [1, 2, 3, 4, 5, 6, 7],
        "c": ["x", None, "z", "w", "v", "u", "t"],
        "d": [1.5, None, 2.0, 1e20, 3.0, 4.0, 5.0],
        "e": [True, None, False, True, True, True, True],
        "f": pa.array([[1, 2], None, [3], [], [4], [5], [6]]),
        "g": pa.array([b"ab", None, b"c", b"d", b"e", b"f", b"g"]),
    }
)


@pytest.mark.parametrize(
    "data",
    [
        _bytes(MIXED, row_group_size=3),
        _bytes(pa.Table.from_pandas(pd.DataFrame({"a": [1, 2, None, 4], "s": list("abcd")}))),
        _bytes(pa.Table.from_pandas(pd.DataFrame({"a": [1, 2, 3, 4]}, index=[5, 6, 7, 8]))),
    ],
)
def test_batches_read_as_the_whole_file_does(data: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = read._read_parquet_whole(data, "x.parquet").frame
    monkeypatch.setattr(read, "PARQUET_BATCH_ROWS", 3)
    batched = read._read_parquet(data, "x.parquet")
    assert batched._frame is not None or max(len(b) for b in batched.blocks(keep=False)) <= 3
    pd.testing.assert_frame_equal(read._read_parquet(data, "x.parquet").frame, whole)


def test_a_parquet_without_rows_is_a_file_problem() -> None:
    with pytest.raises(Exception, match="no data rows"):
        read._read_parquet(_bytes(pa.table({"a": pa.array([], pa.string())})), "x.parquet")


def test_a_registry_streamed_batch_by_batch_stores_what_a_whole_read_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = pd.DataFrame(
        {
            "enterprise_id": [f"SYN-{i}" for i in range(30)],
            "name": [f"合成公司{i}" for i in range(30)],
            "city_code": ["110000", "310000", "999999"] * 10,  # a third unknown: rejected
            "founded": [2001 + i if i % 7 else None for i in range(30)],
            "size": [float(i) for i in range(30)],
            "is_synthetic": [True] * 30,
        }
    )
    path = tmp_path / "firms.parquet"
    frame.to_parquet(path, row_group_size=8)
    stores = []
    for batch_rows, stream_bytes in ((1 << 17, 1 << 60), (4, 0)):
        monkeypatch.setattr(read, "PARQUET_BATCH_ROWS", batch_rows)
        monkeypatch.setattr(workflow, "STREAM_BYTES", stream_bytes)
        monkeypatch.setattr(workflow, "STREAM_WRITE_ROWS", 5)
        store = Store.memory()
        result = workflow.ingest_file(store, path, "enterprises")
        assert (result.n_rows, result.n_accepted, result.n_rejected) == (30, 20, 10)
        stores.append(
            (
                store.fetch_df("SELECT * FROM enterprises ORDER BY enterprise_id"),
                store.fetch_df(
                    'SELECT "row", "column", value, reason FROM rejected_rows ORDER BY 1'
                ),
            )
        )
    for whole, streamed in zip(*stores, strict=True):
        pd.testing.assert_frame_equal(whole, streamed)


@pytest.mark.parametrize(
    "values",
    [
        [22.0, None, 1e15, -3.0, 9999999999999998.0, float("nan")],  # whole numbers: built in Arrow
        [22.0, 0.5],
        [1e16, 1.0],
        [-0.0, 1.0],
        [float("inf"), 1.0],
        [None, None],
    ],
)
def test_a_batch_reads_as_pandas_writes_each_cell(values: list[float | None]) -> None:
    """Text, float, integer and boolean cells of a batch come out as pandas' own text of them."""
    batch = pa.record_batch(
        [
            pa.array(values, pa.float64()),
            pa.array(["甲", None, "", " b ", "c", "d"][: len(values)]),
            pa.array([True, None, False, True, False, True][: len(values)]),
            pa.array([1, None, 3, 4, 5, 6][: len(values)], pa.int64()),
        ],
        names=["f", "s", "b", "i"],
    )
    expected = batch.to_pandas().astype("string")
    expected.index = pd.RangeIndex(7, 7 + len(values))
    pd.testing.assert_frame_equal(read._parquet_frame(batch, set(), 7), expected)
