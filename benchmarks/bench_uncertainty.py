"""Uncertainty analysis: batched replications against the engine's replication-by-replication loop and COINr.

(a) COINr's ASEM example, full B pipeline, the four assumptions of COINr's sensitivity vignette, N = 10,000:
    in process, and end to end as a user runs it (`aicity index uncertainty`: process start, reading,
    the analysis and every output file written).
(b) A synthetic 300 x 60 index shaped like COINr's example (4 levels, 2.5 % missing; benchmarks/
    synthetic_coin.py), +-25 % noise on every weight, N = 10,000, beside a bare matrix-product lower bound.

Fair to the peers: ours is the mean of repeated runs (COINr's figures are means: the mean of its two
recorded ASEM runs is used); the engine loop (one full engine build per replication, the COINr way) runs
each distinct pipeline's preparation once, not once per replication, and is timed on a sample of
replications and extrapolated. COINr's times are from ../shared/refcases/coinr_asem/README.md and
../shared/reference/index-engine.md (2-core box, R 4.2.2).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from synthetic_coin import coinr_like_tables

from aicity.index import Framework, Recipe
from aicity.index.uncertainty import UncertaintySpec, run_sensitivity, run_uncertainty
from aicity.index.uncertainty.batch import is_aggregate_path, level_weights_for
from aicity.index.uncertainty.design import Design
from aicity.index.uncertainty.engine import EngineModel
from aicity.index.uncertainty.kernels import effective_weights, rank_min

N = 10_000
# COINr's recorded runs; where two runs are recorded, their mean
COINR_UA_ASEM_PER_REP = (30.7 + 23.5) / 2 / 200  # get_sensitivity UA, N = 200, on coin B
COINR_SA_ASEM_PER_REP = (42.1 + 35.8) / 2 / 300  # get_sensitivity SA, N = 50 -> 300 regenerations
COINR_UA_300x60_PER_REP = 35.4 / 100  # get_sensitivity UA, N = 100, weight noise (one run)
CLI_GOAL_PER_REP = 115e-6  # issue 15: the whole CLI run, process start and output files included
NUMPY_REF_300x60 = 0.43  # refcases/mcda: hand-written NumPy COINr-style UA, 10,000 runs

ASEM_RECIPE = Recipe(
    [
        ("denominate", {}),
        ("impute", {"method": "group_mean", "group": "EurAsia_group"}),
        ("screen", {"min_availability": 0.9, "by": "na"}),
        ("treat", {"winmax": 5}),
        ("normalise", {"method": "minmax", "lower": 0, "upper": 100}),
        ("aggregate", {"method": "arithmetic_mean"}),
    ]
)
ASEM_SPEC_DICT = {
    "target": "Index",
    "assumptions": [
        {"path": "treat.winmax", "values": [1, 2, 3, 4, 5]},
        {
            "path": "normalise",
            "values": [
                {"method": "minmax", "lower": 1, "upper": 100},
                {"method": "zscore", "mean": 10, "sd": 2},
            ],
        },
        {"path": "weights", "noise": 0.25, "levels": [2, 3]},
        {"path": "aggregate.method", "values": ["arithmetic_mean", "geometric_mean"]},
    ],
}
ASEM_SPEC = UncertaintySpec.from_dict(ASEM_SPEC_DICT)
NOISE_SPEC = UncertaintySpec.from_dict(
    {"assumptions": [{"path": "weights", "noise": 0.25, "levels": [1, 2, 3]}]}
)


def _shared() -> Path | None:
    for candidate in (
        os.environ.get("AICITY_SHARED"),
        Path(__file__).resolve().parents[2] / "shared",
    ):
        if candidate and (Path(candidate) / "refcases" / "coinr_asem").exists():
            return Path(candidate) / "refcases" / "coinr_asem"
    return None


def synthetic_framework(
    units: int = 300, indicators: int = 60, dimensions: int = 6, seed: int = 0
) -> Framework:
    """Lognormal data, every 7th indicator a cost, indicators in equal dimensions under one index."""
    rng = np.random.default_rng(seed)
    rows = [
        {
            "Level": 1,
            "iCode": f"x{i:02d}",
            "iName": f"x{i:02d}",
            "Direction": -1 if i % 7 == 6 else 1,
            "Weight": 1.0,
            "Parent": f"D{i * dimensions // indicators}",
            "Type": "Indicator",
        }
        for i in range(indicators)
    ]
    rows += [
        {
            "Level": 2,
            "iCode": f"D{j}",
            "iName": f"D{j}",
            "Direction": 1,
            "Weight": 1.0,
            "Parent": "Index",
            "Type": "Aggregate",
        }
        for j in range(dimensions)
    ]
    rows.append(
        {
            "Level": 3,
            "iCode": "Index",
            "iName": "Index",
            "Direction": 1,
            "Weight": 1.0,
            "Parent": None,
            "Type": "Aggregate",
        }
    )
    idata = pd.DataFrame(
        rng.lognormal(0.0, 1.0, (units, indicators)),
        columns=[r["iCode"] for r in rows[:indicators]],
    )
    idata.insert(0, "uCode", [f"U{i:03d}" for i in range(units)])
    idata.insert(1, "uName", idata["uCode"])
    return Framework.from_coinr(pd.DataFrame(rows), idata)


def engine_loop_seconds(
    model: EngineModel, spec: UncertaintySpec, n: int, seed: int, sample: int
) -> float:
    """Mean seconds per replication when every replication is a full engine build (the COINr way).

    Each replication costs one build. The nominal weights a replication's weight draws start from are
    prepared once per distinct pipeline (as the batched engine does), not once per replication: a second
    pipeline run per replication would charge the loop for work COINr does not do.
    """
    design = Design.build(spec, model.tree)
    draws = design.uniform_sample(n, seed)
    labels = {b.label: b.assumption.path for b in design.recipe_blocks}
    prepared: dict[str, list[np.ndarray]] = {}
    for r in range(sample):  # outside the timing: what the batched engine prepares once per group
        values = {labels[k]: v for k, v in draws.recipe_values(r).items()}
        build_values = {p: v for p, v in values.items() if not is_aggregate_path(p)}
        key = repr(sorted(build_values.items()))
        if key not in prepared:
            prepared[key] = (
                model.level_weights(model.base.weights)
                if not build_values
                else model.prepare(build_values).weights
            )
    started = time.perf_counter()
    for r in range(sample):
        values = {labels[k]: v for k, v in draws.recipe_values(r).items()}
        build_values = {p: v for p, v in values.items() if not is_aggregate_path(p)}
        nominal = prepared[repr(sorted(build_values.items()))]
        per_level = level_weights_for(design, draws, np.array([r]), nominal)
        weights = {
            code: float(np.atleast_2d(w)[0, i])
            for level, w in zip(model.tree.levels[:-1], per_level, strict=True)
            for i, code in enumerate(level)
        }
        rank_min(model.regenerate(values, weights).to_numpy()[None, :])
    return (time.perf_counter() - started) / sample


def ua_with_summaries(model: EngineModel, spec: UncertaintySpec) -> None:
    """What the CLI computes: the replications plus every summary table."""
    ua = run_uncertainty(model, spec, N, seed=1)
    ua.rank_stats()
    ua.rank_probabilities()
    ua.score_stats()


def _mean_of(fn, repeat: int = 3) -> tuple[float, float]:
    """(mean, min) wall seconds of ``repeat`` runs: the mean is compared with COINr's means."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.fmean(times), min(times)


def _load() -> str:
    return f"load {os.getloadavg()[0]:.1f} on 2 cores"


def cli_seconds(folder: Path, n: int, repeat: int = 3) -> tuple[float, float]:
    """(mean, min) wall seconds of `aicity index uncertainty` on ASEM, as a user runs it: a new process
    reading the CSVs, the analysis, every output table and the replications (samples.parquet)."""
    exe = Path(sys.executable).with_name("aicity")
    with tempfile.TemporaryDirectory(prefix="aicity-bench-ua-") as tmp:
        recipe, spec = Path(tmp) / "recipe.yaml", Path(tmp) / "spec.yaml"
        recipe.write_text(yaml.safe_dump(ASEM_RECIPE.to_dict()), encoding="utf-8")
        spec.write_text(yaml.safe_dump(ASEM_SPEC_DICT), encoding="utf-8")
        args = [
            str(exe),
            "index",
            "uncertainty",
            "--meta",
            str(folder / "input_iMeta.csv"),
            "--data",
            str(folder / "input_iData.csv"),
            "--recipe",
            str(recipe),
            "--spec",
            str(spec),
            "--n",
            str(n),
            "--seed",
            "1",
        ]
        times = []
        for i in range(repeat):
            started = time.perf_counter()
            subprocess.run(
                [*args, "--out", str(Path(tmp) / f"out{i}")], check=True, capture_output=True
            )
            times.append(time.perf_counter() - started)
    return statistics.fmean(times), min(times)


def bench_asem(rows: list[dict]) -> None:
    folder = _shared()
    if folder is None:
        rows.append(
            {
                "benchmark": "UA ASEM (skipped: ../shared absent)",
                "ours_s": None,
                "peer": None,
                "peer_s": None,
                "note": "set AICITY_SHARED",
            }
        )
        return
    fw = Framework.from_coinr(
        pd.read_csv(folder / "input_iMeta.csv"), pd.read_csv(folder / "input_iData.csv")
    )
    model = EngineModel(fw, ASEM_RECIPE, target="Index")
    ours, ours_min = _mean_of(lambda: ua_with_summaries(model, ASEM_SPEC), repeat=5)
    per_rep = engine_loop_seconds(model, ASEM_SPEC, N, 1, sample=40)
    peer = f"COINr get_sensitivity (recorded, mean of 2 runs: {COINR_UA_ASEM_PER_REP * 1e3:.0f} ms/rep x 10,000)"
    rows.append(
        {
            "benchmark": "UA ASEM B pipeline, 4 assumptions, N=10,000 (in process)",
            "ours_s": ours,
            "peer": peer,
            "peer_s": COINR_UA_ASEM_PER_REP * N,
            "note": f"mean of 5, min {ours_min:.3f} s; {_load()}",
        }
    )
    cli, cli_min = cli_seconds(folder, N)
    rows.append(
        {
            "benchmark": "UA ASEM, N=10,000, whole CLI run (process start, CSVs read, outputs written)",
            "ours_s": cli,
            "peer": peer,
            "peer_s": COINR_UA_ASEM_PER_REP * N,
            "note": (
                f"{cli / N * 1e6:.0f} µs per replication, goal <= {CLI_GOAL_PER_REP * 1e6:.0f} µs "
                f"(>= 1000x; vs COINr's faster run, 117.5 ms/rep: {0.1175 / (cli / N):,.0f}x); "
                f"mean of 3, min {cli_min:.2f} s; {_load()}"
            ),
        }
    )
    rows.append(
        {
            "benchmark": "  same, engine rebuilt per replication",
            "ours_s": ours,
            "peer": "aicity engine loop (40 reps, extrapolated; one build per rep)",
            "peer_s": per_rep * N,
            "note": f"{per_rep * 1000:.1f} ms per rebuild; each pipeline prepared once, not per rep",
        }
    )
    sobol_n = 2048
    runs = sobol_n * (len(ASEM_SPEC.assumptions) + 2)
    ours_sa, _ = _mean_of(lambda: run_sensitivity(model, ASEM_SPEC, sobol_n, seed=1), repeat=1)
    rows.append(
        {
            "benchmark": f"SA ASEM Sobol S1/ST + bootstrap, N={sobol_n} ({runs:,} runs)",
            "ours_s": ours_sa,
            "peer": f"COINr get_sensitivity SA (recorded, mean of 2 runs: {COINR_SA_ASEM_PER_REP:.3f} s/run)",
            "peer_s": COINR_SA_ASEM_PER_REP * runs,
            "note": f"SALib sampler and estimator; one run; {_load()}",
        }
    )


def bench_synthetic(rows: list[dict]) -> None:
    meta, data = coinr_like_tables(300, 60)
    model = EngineModel(Framework.from_coinr(meta, data), Recipe.quick())
    ours, ours_min = _mean_of(lambda: ua_with_summaries(model, NOISE_SPEC))
    per_rep = engine_loop_seconds(model, NOISE_SPEC, N, 1, sample=20)

    # the lower bound: the one matrix product every replication's scores need, plus nothing else
    # (on the data with missing cells as zeros: the product ignores that missing cells need skipping)
    group = model.prepare({})
    design = Design.build(NOISE_SPEC, model.tree)
    draws = design.uniform_sample(N, 1)
    weights = level_weights_for(design, draws, np.arange(N), group.weights)
    eff = effective_weights(model.tree, weights, model.tree.locate("Index"))
    X = np.nan_to_num(group.X)
    gemm, _ = _mean_of(lambda: X @ eff.T, repeat=5)
    gemm_ranks, _ = _mean_of(lambda: rank_min((X @ eff.T).T), repeat=3)
    rows.append(
        {
            "benchmark": "UA synthetic 300x60 shaped like ASEM (4 levels, 2.5 % missing), "
            "weight noise on every level, N=10,000",
            "ours_s": ours,
            "peer": "COINr get_sensitivity (recorded 0.354 s/rep x 10,000, its own synthetic coin)",
            "peer_s": COINR_UA_300x60_PER_REP * N,
            "note": f"mean of 3, min {ours_min:.2f} s; goal < 1 s; {_load()}",
        }
    )
    rows.append(
        {
            "benchmark": "  same, engine rebuilt per replication",
            "ours_s": ours,
            "peer": "aicity engine loop (20 reps, extrapolated)",
            "peer_s": per_rep * N,
            "note": f"{per_rep * 1000:.1f} ms per rebuild",
        }
    )
    rows.append(
        {
            "benchmark": "  same size, hand-written NumPy UA (refcases/mcda: complete data, 3 levels)",
            "ours_s": ours,
            "peer": "recorded, other run",
            "peer_s": NUMPY_REF_300x60,
            "note": "compare with care: other data, +-30 %",
        }
    )
    rows.append(
        {
            "benchmark": "  lower bound: bare X @ W_eff.T",
            "ours_s": ours,
            "peer": "GEMM alone, same run",
            "peer_s": gemm,
            "note": f"ours = {ours / gemm:.0f}x the GEMM; GEMM + bulk ranks {gemm_ranks:.3f} s",
        }
    )


def bench_sobol_dimensions(rows: list[dict]) -> None:
    """Sobol on three dimension weights of a 300 x 60 index, the size of the recorded SALib peer run."""
    model = EngineModel(synthetic_framework(dimensions=3), Recipe.quick())
    spec = UncertaintySpec.from_dict(
        {
            "assumptions": [
                {"path": "weights", "name": f"w_D{j}", "noise": 0.5, "codes": [f"D{j}"]}
                for j in range(3)
            ]
        }
    )
    ours, _ = _mean_of(lambda: run_sensitivity(model, spec, 1024, seed=1))
    rows.append(
        {
            "benchmark": "SA synthetic 300x60, 3 dimension weights, N=1024 (5,120 runs)",
            "ours_s": ours,
            "peer": "SALib Sobol on a hand-written NumPy index (refcases/mcda, other run)",
            "peer_s": 0.18,
            "note": f"ours includes the engine pipeline, ranks and bootstrap; mean of 3; {_load()}",
        }
    )


def main() -> list[dict]:
    rows: list[dict] = []
    bench_asem(rows)
    bench_synthetic(rows)
    bench_sobol_dimensions(rows)
    return rows


if __name__ == "__main__":
    for row in main():
        print(row)
