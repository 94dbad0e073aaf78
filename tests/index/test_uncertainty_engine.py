"""The batched path against the engine rebuilt replication by replication: exactly the same ranks.

ASEM (COINr's example, full B pipeline, the four assumptions of COINr's sensitivity vignette) when
../shared is present; a small synthetic framework with missing data and every other kind of assumption
always.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aicity.errors import ConfigError
from aicity.index import Framework, Recipe, numeric
from aicity.index.uncertainty import UncertaintySpec, run_sensitivity, run_uncertainty
from aicity.index.uncertainty.batch import is_aggregate_path, level_weights_for
from aicity.index.uncertainty.design import Design
from aicity.index.uncertainty.engine import EngineModel

from .asem_case import ASEM_RECIPE, ASEM_SPEC


def reference_ranks(
    model: EngineModel, spec: UncertaintySpec, n: int, seed: int, rows: range
) -> np.ndarray:
    """Ranks of the target rebuilt by the engine, one full build per replication."""
    design = Design.build(spec, model.tree)
    draws = design.uniform_sample(n, seed)
    labels = {b.label: b.assumption.path for b in design.recipe_blocks}
    out = []
    nominal_weights: dict[str, list[np.ndarray]] = {}  # the combination's own weights (weight step)
    for r in rows:
        values = {labels[k]: v for k, v in draws.recipe_values(r).items()}
        build_values = {p: v for p, v in values.items() if not is_aggregate_path(p)}
        key = repr(sorted(build_values.items()))
        if key not in nominal_weights:
            nominal_weights[key] = model.prepare(build_values).weights
        per_level = level_weights_for(design, draws, np.array([r]), nominal_weights[key])
        weights = {
            code: float(np.atleast_2d(w)[0, i])
            for level, w in zip(model.tree.levels[:-1], per_level, strict=True)
            for i, code in enumerate(level)
        }
        scores = model.regenerate(values, weights)
        out.append(numeric.rank_min(scores.to_numpy()))
    return np.array(out)


@pytest.fixture(scope="module")
def asem_model(coinr_asem: Path) -> EngineModel:
    imeta = pd.read_csv(coinr_asem / "input_iMeta.csv")
    idata = pd.read_csv(coinr_asem / "input_iData.csv")
    return EngineModel(Framework.from_coinr(imeta, idata), Recipe(ASEM_RECIPE), target="Index")


@pytest.mark.slow  # 200 full engine builds (about 0.1 s each), the proof the batched path is exact
def test_asem_batched_ranks_equal_engine_rebuilds(asem_model: EngineModel) -> None:
    spec = UncertaintySpec.from_dict(ASEM_SPEC)
    n = 200
    ua = run_uncertainty(asem_model, spec, n, seed=11)
    expected = reference_ranks(asem_model, spec, n, 11, range(n))
    units = asem_model.nominal()[0]
    assert ua.units == units
    np.testing.assert_array_equal(ua.ranks, expected)


def test_asem_uncertainty_is_reproducible_and_sensible(asem_model: EngineModel) -> None:
    spec = UncertaintySpec.from_dict(ASEM_SPEC)
    first = run_uncertainty(asem_model, spec, 2000, seed=3)
    again = run_uncertainty(asem_model, spec, 2000, seed=3)
    np.testing.assert_array_equal(first.scores, again.scores)
    stats = first.rank_stats().set_index("uCode")
    # COINr's B pipeline nominal top 5 (refcase README): CHE, NLD, DNK, NOR, BEL
    assert stats.sort_values("nominal").index[:5].tolist() == ["CHE", "NLD", "DNK", "NOR", "BEL"]
    assert (stats["q05"] <= stats["median"]).all() and (stats["median"] <= stats["q95"]).all()
    # the nominal rank sits inside the 5-95 % band for most units, as in COINr's vignette plot
    inside = (stats["nominal"] >= stats["q05"]) & (stats["nominal"] <= stats["q95"])
    assert inside.mean() > 0.8
    probs = first.rank_probabilities().set_index("uCode")
    rank_cols = [c for c in probs.columns if c.startswith("rank_")]
    np.testing.assert_allclose(probs[rank_cols].sum(axis=1), 1.0)
    np.testing.assert_allclose(probs[rank_cols].sum(axis=0), 1.0)  # one unit per rank, no ties here
    assert probs.loc["CHE", "top_5"] > 0.5
    samples = first.samples
    assert len(samples) == 2000
    assert set(samples["treat.winmax"]) == {"1", "2", "3", "4", "5"}
    assert {"weights:Conn", "weights:Sust"} <= set(samples.columns)


def test_asem_sobol_ranks_aggregation_first(asem_model: EngineModel) -> None:
    spec = UncertaintySpec.from_dict(ASEM_SPEC)
    sa = run_sensitivity(asem_model, spec, 256, seed=5).set_index("assumption")
    assert list(sa.index) == ["treat.winmax", "normalise", "weights", "aggregate.method"]
    # the arithmetic/geometric switch moves ranks most; every index is a share of variance
    assert sa["ST"].idxmax() == "aggregate.method"
    assert ((sa["ST"] > -0.1) & (sa["ST"] < 1.2)).all()
    assert (sa["S1_lo"] <= sa["S1_hi"]).all() and (sa["ST_lo"] <= sa["ST_hi"]).all()


# ------------------------------------------------------------------------------------ synthetic


def synthetic_framework(seed: int = 0) -> Framework:
    """8 indicators in 3 pillars, 2 sub-indices; 30 units with a few missing values and two groups."""
    rng = np.random.default_rng(seed)
    parents = ["P1", "P1", "P1", "P2", "P2", "P3", "P3", "P3"]
    rows = [
        {
            "Level": 1,
            "iCode": f"x{i}",
            "iName": f"x{i}",
            "Direction": -1 if i == 4 else 1,
            "Weight": 1 + i % 3,
            "Parent": p,
            "Type": "Indicator",
        }
        for i, p in enumerate(parents)
    ]
    rows += [
        {
            "Level": 2,
            "iCode": "P1",
            "iName": "P1",
            "Direction": 1,
            "Weight": 1,
            "Parent": "S1",
            "Type": "Aggregate",
        },
        {
            "Level": 2,
            "iCode": "P2",
            "iName": "P2",
            "Direction": 1,
            "Weight": 2,
            "Parent": "S1",
            "Type": "Aggregate",
        },
        {
            "Level": 2,
            "iCode": "P3",
            "iName": "P3",
            "Direction": 1,
            "Weight": 1,
            "Parent": "S2",
            "Type": "Aggregate",
        },
        {
            "Level": 3,
            "iCode": "S1",
            "iName": "S1",
            "Direction": 1,
            "Weight": 1,
            "Parent": "Index",
            "Type": "Aggregate",
        },
        {
            "Level": 3,
            "iCode": "S2",
            "iName": "S2",
            "Direction": 1,
            "Weight": 1,
            "Parent": "Index",
            "Type": "Aggregate",
        },
        {
            "Level": 4,
            "iCode": "Index",
            "iName": "Index",
            "Direction": 1,
            "Weight": 1,
            "Parent": None,
            "Type": "Aggregate",
        },
    ]
    rows.append(
        {
            "Level": None,
            "iCode": "Region",
            "iName": "Region",
            "Direction": None,
            "Weight": None,
            "Parent": None,
            "Type": "Group",
        }
    )
    imeta = pd.DataFrame(rows)
    data = rng.lognormal(1.0, 0.6, (30, 8))
    data[rng.random(data.shape) < 0.06] = np.nan
    idata = pd.DataFrame(data, columns=[f"x{i}" for i in range(8)])
    idata.insert(0, "uCode", [f"U{i:02d}" for i in range(30)])
    idata.insert(1, "uName", idata["uCode"])
    idata.insert(2, "Region", ["east", "west"] * 15)
    return Framework.from_coinr(imeta, idata)


SYNTHETIC_RECIPE = [
    ("impute", {"method": "group_mean", "group": "Region"}),
    ("treat", {"winmax": 3}),
    ("normalise", {"method": "minmax", "lower": 1, "upper": 100}),
    ("weight", {"method": "nominal"}),
    ("aggregate", {"method": "arithmetic_mean"}),
]


def test_synthetic_every_assumption_kind_equals_engine_rebuilds() -> None:
    model = EngineModel(synthetic_framework(), Recipe(SYNTHETIC_RECIPE))
    spec = UncertaintySpec.from_dict(
        {
            "assumptions": [
                {"path": "impute", "values": ["on", "off"]},
                {"path": "weight.method", "values": ["nominal", "equal", "entropy"]},
                {"path": "weights", "dirichlet": 30, "levels": [1]},
                {"path": "weights", "noise": 0.3, "levels": [2]},
                {"path": "leave_out", "level": 2},
                {"path": "normalise.upper", "uniform": [50, 150]},
                {
                    "path": "aggregate.method",
                    "values": ["arithmetic_mean", "geometric_mean", "harmonic_mean"],
                },
            ]
        }
    )
    n = 60
    ua = run_uncertainty(model, spec, n, seed=2)
    assert ua.failures == {}
    expected = reference_ranks(model, spec, n, 2, range(n))
    # with imputation off the units keep their NaN-skipping scores; units are the same set
    assert ua.units == model.nominal()[0]
    np.testing.assert_array_equal(ua.ranks, expected)


def test_asem_coinr_style_weight_sets_equal_engine_rebuilds(asem_model: EngineModel) -> None:
    spec_dict = {**ASEM_SPEC, "assumptions": [dict(a) for a in ASEM_SPEC["assumptions"]]}
    spec_dict["assumptions"][2]["sets"] = (
        100  # COINr's vignette: 100 noisy weight sets, one picked per run
    )
    spec = UncertaintySpec.from_dict(spec_dict)
    ua = run_uncertainty(asem_model, spec, 40, seed=8)
    np.testing.assert_array_equal(ua.ranks, reference_ranks(asem_model, spec, 40, 8, range(40)))


def test_invalid_combinations_fail_like_coinr_regen_and_are_counted() -> None:
    model = EngineModel(synthetic_framework(), Recipe(SYNTHETIC_RECIPE))
    spec = UncertaintySpec.from_dict(
        {
            "assumptions": [
                {
                    "path": "normalise",
                    "values": [
                        {"method": "minmax", "lower": 1, "upper": 100},
                        {"method": "zscore", "mean": 0, "sd": 1},
                    ],
                },
                {"path": "aggregate.method", "values": ["arithmetic_mean", "geometric_mean"]},
            ]
        }
    )
    ua = run_uncertainty(model, spec, 400, seed=1)
    failed = sum(ua.failures.values())
    assert 60 < failed < 140  # z-scores (< 0 somewhere) with a geometric mean: about a quarter
    assert all("geometric_mean needs values > 0" in reason for reason in ua.failures)
    bad_rows = np.isnan(ua.scores).all(axis=1)
    assert bad_rows.sum() == failed
    assert (ua.samples.loc[bad_rows, "aggregate.method"] == "geometric_mean").all()
    stats = ua.rank_stats()
    assert stats["median"].notna().all()  # statistics over the replications that worked


def test_sobol_gives_zero_to_an_assumption_that_changes_nothing() -> None:
    model = EngineModel(synthetic_framework(), Recipe(SYNTHETIC_RECIPE))
    spec = UncertaintySpec.from_dict(
        {
            "assumptions": [
                {"path": "treat.winmax", "values": [3, 3]},  # two names for the same recipe
                {"path": "weights", "noise": 0.4, "levels": [1, 2]},
            ],
            "sensitivity": {"output": "score", "unit": "U03"},
        }
    )
    sa = run_sensitivity(model, spec, 512, seed=2).set_index("assumption")
    assert sa.loc["treat.winmax", "S1"] == pytest.approx(0.0, abs=1e-12)
    assert sa.loc["treat.winmax", "ST"] == pytest.approx(0.0, abs=1e-12)
    assert sa.loc["weights", "ST"] == pytest.approx(1.0, abs=0.1)
    assert sa.loc["weights", "S1"] == pytest.approx(1.0, abs=0.15)
    ranked = run_sensitivity(
        model,
        spec.model_copy(
            update={"sensitivity": spec.sensitivity.model_copy(update={"output": "rank"})}
        ),
        64,
        2,
    )
    assert ranked["ST"].notna().all()


def test_asem_recipe_assumptions_equal_the_engines_own_regenerate(asem_model: EngineModel) -> None:
    """Literally ``IndexResult.regenerate(step__param=...)`` per replication, for the recipe assumptions."""
    spec_dict = {
        **ASEM_SPEC,
        "assumptions": [a for a in ASEM_SPEC["assumptions"] if a["path"] != "weights"],
    }
    spec = UncertaintySpec.from_dict(spec_dict)
    n = 80
    ua = run_uncertainty(asem_model, spec, n, seed=21)
    draws = Design.build(spec, asem_model.tree).uniform_sample(n, 21)
    for r in range(n):
        overrides: dict[str, object] = {}
        for path, value in draws.recipe_values(r).items():
            step, _, param = path.partition(".")
            if param:
                overrides[f"{step}__{param}"] = value
            else:
                overrides.update({f"{step}__{k}": v for k, v in value.items()})
        rebuilt = asem_model.base.regenerate(**overrides)
        np.testing.assert_array_equal(
            ua.ranks[r], rebuilt.ranks["Index"].to_numpy(), err_msg=f"replication {r}"
        )


def test_sobol_sets_failed_blocks_aside() -> None:
    model = EngineModel(synthetic_framework(), Recipe(SYNTHETIC_RECIPE))
    spec = UncertaintySpec.from_dict(
        {
            "assumptions": [
                {
                    "path": "normalise",
                    "values": [
                        {"method": "minmax", "lower": 1, "upper": 100},
                        {"method": "zscore", "mean": 0, "sd": 1},
                    ],
                },
                {"path": "aggregate.method", "values": ["arithmetic_mean", "geometric_mean"]},
                {"path": "weights", "noise": 0.3, "levels": [2]},
            ]
        }
    )
    sa = run_sensitivity(model, spec, 128, seed=4)
    assert 0 < sa.attrs["base_samples"] < 128
    assert "Saltelli blocks set aside (a replication failed)" in sa.attrs["failures"]
    assert sa[["S1", "ST"]].notna().all().all()


@pytest.mark.parametrize(
    ("assumption", "message"),
    [
        ({"path": "impute", "values": ["on", "off"]}, "no step 'impute'"),
        ({"path": "normalise.method", "values": ["minmax", "minmx"]}, "minmx"),
        ({"path": "treat.wnmax", "values": [1, 2]}, "wnmax"),
        ({"path": "treat", "values": ["sometimes"]}, "mapping of parameters or on/off"),
    ],
)
def test_impossible_recipe_assumptions_fail_before_running(assumption: dict, message: str) -> None:
    model = EngineModel(synthetic_framework(), Recipe.quick())
    spec = UncertaintySpec.from_dict({"assumptions": [assumption]})
    with pytest.raises(ConfigError, match=rf"spec -> assumptions\[0\].*{message}"):
        run_uncertainty(model, spec, 10, seed=1)


def test_an_intermediate_aggregate_can_be_the_target() -> None:
    model = EngineModel(synthetic_framework(), Recipe(SYNTHETIC_RECIPE), target="S1")
    spec = UncertaintySpec.from_dict(
        {
            "target": "S1",
            "assumptions": [
                {"path": "weights", "noise": 0.3, "levels": [1, 2, 3]},
                {"path": "aggregate.method", "values": ["arithmetic_mean", "geometric_mean"]},
            ],
        }
    )
    ua = run_uncertainty(model, spec, 50, seed=6)
    np.testing.assert_array_equal(ua.ranks, reference_ranks(model, spec, 50, 6, range(50)))
    with pytest.raises(ConfigError, match="must be an aggregate"):
        EngineModel(synthetic_framework(), Recipe(SYNTHETIC_RECIPE), target="x1")
