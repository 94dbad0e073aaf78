import sys
from pathlib import Path

import pandas as pd

from aicity.profiles import build_profiles
from aicity.store import Store
from aicity.store.runs import load_run, save_run

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
from eval_run_factory import make_run


def _run():
    store = Store.memory()
    save_run(store, make_run("p"))
    return load_run(store, "p")


def test_profiles_match_the_run_and_use_the_median_city():
    run = _run()
    profiles = build_profiles(run)
    results = run.results.query("scheme == 'default'")
    assert set(profiles) == set(run.units["unit_key"])
    for key, p in profiles.items():
        mine = results[results["unit_key"] == key].set_index("code")
        assert p.score == mine.at["AI20", "score"] and p.rank == mine.at["AI20", "rank"]
        for d in p.dimensions:
            assert d.score == mine.at[d.code, "score"]
            assert d.median == results[results["code"] == d.code]["score"].median()
        assert p.rank_low is not None and p.rank_low <= p.rank <= p.rank_high
        assert p.verdict_zh and p.verdict_en


def test_coverage_counts_imputed_and_stale_cells():
    profiles = build_profiles(_run())
    harbin = profiles["230100"]
    assert (harbin.n_observed, harbin.n_imputed) == (4, 2)
    assert profiles["510100"].n_stale == 1
    assert harbin.coverage == 4 / 6


def test_strengths_are_top_third_weaknesses_bottom_third():
    for p in build_profiles(_run()).values():
        assert all(s.rank <= s.n_ranked / 3 for s in p.strengths)
        assert all(w.rank > w.n_ranked * 2 / 3 for w in p.weaknesses)
        assert not {s.code for s in p.strengths} & {w.code for w in p.weaknesses}


def test_firms_and_parks_attach_to_their_city():
    firms = pd.DataFrame(
        {
            "name": ["a", "b", "c", "d"],
            "city_code": ["110000"] * 3 + ["310000"],
            "park_id": [None] * 4,
            "layer": ["technology", "technology", "application", "foundation"],
            "segment": ["large_models", "large_models", "smart_security", "ai_chips"],
        }
    )
    parks = pd.DataFrame({"park_id": ["x"], "city_code": ["110000"], "name_zh": ["园"]})
    profiles = build_profiles(_run(), enterprises=firms, parks=parks)
    beijing = profiles["110000"]
    assert beijing.layer_counts == {"foundation": 0, "technology": 2, "application": 1}
    assert beijing.segment_counts == {"large_models": 2, "smart_security": 1}
    assert len(beijing.parks) == 1 and profiles["310000"].parks.empty
    # the firms carry no coverage kind, so they are a sample: drawn on the map, never a verdict
    assert "技术层" not in beijing.verdict_zh and "企业" not in beijing.verdict_zh


def test_layer_mix_verdict_only_from_30_registry_firms_with_the_registry_reference():
    layers = ["technology"] * 25 + ["application"] * 10 + ["foundation"] * 5
    firms = pd.DataFrame(
        {
            "name": [f"f{i}" for i in range(40 + 60)],
            "city_code": ["110000"] * 40 + ["310000"] * 60,
            "park_id": [None] * 100,
            "layer": layers + ["foundation"] * 30 + ["application"] * 30,
            "segment": [None] * 100,
            "coverage": "registry",
        }
    )
    profiles = build_profiles(_run(), enterprises=firms)
    zh, en = profiles["110000"].verdict_zh, profiles["110000"].verdict_en
    # 35 of 40 upper-layer firms (88%) against 65 of 100 in the same registry (65%)
    assert "技术层和应用层企业偏多（40家中占35家，88%；同一名录全部100家为65%）" in zh
    assert "over-represented" in en and "35 of 40" in en
    # the same firms as a sample: no layer-mix clause at all
    sample = build_profiles(_run(), enterprises=firms.assign(coverage="sample"))
    assert "企业" not in sample["110000"].verdict_zh
    # fewer than 30 registry firms: no clause either
    few = build_profiles(_run(), enterprises=firms[firms["city_code"] == "110000"].head(29))
    assert "企业" not in few["110000"].verdict_zh
