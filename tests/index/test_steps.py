"""Denominate, impute, screen and normalise steps on small hand-made data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aicity.errors import ConfigError
from aicity.index import Framework, Recipe, build
from aicity.index.impute import impute_array
from aicity.index.screen import screen_summary

SPEC = {
    "index": {"code": "IDX", "name_en": "Index"},
    "nodes": [
        {"code": "D", "parent": "IDX", "name_en": "D"},
        {"code": "a", "parent": "D", "name_en": "a", "denominator": "pop"},
        {"code": "b", "parent": "D", "name_en": "b"},
        {"code": "c", "parent": "D", "name_en": "c", "direction": -1},
    ],
}


def _fw(a, b, c, pop, grp=None) -> Framework:
    frame = pd.DataFrame(
        {"uCode": [f"u{i}" for i in range(len(a))], "a": a, "b": b, "c": c, "pop": pop}
    )
    if grp is not None:
        frame["grp"] = grp
    return Framework.from_yaml(SPEC, frame)


def test_denominate_divides_and_flags_zero_denominators():
    fw = _fw([10.0, 20, 30], [1.0, 2, 3], [5.0, 6, 7], [2.0, 0, 10])
    res = build(fw, recipe=Recipe([("denominate", {"scale": 100})]))
    den = res.stages["denominated"]["a"]
    assert den.iloc[0] == 500 and np.isnan(den.iloc[1]) and den.iloc[2] == 300
    flags = res.flags
    assert list(flags.loc[flags["flag"] == "denominator_missing_or_zero", "uCode"]) == ["u1"]
    with pytest.raises(ConfigError, match="denominator columns not in the unit table"):
        build(fw, recipe=Recipe([("denominate", {"denominators": {"a": "area"}})]))


def test_group_imputation_and_multivariate_imputers_keep_observed_values():
    X = np.array([[10.0, 1], [14, 2], [np.nan, 3], [4, 4], [np.nan, 5]])
    groups = np.array(["e", "e", "e", "w", "w"], dtype=object)
    np.testing.assert_allclose(impute_array(X, "mean")[:, 0], [10, 14, 28 / 3, 4, 28 / 3])
    np.testing.assert_allclose(impute_array(X, "group_mean", groups)[:, 0], [10, 14, 12, 4, 4])
    np.testing.assert_allclose(impute_array(X, "group_median", groups)[:, 0], [10, 14, 12, 4, 4])
    for method in ("knn", "iterative"):
        out = impute_array(X, method, n_neighbours=2)
        assert np.isfinite(out).all()
        np.testing.assert_array_equal(out[~np.isnan(X)], X[~np.isnan(X)])


def test_screen_by_zeros_and_forcing():
    units = np.array(["p1", "p2", "p3"], dtype=object)
    X = np.array([[0.0, 0, 0, 1], [np.nan, np.nan, 1, 2], [1, 2, 3, 4]])
    table = screen_summary(units, X, min_availability=0.75, min_nonzero=0.5, by="both")
    assert list(table["Included"]) == [False, False, True]
    assert table.loc[0, "Non_Zero"] == pytest.approx(0.25)
    forced = screen_summary(
        units, X, min_availability=0.75, by="na", force_include=["p2"], force_exclude=["p3"]
    )
    assert list(forced["Included"]) == [True, True, False]
    fw = _fw([1.0, np.nan, 3], [np.nan, np.nan, 1], [1.0, 2, 3], [1.0, 1, 1])
    res = build(fw, recipe=Recipe([("screen", {"min_availability": 0.5})]))
    assert list(res.units) == ["u0", "u2"]
    assert list(res.flags.loc[res.flags["flag"] == "screened_out", "uCode"]) == ["u1"]


def test_normalise_overrides_and_goalposts_direction():
    fw = _fw([1.0, 2, 3, 4], [10.0, 20, 30, 40], [0.0, 5, 10, 20], [1.0, 1, 1, 1])
    rec = Recipe(
        [
            (
                "normalise",
                {
                    "overrides": {
                        "b": {"method": "rank"},
                        "c": {"method": "goalposts", "goalposts": [0, 10, 100]},
                    }
                },
            )
        ]
    )
    norm = build(fw, recipe=rec).stages["normalised"]
    np.testing.assert_allclose(norm["a"], [0, 100 / 3, 200 / 3, 100])
    np.testing.assert_allclose(norm["b"], [1, 2, 3, 4])
    # cost indicator with posts 0 (best) .. 10 (worst): 0 -> 100, 5 -> 50, 10 and beyond -> 0
    np.testing.assert_allclose(norm["c"], [100, 50, 0, 0])
    dist = build(fw, recipe=Recipe([("normalise", {"method": "dist2ref", "reference": "u2"})]))
    assert dist.stages["normalised"]["a"].iloc[2] == 1
