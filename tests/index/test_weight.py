"""Weights: oracle tests against pymcdm and scikit-criteria on clean matrices, our behaviour on raw ones
(../shared/refcases/mcda), AHP, optimised weights and effective weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aicity.errors import ConfigError
from aicity.index import Recipe, build, numeric
from aicity.index.weight import effective_weights


@pytest.fixture(scope="module")
def clean(mcda_refcase):
    matrix = pd.read_csv(mcda_refcase / "asem_norm_1_100_input_matrix.csv").set_index("uCode")
    weights = pd.read_csv(mcda_refcase / "asem_norm_1_100_weights.csv").set_index("iCode")
    return matrix, weights


def test_entropy_and_critic_match_peers_on_clean_matrix(clean):
    matrix, ref = clean
    X = matrix.to_numpy(float)
    np.testing.assert_allclose(
        numeric.entropy_weights(X), ref.loc[matrix.columns, "entropy_pymcdm"], rtol=1e-10
    )
    np.testing.assert_allclose(
        numeric.entropy_weights(X), ref.loc[matrix.columns, "entropy_skcriteria"], rtol=1e-10
    )
    np.testing.assert_allclose(
        numeric.critic_weights(X), ref.loc[matrix.columns, "critic_skcriteria"], rtol=1e-10
    )


@pytest.mark.slow  # importing scikit-criteria and pymcdm takes seconds
def test_live_oracles_pymcdm_and_skcriteria(clean):
    pymcdm_weights = pytest.importorskip("pymcdm.weights")
    skc = pytest.importorskip("skcriteria")
    from skcriteria.preprocessing.weighters import CRITIC, EntropyWeighter

    X = clean[0].to_numpy(float)[:, :12]
    np.testing.assert_allclose(
        numeric.entropy_weights(X), pymcdm_weights.entropy_weights(X), rtol=1e-10
    )
    np.testing.assert_allclose(
        numeric.critic_weights(X), pymcdm_weights.critic_weights(X), rtol=1e-10
    )
    dm = skc.mkdm(X, [max] * X.shape[1])
    np.testing.assert_allclose(
        numeric.entropy_weights(X), EntropyWeighter().transform(dm).weights, rtol=1e-10
    )
    np.testing.assert_allclose(
        numeric.critic_weights(X), CRITIC().transform(dm).weights, rtol=1e-10
    )


def test_raw_matrix_where_peers_break(mcda_refcase):
    """On the raw ASEM matrix (zeros, two negatives, cost criteria) pymcdm's entropy raises and
    scikit-criteria's returns NaN/0; ours stays finite and equals the shifted-column definition."""
    raw = pd.read_csv(mcda_refcase / "asem_screened_raw_input_matrix.csv").set_index("uCode")
    types = pd.read_csv(mcda_refcase / "asem_screened_raw_input_types.csv").set_index("iCode")[
        "type"
    ]
    ref = pd.read_csv(mcda_refcase / "asem_screened_raw_weights.csv").set_index("iCode")
    X = raw.to_numpy(float)
    w = numeric.entropy_weights(X)
    assert np.isfinite(w).all() and w.sum() == pytest.approx(1) and (w >= 0).all()
    assert ref["entropy_pymcdm"].isna().all()  # pymcdm raised
    # direction-aware CRITIC equals scikit-criteria's (which applies directions), not pymcdm's
    d = types.loc[raw.columns].to_numpy(float)
    np.testing.assert_allclose(
        numeric.critic_weights(X, d), ref.loc[raw.columns, "critic_skcriteria"], rtol=1e-8
    )
    assert not np.allclose(numeric.critic_weights(X, d), ref.loc[raw.columns, "critic_pymcdm"])
    # without negatives, shifting does nothing: our entropy is the textbook one
    nonneg = raw.drop(columns=["GDPGrow"]).to_numpy(float)
    P = nonneg / nonneg.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        E = -np.nansum(np.where(P > 0, P * np.log(P), 0), axis=0) / np.log(len(P))
    np.testing.assert_allclose(numeric.entropy_weights(nonneg), (1 - E) / (1 - E).sum(), rtol=1e-12)


def test_hierarchical_entropy_weights_per_parent(result_b):
    res = result_b.regenerate()
    rec = Recipe([*res.recipe.steps[:-1], ("weight", {"method": "entropy"}), res.recipe.steps[-1]])
    out = build(res.framework, recipe=rec)
    fw = out.framework
    norm = out.stages["normalised"]
    for parent in fw.levels[1][:3]:
        kids = fw.children(parent)
        expected = numeric.entropy_weights(norm[kids].to_numpy(float))
        np.testing.assert_allclose([out.weights[k] for k in kids], expected, rtol=1e-12)
    assert not np.allclose(out.index_scores, result_b.index_scores)


def test_ahp_weights_and_refusal(make_toy):
    fw = make_toy()
    good = {"D1": [[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]]}
    res = build(
        fw,
        recipe=Recipe(
            [("normalise", {}), ("weight", {"method": "ahp", "matrix": good}), ("aggregate", {})]
        ),
    )
    np.testing.assert_allclose(
        [res.weights[c] for c in fw.children("D1")], [0.637, 0.258, 0.105], atol=1e-3
    )
    assert res.reports["weight_details"]["consistency_ratio"].iloc[0] < 0.1
    bad = {"D1": [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]}
    rec = Recipe(
        [("normalise", {}), ("weight", {"method": "ahp", "matrix": bad}), ("aggregate", {})]
    )
    with pytest.raises(
        ConfigError, match=r"weight -> matrix -> D1: consistency ratio .* exceeds 0.1"
    ):
        build(fw, recipe=rec)
    rec = Recipe(
        [
            ("normalise", {}),
            ("weight", {"method": "ahp", "matrix": bad, "allow_inconsistent": True}),
            ("aggregate", {}),
        ]
    )
    assert build(fw, recipe=rec).index_scores.notna().all()


def test_optimised_weights_balance_correlations(result_b):
    rec = Recipe(
        [
            *result_b.recipe.steps[:-1],
            ("weight", {"method": "optimised", "level": 3}),
            result_b.recipe.steps[-1],
        ]
    )
    out = build(result_b.framework, recipe=rec)
    scores = out.scores
    r = [np.corrcoef(scores[c], scores["Index"])[0, 1] for c in ("Conn", "Sust")]
    r0 = [np.corrcoef(result_b.scores[c], result_b.scores["Index"])[0, 1] for c in ("Conn", "Sust")]
    assert abs(r[0] - r[1]) < 1e-3 < abs(r0[0] - r0[1])


def test_effective_weights_product_down_the_tree(make_toy):
    fw = make_toy()
    eff = effective_weights(fw).set_index("iCode")["EffWeight"]
    # D1 weight 2 of 3; i1 weight 2 of (1 + 2 + 1) within D1
    assert eff["D1"] == pytest.approx(2 / 3)
    assert eff["i1"] == pytest.approx(2 / 3 * 2 / 4)
    assert eff[fw.indicators].sum() == pytest.approx(1)


def test_normalised_weights_sum_to_one_within_each_parent_property(make_toy):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from aicity.index.weight import normalised_weights

    fw = make_toy()
    codes = [c for c in fw.nodes if c != fw.root]

    @settings(max_examples=80, deadline=None)
    @given(st.lists(st.floats(0.01, 100), min_size=len(codes), max_size=len(codes)))
    def check(values):
        w = dict(zip(codes, values, strict=True))
        w[fw.root] = 1.0
        within = normalised_weights(fw, w)
        for parent in [fw.root, *fw.levels[1]]:
            assert sum(within[c] for c in fw.children(parent)) == pytest.approx(1)
        eff = effective_weights(fw, w).set_index("iCode")["EffWeight"]
        assert eff[fw.indicators].sum() == pytest.approx(1)

    check()
