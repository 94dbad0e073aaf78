"""Audit helpers beyond the COINr reference files: Cronbach's alpha, PCA, element removal, flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aicity.index import audit


def test_cronbach_alpha_textbook_formula():
    rng = np.random.default_rng(2)
    base = rng.normal(size=200)
    X = np.column_stack([base + rng.normal(scale=s, size=200) for s in (0.3, 0.5, 0.8)])
    k = X.shape[1]
    item_var = X.var(axis=0, ddof=1).sum()
    total_var = X.sum(axis=1).var(ddof=1)
    expected = k / (k - 1) * (1 - item_var / total_var)
    assert audit.cronbach_alpha(X) == pytest.approx(expected, rel=1e-12)


def test_cronbach_per_group(result_b):
    table = audit.get_cronbach(result_b, 2)
    assert list(table.columns) == ["group", "alpha"]
    assert set(table["group"]) == set(result_b.framework.levels[1])
    social = result_b.framework.children("Social")
    assert table.set_index("group").loc["Social", "alpha"] == pytest.approx(
        audit.cronbach_alpha(result_b.scores[social].to_numpy(float))
    )


def test_pca_variance_and_loadings(result_b):
    pca = audit.get_pca(result_b, 2)
    social = pca[pca["group"] == "Social"]
    var = social.drop_duplicates("component")["variance_explained"]
    assert var.sum() == pytest.approx(1) and var.is_monotonic_decreasing
    first = social[social["component"] == 1]["loading"].to_numpy()
    assert np.sum(first**2) == pytest.approx(1)
    kids = result_b.framework.children("Social")
    X = result_b.scores[kids].to_numpy(float)
    corr = np.corrcoef(X, rowvar=False)
    assert var.iloc[0] == pytest.approx(np.linalg.eigvalsh(corr)[-1] / len(kids))


def test_remove_elements_reports_rank_changes(result_b):
    table = audit.remove_elements(result_b, 2)
    assert len(table) == 8 and (table["max_abs_rank_change"] >= table["mean_abs_rank_change"]).all()
    assert (table["mean_abs_rank_change"] > 0).all()


def test_corr_flags_low_and_negative(result_b):
    low = audit.get_corr_flags(result_b, kind="low", low=-0.3)
    assert (low["Corr"] < -0.3).all()
    both = audit.get_corr_flags(result_b, 0.75, kind="both", low=-0.3)
    assert len(both) == len(low) + 2


def test_stats_flags_and_signif(asem_framework):
    stats = audit.get_stats(asem_framework.data, nsignif=None)
    lpi = stats.set_index("iCode").loc["LPI"]
    raw = asem_framework.data["LPI"]
    assert lpi["Mean"] == pytest.approx(raw.mean()) and lpi["Std"] == pytest.approx(raw.std())
    assert lpi["Flag.SkewKurt"] == "ok"
    np.testing.assert_allclose(
        audit._signif(np.array([123456.0, 0.0012345, -2.5e-7]), 3), [123000.0, 0.00123, -2.5e-7]
    )


def test_strengths_for_every_unit(result_b):
    s, w = audit.strengths_weaknesses_all(result_b, 3, 3)
    assert list(s.columns) == ["uCode", "iCode", "rank", "value"]
    assert s.groupby("uCode").size().max() <= 3
    assert set(s["uCode"]) == set(result_b.units)
    # no strength is a binary indicator
    assert "TIRcon" not in set(s["iCode"])
    merged = s.merge(w, on=["uCode", "iCode"])
    assert merged.empty
    assert isinstance(s, pd.DataFrame)
