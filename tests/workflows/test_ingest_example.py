"""The demo's first step: the bundled example through the same ingest code, and the coverage grid."""

from __future__ import annotations

from pathlib import Path

from aicity.store import observations, parks
from aicity.workflows.demo import build_demo, coverage


def test_example_ingests_cleanly_with_provenance(tmp_path: Path) -> None:
    run = build_demo(tmp_path)
    try:
        assert all(r.status == "ok" and r.n_rejected == 0 for r in run.ingests)
        counts = run.store.table_counts()
        assert (counts["cities"], counts["parks"], counts["enterprises"]) == (21, 38, 77)
        assert counts["indicators"] >= 47
        obs = observations(run.store)
        example = obs[obs["file"].astype("string").str.startswith("example/").fillna(False)]
        assert (
            len(example) == 641
        )  # 642 facts (with the 258 designations); Changsha's 2023 GDP appears in two files with one source
        gdp = example[
            (example["unit_key"] == "110000")
            & (example["indicator"] == "gdp")
            & (example["year"] == 2023)
        ]
        assert gdp["value"].tolist() == [43760.7]
        assert gdp["source_url"].tolist() == [
            "https://cn.dailyeconomic.com/bj/2024/03/22/3673.html"
        ]
        assert gdp["file"].tolist() == ["example/observations_panel.csv"] and gdp[
            "row"
        ].tolist() == [2]
        assert set(parks(run.store)["city_code"]) <= set(
            run.store.fetch_df("SELECT code FROM cities")["code"]
        )
        grid = coverage(run.store, ("regional_support",))
        assert (
            set(grid["city_code"]) and grid["indicator"].nunique() == 13
        )  # 8 + the designations' 5 regional codes
        beijing = grid[(grid["city_code"] == "110000") & (grid["indicator"] == "gdp")].iloc[0]
        assert (
            beijing["year"] == 2024 and bool(beijing["verified"]) is False
        )  # latest, marked VERIFY
        assert grid[grid["indicator"] == "district_gdp_xuhui"]["value"].notna().sum() == 1
    finally:
        run.store.close()
