"""`aicity evaluate` and `aicity runs` in-process."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from aicity.cli.main import app
from aicity.store import Store
from aicity.store.runs import list_runs

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    from aicity.workflows.demo import build_demo

    out = tmp_path_factory.mktemp("demo")
    build_demo(out).store.close()
    return out / "aicity.duckdb"


def test_evaluate_stores_a_run_and_prints_the_top(db):
    result = runner.invoke(
        app,
        [
            "evaluate",
            "--db",
            str(db),
            "--year",
            "2023",
            "--top",
            "3",
            "--uncertainty",
            "40",
            "--sobol",
            "0",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "reference year 2023" in result.output and "北京" in result.output
    assert "90% rank interval" in result.output
    with Store.open(db, read_only=True) as store:
        assert len(list_runs(store)) >= 1


def test_runs_list_and_compare(db, tmp_path):
    runner.invoke(
        app, ["evaluate", "--db", str(db), "--year", "2023", "--no-alternatives", "--top", "0"]
    )
    runner.invoke(
        app,
        [
            "evaluate",
            "--db",
            str(db),
            "--year",
            "2023",
            "--recipe",
            "geometric",
            "--no-alternatives",
            "--top",
            "0",
        ],
    )
    with Store.open(db, read_only=True) as store:
        newest, older = list_runs(store)["run_id"].head(2)
    listed = runner.invoke(app, ["runs", "list", "--db", str(db)])
    assert listed.exit_code == 0, listed.output
    with Store.open(db, read_only=True) as store:
        assert {"china_ai_20"} == set(list_runs(store)["framework_name"])
    out = tmp_path / "changes.csv"
    compared = runner.invoke(
        app, ["runs", "compare", older, newest, "--db", str(db), "--out", str(out)]
    )
    assert compared.exit_code == 0, compared.output
    changes = pd.read_csv(out)
    assert {"rank_a", "rank_b", "rank_change", "score_change"} <= set(changes.columns)
    assert "北京" in compared.output


def test_bad_framework_is_a_one_line_error(db):
    result = runner.invoke(app, ["evaluate", "--db", str(db), "--framework", "nope"])
    assert result.exit_code != 0
    assert "unknown framework 'nope'" in str(result.exception or result.output)


def test_evaluate_on_a_missing_store_is_an_error_and_creates_nothing(tmp_path) -> None:
    from typer.testing import CliRunner

    from aicity.cli.main import app

    target = tmp_path / "missing.duckdb"
    result = CliRunner().invoke(app, ["evaluate", "--db", str(target)])
    assert result.exit_code != 0
    assert not target.exists()


def test_an_empty_or_factless_store_names_the_next_command(tmp_path, monkeypatch, capsys) -> None:
    import sys

    from aicity.cli._common import handle_errors
    from aicity.workflows.ingest import ingest_file

    db = tmp_path / "s.duckdb"
    Store.open(db).close()

    def run(*args: str) -> tuple[int, str]:
        monkeypatch.setattr(sys, "argv", ["aicity", *args, "--db", str(db)])
        code = handle_errors(app)
        return code, capsys.readouterr().err

    code, err = run("evaluate")
    assert (
        code != 0
        and "the store has no cities" in err
        and "aicity ingest FILE --table cities" in err
    )
    code, err = run("classify")
    assert code != 0 and "no enterprises to classify" in err and "aicity demo" in err
    cities = tmp_path / "cities.csv"
    cities.write_text("城市\n杭州\n北京\n", encoding="utf-8")
    with Store.open(db) as store:
        ingest_file(store, cities, "cities")
    code, err = run("evaluate")
    assert code != 0 and "no observations" in err and "--table observations" in err
    assert "Traceback" not in err
