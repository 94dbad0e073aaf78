"""Outlier treatment: COINr's winsorisation details, fallbacks, overrides, flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aicity.index import Recipe, build
from aicity.index.treat import log_ct, log_ct_plus, skew_kurt, treat, winsorise, winsorise_matrix


def test_winsorise_caps_one_extreme_at_a_time():
    x = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100])
    y, n, flags = winsorise(x, 5, 2.0, 3.5)
    assert n == 1 and y[-1] == 30 and flags[-1] == "winhi" and (flags[:-1] == "").all()


def test_tied_extremes_count_as_several_points_and_negative_skew_caps_low():
    x = np.array([-100.0, -100, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    y, n, flags = winsorise(x, 5, 2.0, 3.5)
    assert list(flags[:2]) == ["winlo", "winlo"] and n == 2 and y[0] == 1


def test_matrix_winsorisation_equals_the_column_version():
    rng = np.random.default_rng(4)
    X = rng.lognormal(0, 1.3, size=(40, 12))
    X[3, 2] = np.nan
    Y, nwin, hi, lo, sk, kt = winsorise_matrix(X, 5, 2.0, 3.5)
    for j in range(X.shape[1]):
        y, n, flags = winsorise(X[:, j], 5, 2.0, 3.5)
        np.testing.assert_array_equal(Y[:, j], y)
        assert nwin[j] == n
        assert (hi[:, j] == (flags == "winhi")).all() and (lo[:, j] == (flags == "winlo")).all()
        s, k = skew_kurt(y)
        assert sk[j] == pytest.approx(s, nan_ok=True) and kt[j] == pytest.approx(k, nan_ok=True)


def test_fallback_applies_to_original_values_unless_combined():
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.lognormal(0, 2.5, 60)])
    data = pd.DataFrame({"a": x})
    out, report, flags = treat(data, winmax=1)
    assert report.loc[0, "treatment"] == "log_ct"
    np.testing.assert_allclose(out["a"], log_ct(x))
    assert (flags["a"] == "log_ct").all()
    out2, report2, flags2 = treat(data, winmax=1, combine=True)
    assert report2.loc[0, "treatment"] == "winsorise+log_ct"
    assert (flags2["a"].str.startswith("winhi+")).sum() == report2.loc[0, "winsorise.nwin"]
    assert not np.allclose(out2["a"], out["a"])


def test_log_ct_plus_keeps_order_for_negative_skew():
    x = -np.random.default_rng(2).lognormal(0, 1.5, 40)
    y = log_ct_plus(x)
    assert (np.argsort(x, kind="stable") == np.argsort(y, kind="stable")).all()
    assert skew_kurt(y)[0] > skew_kurt(x)[0]


def test_overrides_and_other_methods(make_toy):
    fw = make_toy()
    fw.values[0, 0] = 1e4  # an outlier
    res = build(
        fw, recipe=Recipe([("treat", {"overrides": {"i0": "none", "i1": {"method": "boxcox"}}})])
    )
    rep = res.treatment.set_index("iCode")
    assert rep.loc["i0", "treatment"] == "none" and res.stages["treated"]["i0"].iloc[0] == 1e4
    assert rep.loc["i1", "treatment"] == "boxcox"
    fixed = build(fw, recipe=Recipe([("treat", {"method": "boxcox", "lmbda": 0.0})]))
    np.testing.assert_allclose(
        fixed.stages["treated"]["i2"], np.log(fw.data["i2"] - fw.data["i2"].min() + 1)
    )
    caught = build(fw, recipe=Recipe([("treat", {})])).treatment.set_index("iCode")
    assert caught.loc["i0", "treatment"] in ("winsorise", "log_ct")
