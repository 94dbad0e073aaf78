"""`aicity site` and `aicity targets` on the bundled example: JSON shapes, both languages, the removed
cities, the illustrative note of a sample, and a bad persona file as a one-line error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import run_ok
from typer.testing import CliRunner

from aicity.cli._common import handle_errors
from aicity.cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def db(evaluated_example: Path) -> Path:
    return evaluated_example


def test_site_json_shape(db: Path):
    data = json.loads(
        run_ok(["site", "--persona", "chip_startup", "--db", str(db), "--json", "--n", "30"])
    )
    assert data["persona"]["name"] == "chip_startup" and data["replications"] == 30
    assert {w["indicator"] for w in data["persona"]["weights"]} >= {
        "double_first_class_universities"
    }
    assert all(w["why_zh"] and w["why_en"] for w in data["persona"]["weights"])
    cities = data["cities"]
    assert [c["position"] for c in cities] == list(range(1, len(cities) + 1))
    assert len(cities) + len(data["removed"]) == data["n_ranked"] == 21
    first = cities[0]
    assert {"rank", "score", "rank_low", "rank_high", "run_rank", "facts", "move"} <= set(first)
    assert data["removed"] and all(
        r["indicator"] == "double_first_class_universities" for r in data["removed"]
    )


def test_site_text_in_both_languages(db: Path):
    zh = run_ok(
        ["site", "--persona", "application_vendor", "--db", str(db), "--n", "20", "--top", "3"]
    )
    assert "AI应用企业" in zh and "按硬性条件剔除" in zh and "90%区间" in zh and "理由" in zh
    en = run_ok(["site", "--persona", "model_company", "--db", str(db), "--n", "0", "--lang", "en"])
    assert "Large-model company" in en and "removed by a hard filter" in en
    assert "rank intervals not computed" in en


def test_a_bad_persona_file_is_one_line(db: Path, tmp_path: Path, monkeypatch, capsys):
    bad = tmp_path / "mine.yaml"
    bad.write_text(
        "name: mine\ntitle_zh: 我的\ntitle_en: mine\nweights:\n  gdp: {wieght: 1, why_zh: a, why_en: b}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr("sys.argv", ["aicity", "site", "--persona", str(bad), "--db", str(db)])
    assert handle_errors(app) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "mine.yaml: weights.gdp.wieght: unknown key" in err
    assert "Traceback" not in err and len(err.splitlines()) == 1


def test_targets_on_the_sample_says_illustrative(db: Path):
    data = json.loads(
        run_ok(["targets", "--city", "杭州", "--db", str(db), "--json", "--top", "3"])
    )
    assert data["city_code"] == "330100" and data["basis"] == "sample" and data["illustrative"]
    assert len(data["gaps"]) == 3
    for gap in data["gaps"]:
        assert {"segment", "status", "weight", "priority", "local", "pool"} <= set(gap)
        for c in gap["candidates"]:
            assert c["city_code"] != "330100"
            assert {"name", "city_zh", "confidence", "business_text", "why_zh", "why_en"} <= set(c)
    zh = run_ok(["targets", "--city", "杭州", "--db", str(db), "--top", "1"])
    assert "示意" in zh and "样本中未列出" in zh
    en = run_ok(["targets", "--city", "Hangzhou", "--db", str(db), "--top", "1", "--lang", "en"])
    assert "Illustrative" in en and "none listed in the sample" in en
