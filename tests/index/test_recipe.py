"""Recipes: YAML round trip with defaults filled in, error paths, regenerate."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from aicity.errors import ConfigError
from aicity.index import Recipe, build


def test_yaml_round_trip_fills_defaults():
    rec = Recipe.from_yaml("steps:\n  - treat: {winmax: 3}\n  - normalise: {}\n  - aggregate\n")
    spec = yaml.safe_load(rec.to_yaml())
    assert [next(iter(s)) for s in spec["steps"]] == ["treat", "normalise", "aggregate"]
    assert spec["steps"][0]["treat"]["winmax"] == 3
    assert spec["steps"][0]["treat"]["kurtosis"] == 3.5
    assert spec["steps"][1]["normalise"]["upper"] == 100
    assert Recipe.from_dict(spec) == rec


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "steps:\n  - treat: {}\n  - normalise: {method: minmax, lower: 100, upper: 0}\n",
            "recipe -> steps[1] -> normalise -> lower: must be below upper (got 100 >= 0)",
        ),
        (
            "steps:\n  - normalise: {method: minmx}\n",
            "recipe -> steps[0] -> normalise -> method: must be one of",
        ),
        (
            "steps:\n  - normalise: {lowr: 1}\n",
            "recipe -> steps[0] -> normalise -> lowr: unknown parameters",
        ),
        ("steps:\n  - cook: {}\n", "recipe -> steps[0] -> cook: unknown step"),
        (
            "steps:\n  - screen: {min_availability: 1.5}\n",
            "recipe -> steps[0] -> screen -> min_availability: must be a number between 0 and 1",
        ),
        ("steps:\n  - impute: {method: group_mean}\n", "recipe -> steps[0] -> impute -> group"),
        ("steps:\n  - treat: {winmax: -1}\n", "recipe -> steps[0] -> treat -> winmax"),
        ("steps:\n  - aggregate: {method: median}\n", "recipe -> steps[0] -> aggregate -> method"),
        ("stepz: []\n", "recipe: expected a mapping with a list 'steps'"),
    ],
)
def test_errors_name_step_and_parameter(text, message):
    with pytest.raises(ConfigError) as err:
        Recipe.from_yaml(text)
    assert message in str(err.value)


def test_runtime_errors_carry_the_step_path(make_toy):
    fw = make_toy()
    rec = Recipe([("impute", {"method": "group_mean", "group": "nope"}), ("normalise", {})])
    with pytest.raises(ConfigError, match=r"recipe -> steps\[0\] -> impute -> group"):
        build(fw, recipe=rec)
    rec = Recipe([("normalise", {"lower": -1}), ("aggregate", {"method": "geometric_mean"})])
    with pytest.raises(
        ConfigError, match=r"steps\[1\] -> aggregate -> method: geometric_mean needs values > 0"
    ):
        build(fw, recipe=rec)


def test_regenerate_without_change_is_identical(result_b):
    again = result_b.regenerate()
    assert again.equals(result_b)
    assert again is not result_b


def test_regenerate_changes_one_setting(result_a):
    z = result_a.regenerate(normalise__method="zscore", normalise__mean=10, normalise__sd=2)
    norm = z.stages["normalised"]
    np.testing.assert_allclose(norm.mean(), 10, atol=1e-9)
    np.testing.assert_allclose(norm.std(ddof=1), 2, atol=1e-9)
    assert z.recipe.steps[1].method == "zscore" and result_a.recipe.steps[1].method == "minmax"
    with pytest.raises(ConfigError, match="unknown parameter 'nope'"):
        result_a.regenerate(normalise__nope=1)
    with pytest.raises(ConfigError, match="no step 'weigh'"):
        result_a.regenerate(weigh__method="equal")


def test_stages_and_flags(result_b):
    assert result_b.stage_names == [
        "raw",
        "denominated",
        "imputed",
        "screened",
        "treated",
        "normalised",
        "aggregated",
    ]
    flags = result_b.flags
    imputed = flags[flags["flag"] == "imputed:group_mean"]
    raw_missing = int(result_b.stages["denominated"].isna().sum().sum())
    assert len(imputed) == raw_missing == 65
    assert set(flags.loc[flags["stage"] == "treated", "flag"]) <= {"winhi", "winlo", "log_ct"}
    assert result_b.level_scores("Pillar").shape == (51, 8)
    assert (result_b.level_ranks(4).min() == 1).all()
