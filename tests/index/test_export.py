"""Writing a result to a folder."""

from __future__ import annotations

import pandas as pd

from aicity.index.export import write_result


def test_write_result_layout(result_b, tmp_path):
    written = write_result(result_b, tmp_path)
    names = {p.relative_to(tmp_path).as_posix() for p in written}
    for stage in result_b.stage_names:
        assert f"{stage}.csv" in names
    assert {
        "ranks.csv",
        "treatment.csv",
        "screening.csv",
        "flags.csv",
        "weights.csv",
        "recipe.yaml",
        "audit/stats.csv",
        "audit/cronbach.csv",
        "audit/pca.csv",
        "audit/strengths.csv",
        "audit/weaknesses.csv",
        "audit/correlations.csv",
    } <= names
    agg = pd.read_csv(tmp_path / "aggregated.csv")
    assert list(agg.columns[:2]) == ["uCode", "LPI"] and agg.columns[-1] == "Index"
    ranks = pd.read_csv(tmp_path / "ranks.csv").set_index("uCode")
    assert ranks.loc["CHE", "Index"] == 1
