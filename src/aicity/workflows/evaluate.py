"""Evaluate cities (or parks) from the store with a framework and recipe, and store the run.

The steps, each in its own module: the framework and recipes are read (``evaluate_specs``), every unit x
indicator cell is selected and flagged (``cells``), the coverage floors decide what is scored and who is
ranked (``coverage``), the index is built under the default recipe and the alternatives, and the run is
stored with every stage (``RunRecord``). A stored run's uncertainty is run by ``evaluate_uncertainty``.
"""

from __future__ import annotations

import datetime as dt
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import aicity
from aicity.errors import ConfigError, InputError
from aicity.store import Store
from aicity.store.runs import RunRecord, save_run
from aicity.workflows.cells import Selection, data_hash, gather_cells
from aicity.workflows.coverage import Coverage, assess_coverage, blank_dimensions, coverage_floors
from aicity.workflows.evaluate_specs import (
    ALTERNATIVE_RECIPES,
    engine_spec,
    load_framework_spec,
    load_recipe_text,
    spec_without,
)


@dataclass
class Evaluation:
    run_id: str
    record: RunRecord
    result: Any  # aicity.index.IndexResult of the default recipe


def evaluate(
    store: Store,
    framework: str | Path | None = None,
    recipe: str | Path | None = None,
    year: int | None = None,
    max_age: int = 3,
    alternatives: tuple[str, ...] | None = ALTERNATIVE_RECIPES,
    unit_type: str | None = None,
    label: str | None = None,
    carry_forward: bool | None = None,
) -> Evaluation:
    """Run the framework on the store's data, store the run (with alternative recipes), return it.

    ``carry_forward`` (default: the framework's ``carry_forward`` setting, else off): before imputation,
    a unit without a real value for an indicator's year keeps its own latest earlier real value within
    ``max_age``, flagged ``stale carried`` (see ``aicity.workflows.series``)."""
    from aicity.index import Recipe

    if max_age < 0:
        raise ConfigError(f"max age must be 0 or more years, got {max_age}", path="--max-age")
    spec, framework_text = load_framework_spec(framework)
    unit_type = unit_type or spec.get("unit_type", "city")
    selection = gather_cells(store, spec, unit_type, year, max_age, carry_forward)
    coverage = assess_coverage(selection.cells, spec, selection.keys, coverage_floors(spec))
    scored_codes, ranked_keys = _apply_floors(spec, selection, coverage)
    left_out = set(selection.codes) - set(scored_codes)
    scored_spec = spec_without(spec, left_out) if left_out else spec
    fw = _engine_framework(scored_spec, selection, scored_codes, ranked_keys)
    default_recipe = Recipe.from_yaml(load_recipe_text(recipe))
    # an alternative written for the full framework (AHP over its three dimensions) may not fit once the
    # floors leave a dimension out: then that scheme is not stored
    schemes = _build_schemes(fw, default_recipe, alternatives, strict=scored_spec is spec)
    result = schemes["default"]
    units = selection.units.assign(
        ranked=selection.units["unit_key"].map(coverage.unit_ranked).astype(bool),
        real_cells=selection.units["unit_key"].map(coverage.unit_real).astype(int),
        total_cells=len(scored_codes),
    )
    outcome = RunOutcome(
        spec=spec,
        framework_text=framework_text,
        recipe_yaml=default_recipe.to_yaml(),
        unit_type=unit_type,
        year=selection.year,
        max_age=max_age,
        label=label,
        fw=fw,
        schemes=schemes,
        units=units,
        cells=_mark_imputed(selection.cells, result.flags),
        coverage=coverage,
    )
    record = outcome.record()
    save_run(store, record)
    return Evaluation(run_id=record.run_id, record=record, result=result)


def _apply_floors(
    spec: dict, selection: Selection, coverage: Coverage
) -> tuple[list[str], list[str]]:
    """(scored indicators, ranked units); an InputError when too little is left to rank."""
    floors = coverage.floors
    scored_codes = [c for c in selection.codes if coverage.indicator_included[c]]
    if not scored_codes:
        raise InputError(
            f"no indicator of framework {spec.get('name')!r} has real data for "
            f"{floors['indicator']:.0%} of the {selection.unit_type} units",
            fix="ingest sourced observations, or lower coverage_floor.indicator in the framework",
        )
    ranked_keys = [k for k in selection.keys if coverage.unit_ranked[k]]
    if len(ranked_keys) < 2:
        raise InputError(
            f"fewer than 2 {selection.unit_type} units have real data for {floors['unit']:.0%} of "
            "the scored cells",
            fix="ingest more sourced observations, or lower coverage_floor.unit in the framework",
        )
    return scored_codes, ranked_keys


def _engine_framework(
    scored_spec: dict, selection: Selection, scored_codes: list[str], ranked_keys: list[str]
):
    """The index engine's framework with the ranked units' real values (and their denominators)."""
    from aicity.index import Framework

    cells = selection.cells
    # only real cells are scored: unverified, URL-less, estimated or sample values stay in the cells table
    # (shown in the appendix) but enter the index as gaps, imputed and flagged
    real_values = cells["value"].where(cells["real"].astype(bool))
    wide = (
        cells.assign(value=real_values)
        .pivot(index="unit_key", columns="indicator", values="value")
        .reindex(index=ranked_keys, columns=scored_codes)
    )
    for den in selection.denominators:
        source = cells if den in selection.codes else selection.helper_cells
        den_cells = source[source["indicator"] == den].set_index("unit_key")
        wide[den] = den_cells["value"].where(den_cells["real"].astype(bool)).reindex(ranked_keys)
    data = wide.copy()
    data.index.name = "uCode"
    data = data.reset_index()
    names = selection.units.set_index("unit_key")["name_zh"]
    data.insert(1, "uName", names.reindex(ranked_keys).to_numpy())
    return Framework.from_yaml(engine_spec(scored_spec), data=data)


def _build_schemes(
    fw: Any, default_recipe: Any, alternatives: tuple[str, ...] | None, strict: bool
) -> dict[str, Any]:
    """The index under the default recipe and each alternative; with ``strict`` False an alternative that
    does not fit the (pruned) framework is skipped."""
    from aicity.index import Recipe, build

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # all-missing columns (e.g. no inventory run yet) warn inside numpy; they are flagged per cell instead
        warnings.simplefilter("ignore", RuntimeWarning)
        schemes = {"default": build(fw, recipe=default_recipe)}
        for name in alternatives or ():
            alternative = Recipe.from_yaml(load_recipe_text(name))
            try:
                schemes[name] = build(fw, recipe=alternative)
            except ConfigError:
                if strict:
                    raise
    return schemes


def _mark_imputed(cells: pd.DataFrame, pipeline_flags: pd.DataFrame) -> pd.DataFrame:
    """The imputation flags the pipeline raised, put back onto the cells."""
    if not len(pipeline_flags):
        return cells
    imputed = pipeline_flags[pipeline_flags["flag"].astype(str).str.startswith("imputed")]
    pairs = set(zip(imputed["uCode"].astype(str), imputed["iCode"].astype(str), strict=False))
    return cells.assign(
        flags=[
            (f + " imputed").strip() if (u, c) in pairs and "imputed" not in f else f
            for u, c, f in zip(cells["unit_key"], cells["indicator"], cells["flags"], strict=True)
        ]
    )


# ----- the run as stored ---------------------------------------------------------------------------------
@dataclass
class RunOutcome:
    """What one evaluation read and produced; ``record()`` lays it out as the stored run."""

    spec: dict
    framework_text: str
    recipe_yaml: str
    unit_type: str
    year: int
    max_age: int
    label: str | None
    fw: Any  # aicity.index.Framework as built (floors applied)
    schemes: dict[str, Any]  # recipe name -> aicity.index.IndexResult ("default" first)
    units: pd.DataFrame
    cells: pd.DataFrame
    coverage: Coverage

    def record(self) -> RunRecord:
        spec = self.spec
        flags = self.schemes["default"].flags.rename(columns={"uCode": "unit_key", "iCode": "code"})
        created = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        name = spec.get("name", "run")
        return RunRecord(
            run_id=f"{name}-{self.unit_type}-{self.year}-{created}-{uuid.uuid4().hex[:6]}",
            framework_name=str(spec.get("name", "framework")),
            framework_yaml=self.framework_text,
            recipe_yaml=self.recipe_yaml,
            data_hash=data_hash(self.cells),
            version=aicity.__version__,
            unit_type=self.unit_type,
            reference_year=self.year,
            max_age=self.max_age,
            label=self.label,
            nodes=self.nodes(),
            units=self.units,
            cells=self.cells,
            values=self.values(),
            results=blank_dimensions(self.results(), self.coverage.dimensions_below_floor()),
            weights=self.weights(),
            flags=flags if len(flags) else None,
            coverage=self.coverage.table(),
        )

    def nodes(self) -> pd.DataFrame:
        """The framework as evaluated: one row per node, with its weight and effective weight."""
        result = self.schemes["default"]
        extras = {str(n["code"]): n for n in self.spec["nodes"]}
        effective = result.effective_weights.set_index("iCode")["EffWeight"]
        positions: dict[int, int] = {}
        nodes = []
        for code, node in self.fw.nodes.items():
            position = positions.get(node.level, 0)
            positions[node.level] = position + 1
            nodes.append(
                {
                    "code": code,
                    "parent": node.parent,
                    "level": node.level,
                    "position": position,
                    "name_zh": node.name_zh,
                    "name_en": node.name_en,
                    "unit": node.unit or None,
                    "direction": node.direction if node.level == 1 else None,
                    "weight": float(result.weights.get(code, node.weight)),
                    "effective_weight": float(effective.get(code, np.nan)),
                    "denominator": node.denominator,
                    "definition": extras.get(code, {}).get("definition"),
                }
            )
        return pd.DataFrame(nodes)

    def values(self) -> pd.DataFrame:
        """Every stage of the default pipeline, long: stage, unit_key, code, value."""
        values = []
        for stage, frame in self.schemes["default"].stages.items():
            long = (
                frame.rename_axis("unit_key")
                .reset_index()
                .melt(id_vars="unit_key", var_name="code")
            )
            long.insert(0, "stage", stage)
            values.append(long)
        return pd.concat(values, ignore_index=True)

    def results(self) -> pd.DataFrame:
        """Scores and ranks of every node under every scheme: scheme, unit_key, code, score, rank, level."""
        results = []
        for scheme, res in self.schemes.items():
            scores = (
                res.scores.rename_axis("unit_key")
                .reset_index()
                .melt(id_vars="unit_key", var_name="code", value_name="score")
            )
            ranks = (
                res.ranks.rename_axis("unit_key")
                .reset_index()
                .melt(id_vars="unit_key", var_name="code", value_name="rank")
            )
            merged = scores.merge(ranks, on=["unit_key", "code"])
            merged["level"] = merged["code"].map(lambda c: self.fw.nodes[c].level)
            merged["rank"] = merged["rank"].astype("Int64")
            merged.insert(0, "scheme", scheme)
            results.append(merged)
        return pd.concat(results)

    def weights(self) -> pd.DataFrame:
        """Each scheme's node weights: scheme, code, weight."""
        return pd.concat(
            [
                pd.DataFrame(
                    {
                        "scheme": scheme,
                        "code": list(res.weights),
                        "weight": list(res.weights.values()),
                    }
                )
                for scheme, res in self.schemes.items()
            ]
        )
