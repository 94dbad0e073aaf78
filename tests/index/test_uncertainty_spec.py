"""The uncertainty spec (YAML, pydantic) and its sampling design."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from aicity.errors import ConfigError, InputError
from aicity.index.uncertainty.design import Design
from aicity.index.uncertainty.kernels import Tree
from aicity.index.uncertainty.spec import Choice, UncertaintySpec, WeightNoise

ISSUE_SPEC = """
target: Index
assumptions:
  - path: treat.winmax
    values: [1, 2, 3, 4, 5]
  - path: normalise
    values: [{method: minmax, lower: 1, upper: 100}, {method: zscore, mean: 10, sd: 2}]
  - path: weights
    noise: 0.25
    levels: [2, 3]
  - path: aggregate.method
    values: [arithmetic_mean, geometric_mean]
"""

TREE = Tree.from_parent_map(
    [["i1", "i2", "i3", "i4"], ["P1", "P2"], ["S1"], ["Index"]],
    {"i1": "P1", "i2": "P1", "i3": "P2", "i4": "P2", "P1": "S1", "P2": "S1", "S1": "Index"},
)


def test_issue_example_parses(tmp_path: Path) -> None:
    path = tmp_path / "ua.yaml"
    path.write_text(ISSUE_SPEC, encoding="utf-8")
    spec = UncertaintySpec.from_yaml(path)
    kinds = [type(a) for a in spec.assumptions]
    assert kinds == [Choice, Choice, WeightNoise, Choice]
    assert spec.labels == ["treat.winmax", "normalise", "weights", "aggregate.method"]
    assert spec.target == "Index"


@pytest.mark.parametrize(
    ("item", "where"),
    [
        ({"path": "weights", "noise": 1.5, "levels": [2]}, "assumptions[0]"),
        ({"path": "treat.winmax"}, "assumptions[0]"),
        ({"path": "normalise.upper", "uniform": [5, 1]}, "assumptions[0]"),
        ({"path": "treat", "noise": 0.1, "levels": [2]}, "assumptions[0]"),
    ],
)
def test_bad_assumptions_name_their_place(item: dict, where: str) -> None:
    with pytest.raises(ConfigError, match=r"assumptions\[0\]"):
        UncertaintySpec.from_dict({"assumptions": [item]})


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="spec file not found"):
        UncertaintySpec.from_yaml(tmp_path / "nope.yaml")


def test_rank_output_needs_a_unit() -> None:
    with pytest.raises(ConfigError, match="needs a 'unit'"):
        UncertaintySpec.from_dict(
            {"assumptions": [{"path": "a.b", "values": [1]}], "sensitivity": {"output": "rank"}}
        )


def test_design_columns_and_decoding() -> None:
    spec = UncertaintySpec.from_dict(
        {
            "assumptions": [
                {"path": "treat.winmax", "values": [1, 2, 3]},
                {"path": "weights", "noise": 0.25, "levels": [2, 3]},
                {"path": "leave_out", "level": 1},
                {"path": "weights", "dirichlet": 20, "levels": [1]},
            ]
        }
    )
    design = Design.build(spec, TREE)
    assert [b.width for b in design.blocks] == [1, 3, 1, 4]
    draws = design.uniform_sample(4000, seed=7)
    idx = draws.choice_index(design.blocks[0])
    assert set(np.unique(idx)) == {0, 1, 2}
    factors = draws.noise_factors(design.blocks[1])
    assert factors.min() >= 0.75 and factors.max() <= 1.25
    options = design.leave_out_options(design.blocks[2])
    assert options == [None, "i1", "i2", "i3", "i4"]
    nominal = np.array([1.0, 3.0, 1.0, 1.0])
    dirichlet = draws.dirichlet_weights(design.blocks[3], nominal)
    np.testing.assert_allclose(
        dirichlet[:, :2].sum(axis=1), 4.0
    )  # the group's nominal total is kept
    np.testing.assert_allclose(
        dirichlet[:, 0].mean(), 1.0, atol=0.03
    )  # centred on the nominal share
    same = design.uniform_sample(4000, seed=7)
    np.testing.assert_array_equal(draws.unit_sample, same.unit_sample)


def test_design_rejects_weights_at_the_index_level() -> None:
    spec = UncertaintySpec.from_dict(
        {"assumptions": [{"path": "weights", "noise": 0.1, "levels": [4]}]}
    )
    with pytest.raises(ConfigError, match="level 4 is the index"):
        Design.build(spec, TREE)


def test_sobol_design_has_n_times_groups_plus_two_rows() -> None:
    spec = UncertaintySpec.from_dict(
        {
            "assumptions": [
                {"path": "treat.winmax", "values": [1, 2, 3]},
                {"path": "weights", "noise": 0.25, "levels": [2]},
            ]
        }
    )
    design = Design.build(spec, TREE)
    draws = design.sobol_sample(64, seed=3)
    assert draws.unit_sample.shape == (64 * 4, 3)
    assert ((draws.unit_sample >= 0) & (draws.unit_sample < 1)).all()


def test_coinr_style_weight_sets_pick_among_k_predrawn_sets() -> None:
    spec = UncertaintySpec.from_dict(
        {"assumptions": [{"path": "weights", "noise": 0.25, "levels": [2], "sets": 5}]}
    )
    design = Design.build(spec, TREE)
    assert [b.width for b in design.blocks] == [
        1
    ]  # one discrete column, as COINr's list of weight sets
    draws = design.uniform_sample(500, seed=4)
    factors = draws.noise_factors(design.blocks[0])
    assert factors.shape == (500, 2)
    assert len(np.unique(factors, axis=0)) == 5
    assert factors.min() >= 0.75 and factors.max() <= 1.25
    np.testing.assert_array_equal(
        factors, design.uniform_sample(500, seed=4).noise_factors(design.blocks[0])
    )
    samples = draws.samples_frame({"P1": 1.0, "P2": 1.0})
    assert set(samples["weights:set"]) == {1, 2, 3, 4, 5}


def test_weight_assumptions_on_single_codes() -> None:
    spec = UncertaintySpec.from_dict(
        {
            "assumptions": [
                {"path": "weights", "noise": 0.2, "codes": ["P2"]},
                {"path": "weights", "noise": 0.2, "codes": ["i1", "i3"]},
            ]
        }
    )
    design = Design.build(spec, TREE)
    assert [b.nodes for b in design.blocks] == [((1, 1),), ((0, 0), (0, 2))]
    assert spec.labels == ["weights", "weights#2"]
    with pytest.raises(ConfigError, match="'Index' is not a weighted node"):
        Design.build(
            UncertaintySpec.from_dict(
                {"assumptions": [{"path": "weights", "noise": 0.2, "codes": ["Index"]}]}
            ),
            TREE,
        )
    with pytest.raises(ConfigError, match="name the weights to vary"):
        UncertaintySpec.from_dict({"assumptions": [{"path": "weights", "noise": 0.2}]})
