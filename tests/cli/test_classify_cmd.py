"""`aicity classify`, `classify train` and `classify evaluate` in-process."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from aicity.cli._common import handle_errors
from aicity.cli.main import app
from aicity.store import Store

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("classify")
    db = folder / "s.duckdb"
    out = folder / "f.parquet"
    result = runner.invoke(
        app,
        [
            "synth",
            "enterprises",
            "--rows",
            "400",
            "--seed",
            "5",
            "--out",
            str(out),
            "--into-db",
            str(db),
        ],
    )
    assert result.exit_code == 0, result.output
    return db


def test_rules_then_learned(db: Path, tmp_path: Path):
    result = runner.invoke(app, ["classify", "--db", str(db), "--method", "rules"])
    assert result.exit_code == 0, result.output
    assert "classify run 1 (rules): 400 firms" in result.output
    with Store.open(db, read_only=True) as store:
        labelled = store.fetch_one("SELECT count(*) FROM enterprises WHERE segment IS NOT NULL")
        methods = store.fetch_df(
            "SELECT method, count(*) AS n FROM classifications GROUP BY method"
        )
    assert dict(zip(methods["method"], methods["n"], strict=True))["input"] == labelled
    trained = runner.invoke(app, ["classify", "train", "--db", str(db)])
    assert trained.exit_code == 0, trained.output
    assert "model v1:" in trained.output and "saved to" in trained.output
    learned = runner.invoke(app, ["classify", "--db", str(db), "--method", "learned"])
    assert learned.exit_code == 0, learned.output
    assert "(learned, model v1)" in learned.output


def test_evaluate_prints_scores_and_confusion(tmp_path: Path):
    labels = tmp_path / "labels.csv"
    labels.write_text(
        "name,description,segment\n"
        "甲科技,GPU与AI芯片设计,ai_chips\n"
        "乙科技,人形机器人研发,robotics\n"
        "丙科技,语音识别与语音合成,speech\n"
        "丁科技,日用百货,smart_retail_commerce\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["classify", "evaluate", "--labels", str(labels), "--method", "rules"]
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())  # Rich wraps long lines
    assert "4 labelled firms (4 AI, 0 not AI), rules (rules)" in text
    assert "segment accuracy 0.750" in text
    assert (
        "per layer" in result.output
        and "layer confusion" in result.output
        and "unclassified" in result.output
    )


def test_evaluate_cv_on_the_bundled_labels_as_json():
    from aicity.workflows.labels import bundled_labels_path

    args = ["classify", "evaluate", "--labels", str(bundled_labels_path()), "--cv", "3", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    import json

    payload = json.loads(result.output)
    assert payload["model"].startswith("3-fold stratified CV") and not payload["circular"]
    s = payload["summary"]
    assert s["cv_folds"] == 3 and s["n_non_ai"] >= 60
    assert s["layer_accuracy"] > 0.5 and s["non_ai_recall"] > 0.5  # robust floors, not the figures
    assert {"foundation", "none"} <= set(payload["layer_confusion"])


def test_default_method_is_the_bundled_model(tmp_path: Path):
    db = tmp_path / "s.duckdb"
    made = runner.invoke(
        app,
        [
            "synth",
            "enterprises",
            "--rows",
            "50",
            "--out",
            str(tmp_path / "f.parquet"),
            "--into-db",
            str(db),
        ],
    )
    assert made.exit_code == 0, made.output
    result = runner.invoke(app, ["classify", "--db", str(db)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "(learned, bundled, trained on firms_labelled.csv sha256 " in text
    assert "not AI firms" in text and "unclassified" in text
    assert not list(db.parent.glob("s.duckdb.models/bundled-*.joblib"))  # shipped or per user (#18)


def test_unknown_method_is_a_one_line_error(db: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.setattr("sys.argv", ["aicity", "classify", "--db", str(db), "--method", "magic"])
    assert handle_errors(app) == 2
    err = capsys.readouterr().err
    assert "method 'magic' is not one of rules, learned" in err and "Traceback" not in err
