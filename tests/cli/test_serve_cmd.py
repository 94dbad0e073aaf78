"""`aicity serve` in process: it opens the store read-only, builds the app and hands it to uvicorn (replaced
here by a stub that records what it was given); bad input is a one-line error."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from aicity.cli._common import handle_errors
from aicity.cli.main import app
from aicity.store import Store

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    """A store file with cities only (no evaluation yet)."""
    import pandas as pd

    path = tmp_path_factory.mktemp("serve") / "s.duckdb"
    with Store.open(path) as store:
        store.insert_df(
            "cities",
            pd.DataFrame({"code": ["110000"], "name_zh": ["北京"], "name_en": ["Beijing"]}),
        )
    return path


@pytest.fixture()
def served(monkeypatch: pytest.MonkeyPatch) -> dict:
    seen: dict = {}

    def fake_serve(web_app, host: str, port: int, log_level: str) -> None:
        seen.update(app=web_app, host=host, port=port, log_level=log_level)

    monkeypatch.setattr("aicity.web.app.serve", fake_serve)
    return seen


def test_serve_builds_the_app_on_loopback_by_default(db: Path, served: dict) -> None:
    result = runner.invoke(app, ["serve", "--db", str(db), "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert served["host"] == "127.0.0.1" and served["port"] == 8123
    assert "http://127.0.0.1:8123/" in result.output
    client = TestClient(served["app"])
    cities = client.get("/api/v1/cities").json()
    assert cities["data"][0]["name_en"] == "Beijing"
    assert 'lang="zh-CN"' in client.get("/").text


def test_serve_warns_when_listening_beyond_loopback(db: Path, served: dict) -> None:
    result = runner.invoke(app, ["serve", "--db", str(db), "--host", "0.0.0.0", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "other machines can reach the explorer" in result.output
    assert 'lang="en"' in TestClient(served["app"]).get("/").text


def test_serve_never_writes_the_store(db: Path, served: dict) -> None:
    before = db.stat().st_mtime_ns
    runner.invoke(app, ["serve", "--db", str(db)])
    TestClient(served["app"]).get("/api/v1/cities")
    assert db.stat().st_mtime_ns == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lang", "fr"], "--lang must be zh or en"),
        (["--reports", "/nonexistent/folder"], "--reports must be a folder"),
    ],
)
def test_bad_options_are_one_line_errors(
    db: Path, args: list[str], message: str, monkeypatch, capsys
) -> None:
    monkeypatch.setattr("sys.argv", ["aicity", "serve", "--db", str(db), *args])
    assert handle_errors(app) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_missing_store_is_a_one_line_error(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.argv", ["aicity", "serve", "--db", str(tmp_path / "none.duckdb")])
    assert handle_errors(app) == 2
    err = capsys.readouterr().err
    assert "no store found" in err and "aicity demo" in err
