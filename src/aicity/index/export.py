"""Write an IndexResult to a folder of CSV files (COINr's layout: uCode then one column per code)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from aicity.index import audit
from aicity.index.result import IndexResult
from aicity.io.export import to_csv


def write_result(result: IndexResult, out: str | Path, top: int = 5) -> list[Path]:
    """Write ``<stage>.csv`` per stage run, ranks.csv, treatment.csv, screening.csv, flags.csv,
    weights.csv, recipe.yaml and audit/ (stats, correlations, cronbach, pca, strengths, weaknesses).
    Returns the paths written."""
    out = Path(out)
    (out / "audit").mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def put(frame, name: str, index: bool = False) -> None:
        path = out / name
        to_csv(frame, path, index=index)
        written.append(path)

    for name, frame in result.stages.items():
        put(frame, f"{name}.csv", index=True)
    put(result.ranks, "ranks.csv", index=True)
    if result.treatment is not None:
        put(result.treatment, "treatment.csv")
    if result.screening is not None:
        put(result.screening, "screening.csv")
    put(result.flags, "flags.csv")
    put(result.effective_weights, "weights.csv")
    recipe_path = out / "recipe.yaml"
    recipe_path.write_text(result.recipe.to_yaml(), encoding="utf-8")
    written.append(recipe_path)

    fw = result.framework
    put(audit.get_stats(result.stages["raw"]), "audit/stats.csv")
    if "aggregated" in result.stages and fw.n_levels > 1:
        corr = [audit.get_corr(result, 1, 2).assign(level_a=1, level_b=2)]
        for lev in range(2, fw.n_levels):
            corr.append(
                audit.get_corr(result, lev, fw.n_levels).assign(level_a=lev, level_b=fw.n_levels)
            )
        import pandas as pd

        put(pd.concat(corr, ignore_index=True), "audit/correlations.csv")
        dset = "normalised" if "normalised" in result.stages else "aggregated"
        put(audit.get_corr_flags(result, 0.75, "both", 2, dset=dset), "audit/correlation_flags.csv")
        cron = [audit.get_cronbach(result, lev) for lev in range(2, fw.n_levels + 1)]
        put(pd.concat(cron, ignore_index=True), "audit/cronbach.csv")
        pca = [audit.get_pca(result, lev) for lev in range(2, fw.n_levels + 1)]
        put(pd.concat(pca, ignore_index=True), "audit/pca.csv")
        if "normalised" in result.stages:
            put(audit.remove_elements(result, 2), "audit/remove_elements.csv")
    n_ind = len(fw.indicators)
    k = int(np.clip(top, 1, n_ind))
    strengths, weaknesses = audit.strengths_weaknesses_all(result, k, k, dset="raw")
    put(strengths, "audit/strengths.csv")
    put(weaknesses, "audit/weaknesses.csv")
    return written
