"""`aicity profile`: a layer-mix clause comes only from a registry-kind firm list of 30+ firms, with its n
and the same registry's reference; the bundled sample of firms never gives one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import run_ok


@pytest.fixture(scope="module")
def example_db(evaluated_example: Path) -> Path:
    return evaluated_example


def _profile(db: Path, city: str) -> dict:
    output = run_ok(["profile", city, "--db", str(db), "--json"])
    return json.loads(output)


def test_the_bundled_sample_gives_no_layer_mix_clause(example_db: Path):
    profile = _profile(example_db, "杭州")
    kinds = [c["kind"] for c in profile["claims"]]
    assert kinds[0] == "rank" and "layer_mix" not in kinds
    assert all(c["basis_kind"] != "registry" for c in profile["claims"])
    # n real / N travels with the score
    assert profile["coverage"]["total"] == 9 and profile["coverage"]["real"] >= 6
    # findings rest on real cells only
    real = {c["indicator"] for c in profile["cells"] if c["status"] in ("real", "stale")}
    assert {s["code"] for s in profile["strengths"] + profile["weaknesses"]} <= real


def test_a_synthetic_registry_gives_layer_mix_clauses_with_n_and_reference(
    example_db: Path, tmp_path: Path
):
    db = tmp_path / "registry.duckdb"
    db.write_bytes(example_db.read_bytes())
    firms = tmp_path / "registry.parquet"
    run_ok(["synth", "enterprises", "--rows", "3000", "--out", str(firms), "--into-db", str(db)])
    run_ok(["classify", "--db", str(db), "--method", "rules"])
    run_ok(["evaluate", "--db", str(db), "--year", "2023", "--top", "0"])
    profile = _profile(db, "北京")
    mix = [c for c in profile["claims"] if c["kind"] == "layer_mix"]
    assert len(mix) == 1, profile["claims"]
    clause = mix[0]
    assert clause["basis_kind"] == "registry" and clause["basis_n"] >= 30
    assert clause["synthetic"] is True and "合成数据" in clause["text_zh"]
    # the clause states its n, the share and the reference from the same registry (3000 firms in all)
    assert f"{clause['basis_n']}家中占" in clause["text_zh"]
    assert "同一名录全部" in clause["text_zh"] and "registry" in clause["text_en"]
    text = run_ok(["profile", "北京", "--db", str(db)])
    assert "registry" in text
