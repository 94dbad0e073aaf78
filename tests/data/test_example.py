"""The bundled China AI 20 example: it matches the shared facts and keeps their provenance."""

from __future__ import annotations

import csv
import filecmp
from pathlib import Path

import pytest

from aicity.data.example import INGEST_ORDER, example_file
from aicity.data.example.build import build, kind_of, split_name
from aicity.io.places import firm_count
from aicity.workflows.ingest import bundled_registry

EXAMPLE = Path(str(example_file("indicators.csv"))).parent


def _rows(name: str) -> list[dict[str, str]]:
    with example_file(name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_committed_files_match_a_fresh_build(shared_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "indicators.csv").write_bytes((EXAMPLE / "indicators.csv").read_bytes())
    build(shared_dir / "data", tmp_path)
    for name, _ in INGEST_ORDER:
        assert filecmp.cmp(EXAMPLE / name, tmp_path / name, shallow=False), name


def test_every_shared_fact_is_kept_with_its_source(shared_dir: Path) -> None:
    with (shared_dir / "data" / "cities.csv").open(encoding="utf-8") as fh:
        shared = [
            r
            for r in csv.DictReader(fh)
            if r["indicator"] not in {"admin_code_6", "name_en", "longitude", "latitude"}
        ]
    ours = _rows("observations_cities.csv")
    assert len(ours) == len(shared)
    for theirs, mine in zip(shared, ours, strict=True):
        assert (mine["value"], mine["unit"], mine["year"], mine["source_url"], mine["note"]) == (
            theirs["value"],
            theirs["unit"],
            theirs["year"],
            theirs["source_url"],
            theirs["note"],
        )


def test_registry_codes_are_clean_and_cover_every_fact() -> None:
    registry = bundled_registry()
    assert registry["code"].str.fullmatch(r"[a-z][a-z0-9_]*").all()
    assert registry["code"].is_unique
    for column in ("name_zh", "name_en", "unit", "definition", "category"):
        assert registry[column].notna().all(), column
    codes = set(registry["code"])
    for name in ("observations_cities.csv", "observations_panel.csv", "observations_parks.csv"):
        assert {r["indicator"] for r in _rows(name)} <= codes
    rankings = registry[registry["category"] == "external_ranking"]["code"]
    assert {"rank_idc_inspur_ai_city", "rank_usyd_china_ai_city_index"} <= set(rankings)


def test_kinds_and_verification_marks() -> None:
    facts = _rows("observations_cities.csv") + _rows("observations_panel.csv")
    plans = [r for r in facts if r["kind"] == "plan_target"]
    assert len(plans) == 9 and {r["indicator"] for r in plans} >= {
        "ai_industry_scale",
        "intelligent_compute",
    }
    assert all(r["verified"] == "false" for r in facts if "VERIFY" in r["note"])
    assert any(r["kind"] == "estimate" and "ESTIMATE" in r["unit"] for r in facts)
    national = [r for r in facts if r["city"] == "全国"]
    assert national and all(r["unit_type"] == "nation" for r in national)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("中关村壹号 Zhongguancun No.1", ("中关村壹号", "Zhongguancun No.1")),
        (
            "琶洲核心片区 (广州人工智能与数字经济试验区) Pazhou",
            ("琶洲核心片区 (广州人工智能与数字经济试验区)", "Pazhou"),
        ),
        ("百度 Baidu", ("百度", "Baidu")),
    ],
)
def test_split_name(text: str, expected: tuple[str, str]) -> None:
    assert split_name(text) == expected


def test_kind_and_firm_count_rules() -> None:
    assert kind_of("plan_target", "亿元", "") == "plan_target"
    assert kind_of("gdp", "亿元 (ESTIMATE = x)", "") == "estimate"
    assert kind_of("intelligent_compute", "PFLOPS (planned for 2024)", "") == "plan_target"
    assert kind_of("gdp", "亿元", "bulletin") == "actual"
    assert firm_count("132 (2022)") == (132, 2022, "actual")
    assert firm_count("~90 (2020)") == (90, 2020, "estimate")
    assert firm_count("200-400 (expected)") == (None, None, "")
    assert firm_count("60 projects at opening") == (None, None, "")
