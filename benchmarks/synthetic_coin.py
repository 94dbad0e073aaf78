"""SYNTHETIC COINr-format index tables (iMeta, iData) shaped like COINr's own ASEM example, at any size.

COINr's 300 x 60 timings (../shared/refcases/coinr_asem/README.md) were taken on a synthetic coin whose
generator is not recorded. So the 300 x 60 cases of bench_index and bench_uncertainty use data shaped like
the one COINr example that is recorded, ASEM (51 x 49), scaled up:

* 4 levels: indicators -> pillars of 3-9 indicators -> 2 sub-indices -> index (ASEM: 49 -> 8 -> 2 -> 1);
* skewed indicators: lognormal columns with spreads drawn so about a third fail COINr's skew/kurtosis
  test (ASEM: 17 of 49 with |skew| > 2);
* 2.5 % of the cells missing (ASEM 2.5 %), so imputation-free aggregation skips them as COINr does;
* 2 in 7 indicators are costs, Direction -1 (ASEM 14 of 49);
* 4 unit group columns and 4 denominator columns in iData, a third of the indicators with a
  Denominator in iMeta (ASEM: 4 + 4, 17 of 49);
* all weights 1 (ASEM too).

Every value is invented; nothing here is a fact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PILLAR_SIZES = (9, 8, 8, 6, 5, 5, 5, 3)  # ASEM's pillars, largest first
GROUPS = ("Size_group", "Income_group", "Pop_group", "Region_group")
DENOMINATORS = ("Area", "Energy", "GDP", "Population")


def _pillar_sizes(n_ind: int) -> list[int]:
    """ASEM's pillar sizes, cycled until they cover ``n_ind`` indicators (the last one trimmed)."""
    sizes: list[int] = []
    while sum(sizes) < n_ind:
        sizes.append(PILLAR_SIZES[len(sizes) % len(PILLAR_SIZES)])
    sizes[-1] -= sum(sizes) - n_ind
    return [s for s in sizes if s > 0]


def coinr_like_tables(
    n_units: int = 300, n_ind: int = 60, seed: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(iMeta, iData) in COINr's format, shaped like ASEM (see the module docstring)."""
    rng = np.random.default_rng(seed)
    sigma = rng.choice([0.3, 0.5, 0.8, 1.2], size=n_ind, p=[0.4, 0.3, 0.15, 0.15])
    X = rng.lognormal(mean=2.0, sigma=sigma, size=(n_units, n_ind))
    X[rng.random(X.shape) < 0.025] = np.nan
    codes = [f"x{j:02d}" for j in range(n_ind)]
    sizes = _pillar_sizes(n_ind)
    n_pillars = len(sizes)
    first_sub = (n_pillars * 5 + 7) // 8  # ASEM: 5 of 8 pillars in the first sub-index
    parent = np.repeat([f"P{p:02d}" for p in range(n_pillars)], sizes)
    rows = [
        {
            "Level": 1,
            "iCode": c,
            "iName": f"Indicator {c}",
            "Direction": -1 if j % 7 in (2, 5) else 1,
            "Weight": 1.0,
            "Parent": parent[j],
            "Type": "Indicator",
            "Denominator": DENOMINATORS[j % 4] if j % 3 == 0 else None,
        }
        for j, c in enumerate(codes)
    ]
    rows += [
        {
            "Level": 2,
            "iCode": f"P{p:02d}",
            "iName": f"Pillar {p}",
            "Direction": 1,
            "Weight": 1.0,
            "Parent": "S1" if p < first_sub else "S2",
            "Type": "Aggregate",
        }
        for p in range(n_pillars)
    ]
    rows += [
        {
            "Level": 3,
            "iCode": s,
            "iName": f"Sub-index {s}",
            "Direction": 1,
            "Weight": 1.0,
            "Parent": "Index",
            "Type": "Aggregate",
        }
        for s in ("S1", "S2")
    ]
    rows.append(
        {
            "Level": 4,
            "iCode": "Index",
            "iName": "Index",
            "Direction": 1,
            "Weight": 1.0,
            "Parent": None,
            "Type": "Aggregate",
        }
    )
    rows += [{"iCode": g, "iName": g, "Type": "Group"} for g in GROUPS]
    rows += [{"iCode": d, "iName": d, "Type": "Denominator"} for d in DENOMINATORS]
    idata = pd.DataFrame(X, columns=codes)
    idata.insert(0, "uCode", [f"U{i:03d}" for i in range(n_units)])
    idata.insert(1, "uName", [f"Unit {i}" for i in range(n_units)])
    for k, g in enumerate(GROUPS):
        idata.insert(2 + k, g, rng.choice(["S", "M", "L", "XL"][: 2 + k % 3], size=n_units))
    for d in DENOMINATORS:
        idata[d] = rng.lognormal(mean=10.0, sigma=1.0, size=n_units)
    return pd.DataFrame(rows), idata
