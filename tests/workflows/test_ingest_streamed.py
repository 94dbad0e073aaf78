"""A first load of a big enterprises file is written block by block as it is checked
(workflows.ingest STREAM_BYTES): the same rows, rejections, counts and refusals as the whole-file
path. Small pieces and blocks stand in for a big file here."""

from __future__ import annotations

from pathlib import Path

import pytest

from aicity.errors import InputError, RowProblems
from aicity.io.credit import check_char
from aicity.store import Store
from aicity.store import ingest as store_ingest
from aicity.workflows import ingest as workflow

CODES = [b + check_char(b) for b in (f"91110108MA01AB{i:03d}" for i in range(40))]


def _file(tmp_path: Path, lines: list[str], header: str = "企业名称,城市,统一社会信用代码") -> Path:
    path = tmp_path / "firms.csv"
    path.write_bytes(("\n".join([header, *lines]) + "\n").encode("gb18030"))
    return path


def _lines() -> list[str]:
    rows = [f"公司{i},北京,{code}" for i, code in enumerate(CODES)]
    rows += [f"无码公司{i},上海," for i in range(10)]
    rows[5] = "公司5,火星,"  # unknown city
    rows[12] = f"公司12,北京,{CODES[12][:-1]}X"  # bad check digit
    rows[30] = f"公司30b,北京,{CODES[3]}"  # the file's own repeat
    return rows


def _stored(store: Store) -> dict[str, list]:
    return {
        "firms": sorted(
            map(str, store.fetch_df("SELECT * FROM enterprises").itertuples(index=False))
        ),
        "rejected": store.fetch_df(
            'SELECT "row", "column", value, reason FROM rejected_rows ORDER BY "row", "column"'
        ).values.tolist(),
        "ingests": store.fetch_df(
            "SELECT n_rows, n_accepted, n_rejected, n_changed, status FROM ingests"
        ).values.tolist(),
    }


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("aicity.io.read._PIECE", 200)  # a piece (a block) of a few rows
    monkeypatch.setattr(workflow, "STREAM_WRITE_ROWS", 7)  # several appends


def _ingest(monkeypatch: pytest.MonkeyPatch, path: Path, stream: bool) -> tuple:
    monkeypatch.setattr(workflow, "STREAM_BYTES", 0 if stream else 1 << 60)
    store = Store.memory()
    result = workflow.ingest_file(store, path, "enterprises")
    counts = (result.n_rows, result.n_accepted, result.n_rejected, result.n_new, result.status)
    return store, counts, result.rejected


def test_the_streamed_first_load_stores_what_the_whole_file_path_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_blocks: None
) -> None:
    path = _file(tmp_path, _lines())
    whole, whole_counts, whole_rejected = _ingest(monkeypatch, path, stream=False)
    streamed, counts, rejected = _ingest(monkeypatch, path, stream=True)
    assert counts == whole_counts == (50, 47, 3, 47, "partial")
    assert rejected.equals(whole_rejected)
    assert _stored(streamed) == _stored(whole)
    assert any("first seen in row 5" in r for r in rejected["reason"])  # across blocks


def _refusals_whole_then_streamed(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The InputError of a whole-file and of a streamed load of `path`, each leaving nothing written."""
    messages = []
    for stream in (False, True):
        monkeypatch.setattr(workflow, "STREAM_BYTES", 0 if stream else 1 << 60)
        store = Store.memory()
        with pytest.raises(InputError) as err:
            workflow.ingest_file(store, path, "enterprises")
        messages.append(str(err.value))
        assert store.fetch_one("SELECT count(*) FROM enterprises") == 0
        assert store.fetch_one("SELECT count(*) FROM ingests") == 0
    return messages


def test_a_firm_repeated_in_later_blocks_is_refused_with_its_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_blocks: None
) -> None:
    lines = [f"id-{i},公司{i},北京,{code}" for i, code in enumerate(CODES)]
    lines[33] = f"id-33,公司33,北京,{CODES[2]}"  # another id, a stored row's credit code
    path = _file(tmp_path, lines, header="企业编号,企业名称,城市,统一社会信用代码")
    messages = _refusals_whole_then_streamed(path, monkeypatch)
    assert messages[0] == messages[1]
    assert "row 35, column 'credit_code'" in messages[1] and "given twice" in messages[1]


def test_strict_and_a_stored_table_take_the_whole_file_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_blocks: None
) -> None:
    monkeypatch.setattr(workflow, "STREAM_BYTES", 0)
    streamed: list[str] = []
    real = workflow._ingest_streamed
    monkeypatch.setattr(workflow, "_ingest_streamed", lambda *a: streamed.append(a[3]) or real(*a))
    store = Store.memory()
    with pytest.raises(RowProblems):
        workflow.ingest_file(store, _file(tmp_path, _lines()), "enterprises", strict=True)
    assert streamed == [] and store.fetch_one("SELECT count(*) FROM enterprises") == 0
    first = workflow.ingest_file(store, _file(tmp_path, _lines()[:20]), "enterprises")
    again = workflow.ingest_file(store, _file(tmp_path, _lines()), "enterprises")
    assert len(streamed) == 1  # the first load only: the second upserts
    assert (first.n_new, again.n_new, again.n_unchanged) == (18, 29, 18)


def test_a_later_block_that_cannot_be_decoded_fails_as_the_whole_file_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file-level problem met while the one INSERT reads the blocks (past the first 64 KB, which
    are decoded up front) is raised as it is, not as DuckDB's stream error, and nothing is written."""
    monkeypatch.setattr("aicity.io.read._PIECE", 8192)
    lines = [f"公司{i},北京," for i in range(6000)]
    path = _file(tmp_path, lines)
    path.write_bytes(path.read_bytes() + b"\xff\xff,\xb1\xb1\xbe\xa9,\n")  # not GB18030, at the end
    appended: list[int] = []
    real = store_ingest.append_stream
    monkeypatch.setattr(store_ingest, "append_stream", lambda *a: appended.append(1) or real(*a))
    messages = _refusals_whole_then_streamed(path, monkeypatch)
    assert appended == [1]  # the streamed load met it inside its INSERT
    assert messages[0] == messages[1] and "GB18030 (from line 6002)" in messages[1]
