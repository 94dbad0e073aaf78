"""Re-ingest of enterprises through `aicity ingest` (in process): n new, n updated, n unchanged, and
the store's firm key refusing what the file alone cannot see (issue #19)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aicity.cli._common import handle_errors
from aicity.cli.main import app
from aicity.io.credit import check_char
from aicity.store import Store
from aicity.store.ingest import entity_history
from aicity.workflows.ingest import ingest_file

runner = CliRunner()


def _code(body: str) -> str:
    return body + check_char(body)


A, B, C = (_code(f"91110108MA01ABC{i}{i}") for i in range(3))


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text("企业名称,城市,统一社会信用代码,经营范围\n" + "\n".join(rows) + "\n", "utf-8")
    return path


def _ingest(path: Path, db: Path) -> str:
    result = runner.invoke(app, ["ingest", str(path), "-t", "enterprises", "--db", str(db)])
    assert result.exit_code == 0, result.output
    return result.output


def test_re_ingest_reports_new_updated_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    first = _write(tmp_path / "firms.csv", [f"甲科技,北京,{A},AI", f"乙科技,上海,{B},chips"])
    assert "2 new, 0 updated, 0 unchanged" in _ingest(first, db)
    # 甲 unchanged, 乙's scope changed, 丙 new; a firm without a credit code is keyed by name+city
    second = _write(
        tmp_path / "firms.csv",
        [f"甲科技,北京,{A},AI", f"乙科技,上海,{B},chips and boards", f"丙科技,深圳,{C},robots"],
    )
    assert "1 new, 1 updated, 1 unchanged" in _ingest(second, db)
    assert "unchanged (same content" in _ingest(second, db)
    with Store.open(db) as store:
        assert store.fetch_one("SELECT count(*) FROM enterprises") == 3
        history = entity_history(store, "enterprises")
        assert history["entity_key"].tolist() == [B]
        assert json.loads(history["old_row"].iloc[0])["description"] == "chips"


def test_the_workflow_result_carries_the_counts(tmp_path: Path) -> None:
    store = Store.memory()
    path = _write(tmp_path / "f.csv", ["Acme Ltd,北京,,x", "Bolt Ltd,北京,,y"])
    first = ingest_file(store, path, "enterprises")
    assert (first.n_new, first.n_updated, first.n_unchanged, first.n_changed) == (2, 0, 0, 2)
    # only spacing and case differ: the same firms (normalised name + city), so the same ids
    again = ingest_file(
        store, _write(tmp_path / "f.csv", ["ACME  LTD,北京,,x", "Bolt Ltd,北京,,z"]), "enterprises"
    )
    assert (again.n_new, again.n_updated, again.n_unchanged) == (0, 2, 0)
    assert store.fetch_one("SELECT count(*) FROM enterprises") == 2


def test_a_credit_code_held_by_another_id_fails_in_one_line_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "s.duckdb"
    _ingest(_write(tmp_path / "a.csv", [f"甲科技,北京,{A},AI"]), db)
    clash = tmp_path / "b.csv"
    clash.write_text(
        f"企业编号,企业名称,城市,统一社会信用代码\nnew-1,丁科技,北京,{C}\njia,甲科技,北京,{A}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(
        "sys.argv", ["aicity", "ingest", str(clash), "-t", "enterprises", "--db", str(db)]
    )
    code = handle_errors(app)
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"{clash}, row 3, column 'credit_code': credit code '{A}' is already stored" in err
    assert "reuse its enterprise_id" in err
    with Store.open(db) as store:  # the whole file rolled back, its ingest log entry too
        assert store.fetch_df("SELECT enterprise_id FROM enterprises")[
            "enterprise_id"
        ].tolist() == [A]
        assert store.fetch_one("SELECT count(*) FROM ingests") == 1


def test_one_credit_code_under_two_ids_in_one_file_names_the_repeat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    twice = tmp_path / "twice.csv"
    twice.write_text(
        f"企业编号,企业名称,城市,统一社会信用代码\na,甲科技,北京,{A}\nb,甲科技有限公司,北京,{A}\n",
        encoding="utf-8",
    )
    db = tmp_path / "s.duckdb"
    monkeypatch.setattr(
        "sys.argv", ["aicity", "ingest", str(twice), "-t", "enterprises", "--db", str(db)]
    )
    assert handle_errors(app) == 2
    err = capsys.readouterr().err
    assert f"row 3, column 'credit_code': credit code '{A}' is given twice" in err
    with Store.open(db) as store:
        assert store.fetch_one("SELECT count(*) FROM enterprises") == 0
