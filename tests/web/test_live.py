"""Live re-weighting: the fast path equals a full build by the index engine with the same weights."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from aicity.index import Framework, Recipe, build
from aicity.web.errors import BadRequest
from aicity.web.live import LiveRanking


@pytest.fixture(scope="module")
def live(run_store) -> LiveRanking:
    ranking = LiveRanking.from_store(run_store)
    assert ranking is not None
    return ranking


def _full_build(
    live: LiveRanking, framework: dict, dimension_weights: dict[str, float], recipe: dict
):
    """The reference: a whole new build with the dimension weights written into the framework."""
    spec = copy.deepcopy(framework)
    for node in spec["nodes"]:
        if node["code"] in dimension_weights:
            node["weight"] = dimension_weights[node["code"]]
    data = live.raw.rename_axis("uCode").reset_index()
    return build(Framework.from_yaml(spec, data=data), recipe=Recipe.from_dict(recipe))


def test_rebuilt_baseline_matches_the_stored_results(live: LiveRanking, run_store) -> None:
    from aicity.store import runs

    stored = runs.run_results(run_store, live.run_id)
    stored = stored[stored["code"] == "AI"].set_index("unit_key")
    ours = live.rank(live.default_methods).set_index("unit_key")
    np.testing.assert_allclose(ours.loc[stored.index, "score"], stored["score"], rtol=1e-12)
    assert (ours.loc[stored.index, "rank"] == stored["rank"]).all()


@pytest.mark.parametrize(
    "weights", [{"IND": 80, "INN": 20}, {"IND": 0, "INN": 100}, {"IND": 3, "INN": 7}]
)
@pytest.mark.parametrize(
    "aggregation", ["arithmetic_mean", "geometric_mean", "harmonic_mean", "topsis"]
)
def test_fast_reweighting_equals_a_full_build(
    live: LiveRanking, framework_spec: dict, recipe_spec: dict, weights, aggregation: str
) -> None:
    recipe = copy.deepcopy(recipe_spec)
    # geometric and harmonic means need positive values: normalise to 1-100 like a user would
    recipe["steps"][1] = {"normalise": {"method": "minmax", "lower": 1, "upper": 100}}
    recipe["steps"][2] = {"aggregate": {"method": aggregation}}
    live_here = LiveRanking(live.run, live.framework, Recipe.from_dict(recipe), live.raw)
    fast = live_here.rank(live_here.default_methods, weights).set_index("unit_key")
    full = _full_build(live, framework_spec, weights, recipe)
    np.testing.assert_allclose(
        fast.loc[full.units, "score"], full.index_scores.to_numpy(), rtol=1e-10
    )
    np.testing.assert_array_equal(fast.loc[full.units, "rank"], full.index_ranks.to_numpy())


def test_weights_change_the_leader(live: LiveRanking) -> None:
    industry = live.rank(live.default_methods, {"IND": 100, "INN": 0})
    innovation = live.rank(live.default_methods, {"IND": 0, "INN": 100})
    assert industry.iloc[0]["unit_key"] == "110000"  # Beijing: most firms and parks
    assert innovation.iloc[0]["unit_key"] == "440300"  # Shenzhen: highest R&D intensity
    assert innovation.attrs["weights"] == {"IND": 0.0, "INN": 1.0}


def test_unnamed_dimensions_keep_their_default_share(live: LiveRanking) -> None:
    frame = live.rank(live.default_methods, {"IND": 50})  # default shares are 50/50
    assert frame.attrs["weights"] == pytest.approx({"IND": 0.5, "INN": 0.5})
    baseline = live.rank(live.default_methods)
    np.testing.assert_allclose(frame["score"], baseline["score"])


def test_method_change_goes_through_the_engine(
    live: LiveRanking, framework_spec: dict, recipe_spec: dict
) -> None:
    methods = live.methods(normalisation="rank")
    frame = live.rank(methods).set_index("unit_key")
    recipe = copy.deepcopy(recipe_spec)
    recipe["steps"][1] = {"normalise": {"method": "rank"}}
    full = _full_build(live, framework_spec, {}, recipe)
    np.testing.assert_allclose(frame.loc[full.units, "score"], full.index_scores.to_numpy())


def test_a_weight_step_is_added_when_the_recipe_has_none(live: LiveRanking) -> None:
    recipe = live.recipe_for(live.methods(weighting="equal"))
    assert [s.name for s in recipe.steps] == ["impute", "normalise", "weight", "aggregate"]


def test_scheme_cache_is_bounded(live: LiveRanking) -> None:
    small = LiveRanking(live.run, live.framework, live.recipe, live.raw, cache_size=2)
    for normalisation in ("rank", "borda", "fracmax", "dist2max"):
        small.scheme(small.methods(normalisation=normalisation))
    assert len(small._schemes) == 2


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"NOPE": 1}, "unknown dimension"),
        ({"IND": -1}, "between 0 and 100"),
        ({"IND": 101}, "between 0"),
        ({"IND": float("nan")}, "between 0"),
    ],
)
def test_bad_weights_are_rejected(live: LiveRanking, weights, message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        live.parse_weights(weights, 100.0)


def test_all_zero_weights_are_rejected(live: LiveRanking) -> None:
    with pytest.raises(BadRequest, match="above 0"):
        live.rank(live.default_methods, {"IND": 0, "INN": 0})


def test_unknown_method_is_rejected(live: LiveRanking) -> None:
    with pytest.raises(BadRequest, match="normalisation must be one of"):
        live.methods(normalisation="magic")


def test_no_run_means_no_live_ranking(core_store) -> None:
    assert LiveRanking.from_store(core_store) is None


def test_warm_up_builds_every_combination_once(live: LiveRanking) -> None:
    fresh = LiveRanking(live.run, live.framework, live.recipe, live.raw)
    ready, failed = fresh.warm_up()
    assert ready + failed == 7 * 5 * 5 and ready > 0
    # geometric means of z-scores cannot be computed: remembered, refused without a rebuild
    assert failed > 0
    calls = []
    fresh._build = lambda *a, **k: calls.append(a)  # any later build would be recorded here
    with pytest.raises(BadRequest, match="geometric_mean needs values > 0"):
        fresh.scheme(fresh.methods(normalisation="zscore", aggregation="geometric_mean"))
    fresh.rank(fresh.methods(normalisation="rank", weighting="entropy"), {"IND": 10})
    assert calls == []


def test_a_numerical_failure_in_the_engine_is_a_400_not_a_crash(live: LiveRanking) -> None:
    fresh = LiveRanking(live.run, live.framework, live.recipe, live.raw)

    def broken(*args, **kwargs):
        raise ValueError("zero-size array to reduction operation")

    fresh._build = broken
    with pytest.raises(BadRequest, match="the index engine failed \\(ValueError: zero-size"):
        fresh.scheme(fresh.methods(weighting="critic"))
