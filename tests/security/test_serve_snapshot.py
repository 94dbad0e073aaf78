"""`aicity serve` while an ingest writes (issue #19): serve answers from a private copy of the store taken at
start, so the user's file stays free for `aicity ingest`, and the copy is removed when serve stops."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from aicity.cli._common import handle_errors
from aicity.cli.main import app as cli
from aicity.store import Store, observations
from aicity.web import WebSettings, create_app
from aicity.workflows.ingest import ingest_file


def _facts(folder: Path, name: str, city: str, value: float) -> Path:
    path = folder / name
    path.write_text(f"city,indicator,value,year\n{city},gdp,{value},2023\n", encoding="utf-8")
    return path


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "s.duckdb"
    with Store.open(path) as store:
        ingest_file(store, _facts(tmp_path, "a.csv", "北京", 43760.7), "observations")
    return path


def test_the_app_answers_from_its_snapshot_while_the_original_is_written(
    db: Path, tmp_path: Path
) -> None:
    with Store.snapshot(db) as snap:
        assert snap.path != db and snap.read_only
        client = TestClient(create_app(snap, WebSettings(warm_up=False)))
        assert client.get("/api/v1/cities").status_code == 200
        # a writer in this very process: DuckDB would refuse it while a read-only connection to the
        # same file is open here
        with Store.open(db) as writer:
            result = ingest_file(writer, _facts(tmp_path, "b.csv", "上海", 47218.7), "observations")
            assert result.n_accepted == 1
        for path in ("/api/v1/cities", "/", "/cities/110000"):
            assert client.get(path).status_code == 200, path
        assert observations(snap)["value"].tolist() == [43760.7]  # the snapshot: the state at start
        folder = snap.path.parent if snap.path else None
    assert folder is not None and not folder.exists()  # the copy is removed on exit
    with Store.open(db, read_only=True) as store:
        assert sorted(observations(store)["value"].tolist()) == [43760.7, 47218.7]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_aicity_serve_keeps_answering_while_aicity_ingest_writes_the_store(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    port = _free_port()
    scratch = tmp_path / "tmp"  # the server's TMPDIR: where its snapshot lives
    scratch.mkdir()
    server = subprocess.Popen(
        [sys.executable, "-m", "aicity", "serve", "--db", str(db), "--port", str(port)],
        env={**os.environ, "TMPDIR": str(scratch), "COLUMNS": "200"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            try:
                if _get(port, "/api/v1/cities") == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "serve did not answer within 120 s"
            time.sleep(0.3)
        monkeypatch.setattr(
            "sys.argv",
            [
                "aicity",
                "ingest",
                str(_facts(tmp_path, "b.csv", "上海", 47218.7)),
                "-t",
                "observations",
                "--db",
                str(db),
            ],
        )
        code = handle_errors(cli)
        err = capsys.readouterr().err
        assert code == 0, err  # before: "store is busy: process N has it open (... aicity serve)"
        for path in ("/api/v1/cities", "/", "/cities/110000"):
            assert _get(port, path) == 200, path
        assert any(scratch.iterdir())  # the snapshot
    finally:
        server.send_signal(signal.SIGINT)
        try:
            out, _ = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            out, _ = server.communicate()
    assert "serving a snapshot of" in out and "restart serve" in out, out
    assert not any(scratch.iterdir()), list(scratch.iterdir())  # the copy is gone at shutdown
    with Store.open(db, read_only=True) as store:
        assert sorted(observations(store)["value"].tolist()) == [43760.7, 47218.7]
