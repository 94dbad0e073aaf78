"""Cell selection rules and a full evaluation of the bundled example."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aicity.errors import ConfigError
from aicity.store.runs import compare_runs, load_run
from aicity.workflows.cells import reference_year_of, select_cells
from aicity.workflows.evaluate_specs import engine_spec, load_framework_spec
from aicity.workflows.selection import scope_matches


def _obs(rows):
    base = {
        "kind": "actual",
        "verified": True,
        "reliability": "B",
        "source_id": 1,
        "source_url": "https://example.org/bulletin",
        "value_text": None,
    }
    frame = pd.DataFrame([{**base, **r} for r in rows])
    frame["obs_id"] = range(1, len(frame) + 1)
    return frame


IND = [{"code": "gdp", "unit": "亿元"}]


def test_latest_value_within_age_and_never_a_plan_target():
    obs = _obs(
        [
            {"unit_key": "A", "indicator": "gdp", "year": 2020, "value": 1.0, "unit": "亿元"},
            {"unit_key": "A", "indicator": "gdp", "year": 2023, "value": 3.0, "unit": "亿元"},
            {
                "unit_key": "A",
                "indicator": "gdp",
                "year": 2024,
                "value": 9.0,
                "unit": "亿元",
                "kind": "plan_target",
            },
            {
                "unit_key": "A",
                "indicator": "gdp",
                "year": 2026,
                "value": 7.0,
                "unit": "亿元",
            },  # after the year
            {
                "unit_key": "B",
                "indicator": "gdp",
                "year": 2019,
                "value": 5.0,
                "unit": "亿元",
            },  # too old
        ]
    )
    cells = select_cells(obs, ["A", "B", "C"], IND, year=2024, max_age=3).set_index("unit_key")
    assert cells.at["A", "value"] == 3.0 and cells.at["A", "year"] == 2023
    assert cells.at["A", "flags"] == "stale"
    assert np.isnan(cells.at["B", "value"]) and cells.at["B", "flags"] == "missing"
    assert cells.at["C", "flags"] == "missing"


def test_scopes_are_never_mixed():
    assert scope_matches("亿元", "亿元")
    assert scope_matches("亿元 (5.39万亿, rounded)", "亿元")
    assert not scope_matches("亿元 (Q1-Q3 only)", "亿元")
    assert not scope_matches("亿元 (AI core industry, Zhangjiang only)", "亿元")
    assert not scope_matches("AI firms in CNGAIDS sample", "firms")
    assert scope_matches("firms (lower bound; stated as 超2.4万)", "firms")
    obs = _obs(
        [
            {
                "unit_key": "A",
                "indicator": "gdp",
                "year": 2024,
                "value": 10700,
                "unit": "亿元 (Q1-Q3 only)",
            },
        ]
    )
    cells = select_cells(obs, ["A"], IND, year=2024, max_age=3)
    assert cells.iloc[0]["flags"] == "missing other_scope" and np.isnan(cells.iloc[0]["value"])


def test_estimates_unverified_and_lower_bounds_are_flagged():
    obs = _obs(
        [
            {
                "unit_key": "A",
                "indicator": "gdp",
                "year": 2024,
                "value": 1.0,
                "unit": "亿元 (lower bound)",
                "kind": "estimate",
                "verified": False,
            },
        ]
    )
    flags = select_cells(obs, ["A"], IND, 2024, 3).iloc[0]["flags"].split()
    assert set(flags) == {"estimate", "unverified", "lower_bound"}


def test_designations_never_go_stale_and_absence_means_zero():
    ind = [{"code": "pilot", "unit": "flag", "value_type": "flag"}]
    obs = _obs(
        [
            {
                "unit_key": "A",
                "indicator": "pilot",
                "year": 2019,
                "value": np.nan,
                "value_text": "yes",
                "unit": "flag",
            },
            {"unit_key": "C", "indicator": "pilot", "year": 2025, "value": 1.0, "unit": "flag"},
        ]
    )
    cells = select_cells(obs, ["A", "B", "C"], ind, year=2024, max_age=1).set_index("unit_key")
    assert cells.at["A", "value"] == 1.0 and cells.at["A", "flags"] == ""
    assert cells.at["B", "value"] == 0.0 and cells.at["B", "flags"] == "absent_flag"
    assert cells.at["C", "value"] == 0.0  # designated only after the reference year


def test_reference_year_fills_the_most_cells():
    rows = [("A", 2020), ("B", 2021), ("C", 2024), ("D", 2016)]
    obs = _obs(
        [
            {"unit_key": k, "indicator": "gdp", "year": y, "value": 1.0, "unit": "亿元"}
            for k, y in rows
        ]
    )
    # 2021 (A, B) and 2024 (B, C) both fill 2 cells within 3 years: the later year wins
    assert reference_year_of(obs, ["gdp"], max_age=3) == 2024
    assert reference_year_of(obs, ["gdp"], max_age=1) == 2021


def test_bundled_framework_passes_the_engine_checks():
    from aicity.index import Framework

    spec, _ = load_framework_spec("china_ai_20")
    clean = engine_spec(spec)
    codes = [n["code"] for n in spec["nodes"] if n.get("level") == 1]
    data = pd.DataFrame({"uCode": ["a", "b"], **{c: [1.0, 2.0] for c in codes}})
    fw = Framework.from_yaml(clean, data=data)
    assert [fw.names(c, "zh") for c in fw.levels[1]] == [
        "技术创新能力",
        "产业集群竞争力",
        "区域支撑能力",
    ]
    assert all(n.get("definition") for n in spec["nodes"] if n.get("level") == 1)


def test_unknown_framework_and_recipe_are_config_errors(tmp_path):
    from aicity.workflows.evaluate_specs import load_recipe_text

    with pytest.raises(ConfigError, match="unknown framework"):
        load_framework_spec("nope")
    with pytest.raises(ConfigError, match="not found"):
        load_framework_spec(tmp_path / "missing.yaml")
    with pytest.raises(ConfigError, match="unknown recipe"):
        load_recipe_text("nope")


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    from aicity.workflows.demo import build_demo

    run = build_demo(tmp_path_factory.mktemp("demo"))
    yield run.store
    run.store.close()


def test_evaluate_the_bundled_example_end_to_end(demo_store):
    from aicity.workflows.evaluate import evaluate
    from aicity.workflows.evaluate_uncertainty import run_uncertainty_for

    ev = evaluate(demo_store, year=2023)
    run = load_run(demo_store, ev.run_id)
    meta = run.meta
    assert meta["reference_year"] == 2023 and meta["n_units"] == 21 and meta["n_indicators"] == 9
    results = run.results
    assert set(results["scheme"]) == {"default", "entropy", "ahp", "geometric"}
    index = results.query("scheme == 'default' and code == 'AI20'")
    assert len(index) == 21 and sorted(index["rank"]) == sorted(ev.result.index_ranks.astype(int))
    # every stage of the pipeline is stored
    assert {"raw", "imputed", "normalised", "aggregated"} <= set(run.values["stage"])
    cells = run.cells
    # Zhengzhou's 2024 GDP is a Q1-Q3 figure: never used as a full-year value
    zz = cells[(cells["unit_key"] == "410100") & (cells["indicator"] == "gdp")].iloc[0]
    assert zz["year"] != 2024
    # the cells the engine imputed carry the flag, and only cells without real data are imputed
    engine_imputed = ev.result.flags["flag"].str.startswith("imputed").sum()
    flagged = cells["flags"].str.contains("imputed")
    assert engine_imputed > 0 and flagged.sum() == engine_imputed
    assert not cells.loc[flagged, "real"].astype(bool).any()
    # evidence rules on the bundled example: <= 10 % imputed, nothing unverified scored, every
    # ranked city on >= 2/3 real cells
    assert flagged.sum() / len(cells) <= 0.10
    assert not (cells["real"].astype(bool) & cells["flags"].str.contains("unverified")).any()
    units = run.units
    ranked = units[units["ranked"].astype(bool)]
    assert (ranked["real_cells"] / ranked["total_cells"] >= 2 / 3).all()
    stats = run_uncertainty_for(demo_store, ev.run_id, n=50, sobol_n=None)
    q05 = stats[stats["stat"] == "rank_q05"].set_index("unit_key")["value"]
    q95 = stats[stats["stat"] == "rank_q95"].set_index("unit_key")["value"]
    assert (q05 <= q95).all() and len(q05) == 21


def test_two_runs_compare(demo_store):
    from aicity.workflows.evaluate import evaluate

    a = evaluate(demo_store, year=2023, alternatives=None)
    b = evaluate(demo_store, year=2023, recipe="entropy", alternatives=None)
    assert a.record.data_hash == b.record.data_hash
    changes = compare_runs(demo_store, a.run_id, b.run_id)
    overall = changes[changes["code"] == "AI20"]
    assert len(overall) == 21
    assert (overall["rank_change"] == overall["rank_a"] - overall["rank_b"]).all()


def test_parks_are_evaluated_with_their_city_context(demo_store):
    from aicity.workflows.classification import classify
    from aicity.workflows.evaluate import evaluate
    from aicity.workflows.inventory import inventory

    classify(demo_store)
    inventory(demo_store, year=2023)
    ev = evaluate(demo_store, framework="china_ai_20_parks", year=2023, alternatives=None)
    run = load_run(demo_store, ev.run_id)
    meta = run.meta
    assert meta["unit_type"] == "park" and 3 <= meta["n_units"] <= 38
    cells = run.cells
    gdp = cells[cells["indicator"] == "gdp"]
    assert gdp["flags"].str.contains("city_level").all()
    units = run.units.set_index("unit_key")
    city = evaluate(demo_store, year=2023, alternatives=None)
    city_gdp = (
        city.record.tables["eval_cells"].query("indicator == 'gdp'").set_index("unit_key")["value"]
    )
    for row in gdp.itertuples(index=False):
        expected = city_gdp.get(units.at[row.unit_key, "city_code"])
        assert (np.isnan(row.value) and np.isnan(expected)) or row.value == expected
    # every evaluated park has a value of its own
    own = cells[cells["indicator"].str.startswith("inv_")]
    assert own.groupby("unit_key")["value"].apply(lambda v: v.notna().any()).all()


def test_no_strength_or_weakness_rests_on_an_unreal_or_common_cell(demo_store):
    from aicity.profiles import build_profiles
    from aicity.workflows.evaluate import evaluate

    ev = evaluate(demo_store, year=2023, alternatives=())
    run = load_run(demo_store, ev.run_id)
    cells = run.cells.set_index(["unit_key", "indicator"])
    real = run.cells[run.cells["real"].astype(bool)]
    shared = real.groupby(["indicator", "value"]).size()
    n_units = len(run.units)
    profiles = build_profiles(run)
    claims = 0
    for key, profile in profiles.items():
        for position in [*profile.strengths, *profile.weaknesses]:
            cell = cells.loc[(key, position.code)]
            assert bool(cell["real"]) and "imputed" not in cell["flags"], (key, position.code)
            assert shared[(position.code, cell["value"])] <= n_units / 3, (key, position.code)
            claims += 1
        # the bundled firms are a sample: no verdict clause on the layer mix
        assert "企业" not in profile.verdict_zh and "firms" not in profile.verdict_en
    assert claims > 0
