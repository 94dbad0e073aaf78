"""Index engine speed against COINr 1.1.14 (R 4.2.2) on the same 2-core box.

COINr's figures come from ../shared/refcases/coinr_asem/README.md (mean of 20 / 20 / 5 runs). Ours are the
median of many in-process runs after a warm-up, inputs already in memory as data frames (COINr's were too),
each run including framework construction (COINr's ``new_coin``) and every step.
"""

from __future__ import annotations

import os
import statistics
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from aicity.index import Framework, Recipe, build

HERE = Path(__file__).resolve().parent
COINR = {"quick": 0.122, "full": 0.126, "synthetic": 0.309}
RECIPE_B = Recipe.from_dict(
    {
        "steps": [
            {"denominate": {}},
            {"impute": {"method": "group_mean", "group": "EurAsia_group"}},
            {"screen": {"min_availability": 0.9, "by": "na"}},
            {"treat": {"winmax": 5}},
            {"normalise": {"method": "minmax", "lower": 0, "upper": 100}},
            {"aggregate": {"method": "arithmetic_mean"}},
        ]
    }
)


def _shared() -> Path | None:
    for c in (os.environ.get("AICITY_SHARED"), HERE.parent.parent / "shared"):
        if c and (Path(c) / "refcases" / "coinr_asem" / "input_iMeta.csv").exists():
            return Path(c) / "refcases" / "coinr_asem"
    return None


def median_time(fn: Callable[[], object], runs: int, warmup: int = 5) -> tuple[float, float, float]:
    """(median wall, min wall, median CPU) seconds of ``fn`` over ``runs`` runs after ``warmup`` runs.

    The CPU time of this thread is reported too: the shared 2-core box is often loaded by other work, which
    inflates wall-clock medians but not the CPU the engine itself needs.
    """
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.thread_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.thread_time() - start_cpu)
    return statistics.median(wall), min(wall), statistics.median(cpu)


def synthetic_tables(
    n_units: int = 300, n_ind: int = 60, seed: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """COINr-format iMeta/iData: 60 indicators -> 12 pillars -> 3 sub-indices -> index, lognormal data
    (skewed, so treatment has work to do), 3 % missing, every 7th indicator a cost."""
    rng = np.random.default_rng(seed)
    X = rng.lognormal(mean=2.0, sigma=rng.uniform(0.3, 1.2, n_ind), size=(n_units, n_ind))
    X[rng.random(X.shape) < 0.03] = np.nan
    codes = [f"x{j:02d}" for j in range(n_ind)]
    idata = pd.DataFrame(X, columns=codes)
    idata.insert(0, "uCode", [f"U{i:03d}" for i in range(n_units)])
    idata.insert(1, "uName", [f"Unit {i}" for i in range(n_units)])
    rows = [
        {
            "Level": 1,
            "iCode": c,
            "iName": c,
            "Direction": -1 if j % 7 == 6 else 1,
            "Weight": 1,
            "Parent": f"P{j // 5:02d}",
            "Type": "Indicator",
        }
        for j, c in enumerate(codes)
    ]
    rows += [
        {
            "Level": 2,
            "iCode": f"P{p:02d}",
            "iName": f"P{p}",
            "Direction": 1,
            "Weight": 1,
            "Parent": f"S{p // 4}",
            "Type": "Aggregate",
        }
        for p in range(n_ind // 5)
    ]
    rows += [
        {
            "Level": 3,
            "iCode": f"S{s}",
            "iName": f"S{s}",
            "Direction": 1,
            "Weight": 1,
            "Parent": "Index",
            "Type": "Aggregate",
        }
        for s in range(n_ind // 20)
    ]
    rows += [
        {
            "Level": 4,
            "iCode": "Index",
            "iName": "Index",
            "Direction": 1,
            "Weight": 1,
            "Parent": None,
            "Type": "Aggregate",
        }
    ]
    return pd.DataFrame(rows), idata


def _note(runs: int, best: float, cpu: float, load: float) -> str:
    return (
        f"median of {runs} wall; min {best * 1e3:.2f} ms; CPU median {cpu * 1e3:.2f} ms; "
        f"load avg {load:.1f} on 2 cores"
    )


def main() -> list[dict]:
    warnings.simplefilter("ignore", RuntimeWarning)
    rows: list[dict] = []
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    ref = _shared()
    quick = Recipe.quick()
    cases: list[tuple[str, Callable[[], object], str, float, int]] = []
    if ref is not None:
        imeta, idata = pd.read_csv(ref / "input_iMeta.csv"), pd.read_csv(ref / "input_iData.csv")
        cases.append(
            (
                "ASEM 51x49 quick: framework + treat + minmax + amean",
                lambda: build(Framework.from_coinr(imeta, idata), recipe=quick),
                "COINr 1.1.14",
                COINR["quick"],
                200,
            )
        )
        cases.append(
            (
                "ASEM full B: denominate, impute, screen, treat, minmax, amean",
                lambda: build(Framework.from_coinr(imeta, idata), recipe=RECIPE_B),
                "COINr build_example_coin()",
                COINR["full"],
                200,
            )
        )
    else:
        rows.append(
            {
                "benchmark": "ASEM pipelines",
                "ours_s": None,
                "peer": "COINr",
                "peer_s": None,
                "note": "skipped: ../shared/refcases/coinr_asem not found (set AICITY_SHARED)",
            }
        )
    smeta, sdata = synthetic_tables()
    cases.append(
        (
            "synthetic 300x60, 4 levels: framework + treat + minmax + amean",
            lambda: build(Framework.from_coinr(smeta, sdata), recipe=quick),
            "COINr 1.1.14",
            COINR["synthetic"],
            100,
        )
    )
    for name, fn, peer, peer_s, runs in cases:
        med, best, cpu = median_time(fn, runs)
        rows.append(
            {
                "benchmark": name,
                "ours_s": med,
                "peer": peer,
                "peer_s": peer_s,
                "note": _note(runs, best, cpu, load),
            }
        )
    return rows


if __name__ == "__main__":
    for row in main():
        print(row)
