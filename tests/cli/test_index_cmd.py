"""``aicity index build`` end to end, in process."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from typer.testing import CliRunner

from aicity.cli.main import app

runner = CliRunner()


def test_index_build_quick_pipeline(coinr_asem, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "index",
            "build",
            "--meta",
            str(coinr_asem / "input_iMeta.csv"),
            "--data",
            str(coinr_asem / "input_iData.csv"),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "DEU 78.98" in result.output
    for name in (
        "raw.csv",
        "treated.csv",
        "normalised.csv",
        "aggregated.csv",
        "ranks.csv",
        "treatment.csv",
        "recipe.yaml",
        "audit/stats.csv",
        "audit/correlations.csv",
        "audit/cronbach.csv",
        "audit/pca.csv",
        "audit/strengths.csv",
        "audit/weaknesses.csv",
    ):
        assert (out / name).exists(), name
    agg = pd.read_csv(out / "aggregated.csv").set_index("uCode")
    ref = pd.read_csv(coinr_asem / "A_aggregated_amean.csv").set_index("uCode")
    np.testing.assert_allclose(agg.loc[ref.index, ref.columns], ref, rtol=1e-9, atol=1e-9)
    assert list(pd.read_csv(out / "audit/cronbach.csv").columns) == ["group", "alpha"]
    assert list(pd.read_csv(out / "audit/strengths.csv").columns) == [
        "uCode",
        "iCode",
        "rank",
        "value",
    ]
    recipe = yaml.safe_load((out / "recipe.yaml").read_text())
    assert recipe["steps"][0]["treat"]["winmax"] == 5


def test_index_build_with_recipe(coinr_asem, tmp_path):
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(
        "steps:\n  - denominate: {}\n  - impute: {method: group_mean, group: EurAsia_group}\n"
        "  - screen: {min_availability: 0.9, by: na}\n  - treat: {winmax: 5}\n"
        "  - normalise: {method: minmax, lower: 0, upper: 100}\n  - aggregate: {method: arithmetic_mean}\n",
        encoding="utf-8",
    )
    out = tmp_path / "b"
    result = runner.invoke(
        app,
        [
            "index",
            "build",
            "--meta",
            str(coinr_asem / "input_iMeta.csv"),
            "--data",
            str(coinr_asem / "input_iData.csv"),
            "--recipe",
            str(recipe),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    ranks = pd.read_csv(out / "ranks.csv").set_index("uCode")
    assert ranks["Index"].idxmin() == "CHE"
    assert (out / "screening.csv").exists() and (out / "denominated.csv").exists()


def test_index_build_yaml_framework(tmp_path):
    fw = tmp_path / "fw.yaml"
    fw.write_text(
        "name: demo\nlevels: [indicator, dimension, index]\n"
        "index: {code: AI, name_zh: 指数, name_en: Index}\n"
        "nodes:\n  - {code: T, parent: AI, name_zh: 技术, name_en: Tech}\n"
        "  - {code: a, parent: T, name_zh: 甲, name_en: A}\n"
        "  - {code: b, parent: T, name_zh: 乙, name_en: B, direction: -1}\n",
        encoding="utf-8",
    )
    data = tmp_path / "units.csv"
    pd.DataFrame(
        {
            "uCode": ["x", "y", "z", "w"],
            "uName": ["北京", "上海", "深圳", "杭州"],
            "a": [1.0, 2, 3, 4],
            "b": [4.0, 3, 2, 1],
        }
    ).to_csv(data, index=False)
    out = tmp_path / "o"
    result = runner.invoke(
        app, ["index", "build", "--framework", str(fw), "--data", str(data), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    ranks = pd.read_csv(out / "ranks.csv").set_index("uCode")
    assert ranks.loc["w", "AI"] == 1 and ranks.loc["x", "AI"] == 4


def test_index_build_errors_are_one_line(coinr_asem, tmp_path):
    recipe = tmp_path / "bad.yaml"
    recipe.write_text(
        "steps:\n  - normalise: {method: minmax, lower: 100, upper: 0}\n", encoding="utf-8"
    )
    import sys

    from aicity.cli._common import handle_errors

    argv = sys.argv
    sys.argv = [
        "aicity",
        "index",
        "build",
        "--meta",
        str(coinr_asem / "input_iMeta.csv"),
        "--data",
        str(coinr_asem / "input_iData.csv"),
        "--recipe",
        str(recipe),
        "--out",
        str(tmp_path / "o"),
    ]
    try:
        code = handle_errors(app)
    finally:
        sys.argv = argv
    assert code == 2
    result = runner.invoke(
        app,
        [
            "index",
            "build",
            "--meta",
            str(coinr_asem / "input_iMeta.csv"),
            "--data",
            str(coinr_asem / "input_iData.csv"),
            "--recipe",
            str(recipe),
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert result.exit_code != 0
    assert "normalise -> lower: must be below upper (got 100 >= 0)" in str(result.exception)
    missing = runner.invoke(
        app,
        [
            "index",
            "build",
            "--meta",
            str(Path(tmp_path, "nope.csv")),
            "--data",
            str(coinr_asem / "input_iData.csv"),
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert missing.exit_code != 0 and "file not found" in str(missing.exception)


def test_index_help_lists_build():
    result = runner.invoke(app, ["index", "--help"])
    assert result.exit_code == 0 and "build" in result.output
    result = runner.invoke(app, ["index", "build", "--help"])
    assert result.exit_code == 0 and "--recipe" in result.output and "--framework" in result.output


def test_index_build_without_aggregation(coinr_asem, tmp_path):
    recipe = tmp_path / "r.yaml"
    recipe.write_text("steps:\n  - impute: {}\n  - normalise: {method: zscore}\n", encoding="utf-8")
    out = tmp_path / "n"
    result = runner.invoke(
        app,
        [
            "index",
            "build",
            "--meta",
            str(coinr_asem / "input_iMeta.csv"),
            "--data",
            str(coinr_asem / "input_iData.csv"),
            "--recipe",
            str(recipe),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "no aggregate step" in result.output
    assert (out / "normalised.csv").exists() and not (out / "aggregated.csv").exists()
