"""Store faults through the CLI (in process): a second writer, a damaged or foreign file as --db, a
folder that cannot hold --db or --out. Each is one line on stderr, exit 2, and nothing is changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aicity.cli._common import handle_errors
from aicity.cli.main import app
from aicity.store import Store, observations


def _run(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("sys.argv", ["aicity", *args])
    code = handle_errors(app)
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err
    return code, err


@pytest.fixture()
def facts(tmp_path: Path) -> Path:
    path = tmp_path / "o.csv"
    path.write_text("city,indicator,value,year\n北京,gdp,43760.7,2023\n", encoding="utf-8")
    return path


def test_a_second_writer_is_told_the_store_is_busy(
    tmp_path: Path, facts: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    db = tmp_path / "s.duckdb"
    assert (
        _run(["ingest", str(facts), "-t", "observations", "--db", str(db)], monkeypatch, capsys)[0]
        == 0
    )
    # another process holds the store (DuckDB's file lock is per process: a child takes it)
    import subprocess
    import sys

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,sys,time; c=duckdb.connect({str(db)!r}); print('ok', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        other = facts.with_name("p.csv")
        other.write_text("city,indicator,value,year\n上海,gdp,47218.7,2023\n", encoding="utf-8")
        code, err = _run(
            ["ingest", str(other), "-t", "observations", "--db", str(db)], monkeypatch, capsys
        )
        assert code == 2 and err.count("\n") == 1
        assert "store is busy" in err and f"process {holder.pid}" in err and "retry" in err
    finally:
        holder.kill()
        holder.wait()
    with Store.open(db, read_only=True) as store:  # the first writer's state, intact
        assert observations(store)["value"].tolist() == [43760.7]


@pytest.mark.parametrize("damage", ["truncated", "foreign"])
def test_a_damaged_or_foreign_db_file_is_one_line_and_left_alone(
    tmp_path: Path, facts: Path, monkeypatch: pytest.MonkeyPatch, capsys, damage: str
) -> None:
    db = tmp_path / "s.duckdb"
    if damage == "truncated":
        with Store.open(db):
            pass
        db.write_bytes(db.read_bytes()[:5000])
    else:
        db.write_text("city,value\n北京,1\n", encoding="utf-8")
    before = db.read_bytes()
    for args in (
        ["info", "--db", str(db)],
        ["ingest", str(facts), "-t", "observations", "--db", str(db)],
    ):
        code, err = _run(args, monkeypatch, capsys)
        assert code == 2 and err.count("\n") == 1
        assert f"{db}: not a DuckDB store, or a truncated one" in err and "restore it" in err
    assert db.read_bytes() == before


def test_db_and_out_paths_that_cannot_exist(
    tmp_path: Path, facts: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    a_file = tmp_path / "plain.txt"
    a_file.write_text("x", encoding="utf-8")
    cases = [
        (
            ["ingest", str(facts), "-t", "observations", "--db", str(a_file / "sub" / "s.duckdb")],
            "cannot create its folder",
        ),
        (
            ["ingest", str(facts), "-t", "observations", "--db", str(tmp_path)],
            "is a folder, not a store file",
        ),
        (["info", "--db", str(tmp_path / "missing" / "s.duckdb")], "no store found"),
        (["demo", "--out", str(a_file / "out")], "Not a directory"),
    ]
    for args, expected in cases:
        code, err = _run(args, monkeypatch, capsys)
        assert code == 2 and err.count("\n") == 1 and expected in err, (args, err)
    assert a_file.read_text(encoding="utf-8") == "x"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_for_db(
    tmp_path: Path, facts: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        code, err = _run(
            ["ingest", str(facts), "-t", "observations", "--db", str(folder / "s.duckdb")],
            monkeypatch,
            capsys,
        )
    finally:
        folder.chmod(0o755)
    assert code == 2 and err.count("\n") == 1 and "s.duckdb" in err


def test_an_unwritable_system_folder_for_db_and_out(
    facts: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """/proc takes no new files, even from root."""
    for args in (
        ["ingest", str(facts), "-t", "observations", "--db", "/proc/aicity-test.duckdb"],
        ["demo", "--out", "/proc/aicity-test-out"],
    ):
        code, err = _run(args, monkeypatch, capsys)
        assert code == 2 and err.count("\n") == 1 and "/proc/aicity-test" in err
    assert not Path("/proc/aicity-test.duckdb").exists()


def _big_firm_csv(path: Path, rows: int) -> Path:
    """``rows`` invented firms (no credit codes: ids from name and city), written as UTF-8 CSV."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(19)
    ids = np.char.zfill(np.arange(rows).astype(str), 7)
    cities = np.array(["北京", "上海", "深圳", "杭州", "成都", "合肥", "武汉", "南京"])
    pd.DataFrame(
        {
            "企业名称": np.char.add("合成企业", ids),
            "所在城市": cities[rng.integers(0, len(cities), rows)],
            "经营范围": "人工智能基础软件开发；大模型训练服务",
            "成立年份": rng.integers(1990, 2025, rows).astype(str),
            "is_synthetic": "true",
        }
    ).to_csv(path, index=False)
    return path


def _stored(db: Path) -> tuple[dict[str, int], list[str]]:
    with Store.open(db) as store:  # a writable open, as the user's next command does
        ids = store.fetch_df("SELECT enterprise_id FROM enterprises ORDER BY 1")["enterprise_id"]
        return store.table_counts(), ids.tolist()


@pytest.mark.redteam
def test_kill_9_during_a_big_ingest_leaves_the_previous_state(tmp_path: Path) -> None:
    """`kill -9` of `aicity ingest` of 1,000,000 firms at three moments: as soon as the store file grows
    (the insert under way), at 3/4 of a whole run's time, and as soon as the .wal appears (the commit
    under way). The store opens afterwards and holds exactly what it held before, or, where the kill
    came after the commit, exactly what a whole run gives; never a part. A rerun then takes the file."""
    import shutil
    import signal
    import subprocess
    import sys
    import time

    from aicity.workflows.ingest import ingest_file

    base = tmp_path / "base.duckdb"
    small = tmp_path / "small.csv"
    small.write_text(
        "企业名称,所在城市,经营范围\n科大讯飞股份有限公司,合肥,智能语音\n商汤科技,上海,计算机视觉\n",
        encoding="utf-8",
    )
    with Store.open(base) as store:
        assert ingest_file(store, small, "enterprises").n_accepted == 2
    before = _stored(base)
    big = _big_firm_csv(tmp_path / "big.csv", 1_000_000)
    command = [sys.executable, "-m", "aicity", "ingest", str(big), "-t", "enterprises", "--db"]

    # a whole run, on a copy: what a finished ingest leaves, and how long it takes
    full = tmp_path / "full.duckdb"
    shutil.copyfile(base, full)
    started = time.monotonic()
    subprocess.run([*command, str(full)], check=True, capture_output=True, timeout=600)
    took = time.monotonic() - started
    after = _stored(full)
    assert after[0]["enterprises"] == 1_000_002

    outcomes = {}
    for moment in ("grows", "3/4", "wal"):
        db = tmp_path / f"killed-{moment.replace('/', '_')}.duckdb"
        shutil.copyfile(base, db)
        size = db.stat().st_size
        wal = db.with_name(db.name + ".wal")
        ingest = subprocess.Popen(
            [*command, str(db)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        started = time.monotonic()
        while ingest.poll() is None:
            if (
                (moment == "grows" and db.stat().st_size > size)
                or (moment == "3/4" and time.monotonic() - started >= 0.75 * took)
                or (moment == "wal" and wal.exists())
            ):
                ingest.send_signal(signal.SIGKILL)
                break
            time.sleep(0.002)
        ingest.wait(timeout=60)
        assert ingest.returncode == -signal.SIGKILL, f"the ingest ended before the kill ({moment})"
        state = _stored(db)  # it opens
        assert state in (before, after), (moment, state[0])  # all or nothing
        outcomes[moment] = "before" if state == before else "after"
    assert outcomes["grows"] == "before", outcomes  # killed mid-insert: the previous state exactly
    with Store.open(tmp_path / "killed-grows.duckdb") as store:  # a rerun takes the whole file
        assert ingest_file(store, big, "enterprises").n_accepted == 1_000_000
        assert store.table_counts()["enterprises"] == 1_000_002
