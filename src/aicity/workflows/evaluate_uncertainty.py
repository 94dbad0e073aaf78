"""A stored run rebuilt from its own inputs, and the uncertainty and sensitivity analysis of it."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from aicity.errors import InputError
from aicity.store import Store
from aicity.store.runs import StoredRun
from aicity.workflows.evaluate_specs import (
    engine_spec,
    indicator_specs,
    load_uncertainty_spec,
    spec_without,
)

RANK_STATS = (
    ("rank_nominal", "nominal"),
    ("rank_mean", "mean"),
    ("rank_median", "median"),
    ("rank_q05", "q05"),
    ("rank_q95", "q95"),
)
SCORE_STATS = (("score_q05", "q05"), ("score_median", "median"), ("score_q95", "q95"))


def rebuild_inputs(run: StoredRun):
    """The framework (with the run's input data) and recipe of a stored run, ready to rebuild or perturb."""
    from aicity.index import Framework, Recipe

    spec = yaml.safe_load(run.framework_yaml)
    cells = run.cells
    unit_table = run.units
    if "ranked" in unit_table.columns:
        unit_table = unit_table[unit_table["ranked"].fillna(True).astype(bool)]
    units = unit_table["unit_key"].tolist()
    coverage = run.coverage
    if len(coverage):
        # a run made under the evidence rules: only its real cells and scored indicators are rebuilt
        indicator_rows = coverage[coverage["unit_key"] == ""]
        spec = spec_without(
            spec, set(indicator_rows["code"][~indicator_rows["included"].astype(bool)])
        )
        cells = cells.assign(value=cells["value"].where(cells["real"].astype(bool)))
    scored = [str(i["code"]) for i in indicator_specs(spec)]
    cells = cells[cells["indicator"].isin(scored)]
    wide = cells.pivot(index="unit_key", columns="indicator", values="value").reindex(units)
    values = run.values
    helpers = values[(values["stage"] == "input") & values["unit_key"].isin(units)]
    if len(helpers):
        wide = wide.join(helpers.pivot(index="unit_key", columns="code", values="value"))
    for indicator in indicator_specs(spec):
        den = indicator.get("denominator")
        if den and den not in wide.columns:
            raise InputError(
                f"run {run.run_id} lacks denominator column {den!r}",
                fix="evaluate again to store a complete run",
            )
    wide.index.name = "uCode"
    fw = Framework.from_yaml(engine_spec(spec), data=wide.reset_index())
    return fw, Recipe.from_yaml(run.recipe_yaml)


def run_uncertainty_for(
    store: Store,
    run_id: str,
    n: int = 1000,
    seed: int = 1,
    sobol_n: int | None = 256,
    spec: str | Path | None = None,
    progress=None,
) -> pd.DataFrame:
    """Uncertainty (and, with ``sobol_n``, Sobol sensitivity) analysis of a stored run; results are stored
    with the run (``save_uncertainty``) and returned (unit_key, code, stat, value).

    Per unit of the target: rank_nominal, rank_median, rank_mean, rank_q05, rank_q95, score_q05,
    score_median, score_q95. Per assumption (unit_key NULL, code = assumption name): S1, ST.
    """
    from aicity.index.uncertainty import run_sensitivity, run_uncertainty
    from aicity.index.uncertainty.engine import EngineModel
    from aicity.store.runs import load_run, save_uncertainty

    fw, recipe = rebuild_inputs(load_run(store, run_id))
    ua_spec = load_uncertainty_spec(spec)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        model = EngineModel(fw, recipe, target=ua_spec.target)
        ua = run_uncertainty(model, ua_spec, n, seed, progress=progress)
        sa = run_sensitivity(model, ua_spec, sobol_n, seed) if sobol_n else None
    frame = uncertainty_rows(ua, n, sa)
    save_uncertainty(store, run_id, frame)
    return frame


def uncertainty_rows(ua, n: int, sa: pd.DataFrame | None) -> pd.DataFrame:
    """The analysis as stored rows (unit_key, code, stat, value): per-unit rank and score statistics of
    the target, the number of replications, and the per-assumption Sobol indices when ``sa`` is given."""
    target = ua.target
    rows = []
    for stats, names in ((ua.rank_stats(), RANK_STATS), (ua.score_stats(), SCORE_STATS)):
        for stat, column in names:
            rows.append(
                pd.DataFrame(
                    {
                        "unit_key": stats["uCode"].astype(str),
                        "code": target,
                        "stat": stat,
                        "value": stats[column].astype(float),
                    }
                )
            )
    rows.append(
        pd.DataFrame(
            {"unit_key": [None], "code": [target], "stat": ["replications"], "value": [float(n)]}
        )
    )
    if sa is not None:
        for stat in ("S1", "ST"):
            rows.append(
                pd.DataFrame(
                    {
                        "unit_key": None,
                        "code": sa["assumption"].astype(str),
                        "stat": stat,
                        "value": sa[stat].astype(float),
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)
