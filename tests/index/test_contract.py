"""Contract over every registered step and method: defaults, params round trip, directions, NaN policy,
recipe round trip (scikit-learn's common-tests idea)."""

from __future__ import annotations

import numpy as np
import pytest

from aicity.index import METHODS, STEPS, Recipe, build
from aicity.index.base import Step

EXTRA = {  # parameters some methods need to run at all
    ("normalise", "dist2ref"): {"reference": "U03"},
    ("normalise", "goalposts"): {"goalposts": [0, 60, 100]},
    ("impute", "group_mean"): {"group": "grp"},
    ("impute", "group_median"): {"group": "grp"},
    ("weight", "ahp"): {"matrix": {"D1": [[1, 2, 3], [0.5, 1, 2], [1 / 3, 0.5, 1]]}},
}
CASES = [(step, m) for step, methods in METHODS.items() for m in methods]


def _recipe(step: str, method: str) -> Recipe:
    params = {"method": method, **EXTRA.get((step, method), {})}
    if step in ("impute", "treat"):
        return Recipe([(step, params), ("normalise", {}), ("aggregate", {})])
    if step == "normalise":
        return Recipe([("impute", {}), (step, params), ("aggregate", {})])
    if step == "weight":
        return Recipe([("normalise", {}), (step, params), ("aggregate", {})])
    lower = 1 if method in ("geometric_mean", "harmonic_mean") else 0
    return Recipe([("impute", {}), ("normalise", {"lower": lower}), (step, params)])


def test_every_step_is_registered_with_defaults():
    assert set(STEPS) == {
        "denominate",
        "screen",
        "impute",
        "treat",
        "normalise",
        "weight",
        "aggregate",
    }
    for name, cls in STEPS.items():
        step = cls()
        step.check()
        assert isinstance(step, Step) and step.name == name
        assert step.get_params() == cls.defaults()
        clone = cls(**step.get_params())
        assert clone == step


@pytest.mark.parametrize(("step", "method"), CASES)
def test_method_runs_round_trips_and_keeps_units(make_toy, step, method):
    fw = make_toy()
    fw.values[2, 1] = np.nan  # every method meets a missing value
    rec = _recipe(step, method)
    again = Recipe.from_yaml(rec.to_yaml())
    assert again == rec
    res = build(fw, recipe=rec)
    assert list(res.units) == list(fw.unit_codes)
    assert res.recipe == rec
    cls = STEPS[step]
    s = cls().set_params(**rec.steps[[x.name for x in rec.steps].index(step)].get_params())
    assert s.get_params()["method"] == method
    if step == "aggregate" or "aggregated" in res.stages:
        idx = res.index_scores
        assert idx.notna().sum() >= len(idx) - 1
    if step == "impute" and method != "none":
        assert res.stages["imputed"].notna().all().all()
        assert (res.flags["flag"] == f"imputed:{method}").sum() == 1
    if step == "impute" and method == "none":
        assert np.isnan(res.stages["imputed"].iloc[2, 1])


@pytest.mark.parametrize("method", [m for m in METHODS["normalise"] if m != "none"])
def test_normalise_respects_direction(make_toy, method):
    """A cost indicator (direction -1) is reversed: the lowest raw value gets the best normalised one."""
    fw = make_toy()
    params = {"method": method, **EXTRA.get(("normalise", method), {})}
    res = build(fw, recipe=Recipe([("normalise", params)]))
    raw, norm = res.stages["raw"]["i4"], res.stages["normalised"]["i4"]
    assert fw.nodes["i4"].direction == -1
    order_raw = raw.rank(method="min", ascending=True)
    order_norm = norm.rank(method="min", ascending=False)
    if method in ("dist2ref", "goalposts", "dist2target"):
        # capped or truncated methods keep the order where they do not tie
        assert (
            np.sign(np.subtract.outer(raw.to_numpy(), raw.to_numpy()))
            * np.sign(np.subtract.outer(norm.to_numpy(), norm.to_numpy()))
            <= 0
        ).all()
    else:
        assert (order_raw == order_norm).all()


@pytest.mark.parametrize("method", ["minmax", "zscore", "rank", "percentile_rank", "fracmax"])
def test_normalise_nan_policy_keeps_missing_cells_missing(make_toy, method):
    fw = make_toy()
    fw.values[0, 0] = np.nan
    res = build(fw, recipe=Recipe([("normalise", {"method": method})]))
    norm = res.stages["normalised"]
    assert np.isnan(norm.iloc[0, 0]) and norm.iloc[1:, 0].notna().all()


def test_weight_sums_to_one_within_each_parent(make_toy):
    fw = make_toy()
    for method in ("entropy", "critic", "pca", "equal", "nominal"):
        res = build(
            fw,
            recipe=Recipe([("normalise", {}), ("weight", {"method": method}), ("aggregate", {})]),
        )
        eff = res.effective_weights.set_index("iCode")["EffWeight"]
        assert eff[fw.indicators].sum() == pytest.approx(1)
        for parent in fw.levels[1]:
            kids = fw.children(parent)
            assert eff[kids].sum() == pytest.approx(eff[parent])
