"""Site selection (选址): ``aicity site --persona NAME|FILE`` ranks the cities of a stored run for a kind of firm.

A persona (``aicity.workflows.persona``) is a weight preset over the framework's indicators, each weight
with its reasoning, plus hard filters. The ranking is rebuilt from the stored run with the
run's recipe (``rebuild_inputs``: only ranked units and real cells, the evidence rules of the run), with the
persona's weights as the framework's nominal weights: each indicator's weight in the index is its persona
weight over the total (a dimension weighs the sum of its indicators' weights). Rank intervals come from the
uncertainty engine under the persona's weights; the facts behind each rank from ``rank_drivers``. A city
removed by a hard filter is listed with the reason; a hard filter needs a real cell to pass.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from aicity.errors import ConfigError, InputError
from aicity.store import Store
from aicity.store.runs import StoredRun
from aicity.workflows.persona import Persona, load_persona, persona_source
from aicity.workflows.site_result import Move, Removed, SiteCity, SiteResult

DEFAULT_REPLICATIONS = 200


# ----- applying a persona to a run -----------------------------------------------------------------------
def persona_weights(framework: Any, persona: Persona) -> dict[str, float]:
    """Node weights that make each indicator's weight in the index its persona weight over the total (for
    arithmetic means): indicators take their persona weight (0 when not named), an aggregate the sum of its
    indicators'. Under an aggregate whose sum is 0 every child weighs 1, so within-group shares stay defined
    while the aggregate itself weighs 0."""
    fw = framework
    own = {
        c: float(persona.weights[c].weight) if c in persona.weights else 0.0 for c in fw.indicators
    }
    total: dict[str, float] = dict(own)
    for level in fw.levels[1:]:
        for code in level:
            total[code] = sum(total[child] for child in fw.children(code))
    weights = {}
    for code, node in fw.nodes.items():
        if node.parent is None:
            weights[code] = float(node.weight)
        else:
            weights[code] = total[code] if total[node.parent] > 0 else 1.0
    return weights


def nominal_recipe(recipe: Any) -> tuple[Any, bool]:
    """The run's recipe with nominal weighting (the persona's weights are the ones used); True if changed."""
    method = {s.name: s.get_params() for s in recipe.steps}.get("weight", {}).get(
        "method", "nominal"
    )
    if method == "nominal":
        return recipe, False
    return recipe.with_params(weight__method="nominal"), True


def persona_inputs(run: StoredRun, persona: Persona):
    """(framework with the persona's weights, recipe, notes): the run's own inputs (``rebuild_inputs``: ranked
    units, real cells, scored indicators), checked against the persona."""
    from aicity.workflows.evaluate_specs import indicator_specs
    from aicity.workflows.evaluate_uncertainty import rebuild_inputs

    spec = yaml.safe_load(run.framework_yaml)
    known = [str(i["code"]) for i in indicator_specs(spec)]
    source = persona_source(persona)
    for where, codes in (
        ("weights", list(persona.weights)),
        ("filters", [f.indicator for f in persona.filters]),
    ):
        for i, code in enumerate(codes):
            if code not in known:
                key = f"weights.{code}" if where == "weights" else f"filters.{i}.indicator"
                raise ConfigError(
                    f"{code!r} is not an indicator of framework {spec.get('name')!r} (run "
                    f"{run.run_id}); its indicators: {', '.join(known)}",
                    path=f"{source}: {key}",
                )
    fw, recipe = rebuild_inputs(run)
    weighted = [c for c, w in persona.weights.items() if w.weight > 0]
    scored_weighted = [c for c in weighted if c in fw.indicators]
    if not scored_weighted:
        raise InputError(
            f"every indicator persona {persona.name!r} weights ({', '.join(weighted)}) was left out of run "
            f"{run.run_id} by the coverage floor",
            fix="weight indicators the run scores (see `aicity profile CITY`), or evaluate with more data",
        )
    recipe, changed = nominal_recipe(recipe)
    notes = []
    if changed:
        notes.append(
            (
                "该评估的赋权方法不是名义权重：按画像权重计算时改用名义权重（其余步骤不变）。",
                "the run's weighting method is not nominal: the persona's weights are used as nominal "
                "weights (every other step unchanged).",
            )
        )
    return fw.with_weights(persona_weights(fw, persona)), recipe, notes


def _intervals(
    fw: Any, recipe: Any, n: int, seed: int
) -> tuple[dict[str, tuple[float, float]], str, str]:
    """90 % rank intervals (q05-q95) of the index under the persona's weights, from the bundled
    uncertainty assumptions around them; empty with the reason when they cannot be computed."""
    from aicity.index.uncertainty import UncertaintySpec, run_uncertainty
    from aicity.index.uncertainty.engine import EngineModel
    from aicity.workflows.evaluate_specs import UNCERTAINTY_SOURCE, bundled_uncertainty

    if n <= 0:
        return {}, "未计算排名区间（--n 0）。", "rank intervals not computed (--n 0)."
    raw = bundled_uncertainty()
    raw["target"] = fw.root
    raw.pop("sensitivity", None)
    try:
        spec = UncertaintySpec.from_dict(raw, source=UNCERTAINTY_SOURCE)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            ua = run_uncertainty(EngineModel(fw, recipe, target=fw.root), spec, n, seed)
    except (ConfigError, ValueError, ArithmeticError) as exc:
        reason = str(exc).replace("\n", " ")
        return {}, f"排名区间无法计算：{reason}", f"rank intervals are not available: {reason}"
    stats = ua.rank_stats()
    found = {
        str(u): (float(lo), float(hi))
        for u, lo, hi in zip(stats["uCode"], stats["q05"], stats["q95"], strict=True)
        if lo == lo and hi == hi
    }
    zh = f"90%排名区间：在画像权重附近做{n}次不确定性分析（权重±25%、插补、标准化、逐一剔除指标）。"
    en = (
        f"90 % rank intervals: {n} uncertainty replications around the persona's weights (weights ±25 %, "
        "imputation, normalisation, leave one indicator out)."
    )
    return found, zh, en


def best_step_up(fw: Any, recipe: Any, base: Any, unit_key: str, names: dict[str, tuple[str, str]]):
    """The single indicator step that lifts the unit most: its value set to the next better value held by
    another ranked city (weighted, real indicators only), the index rebuilt. None when no step gains a place."""
    from aicity.index import build

    root = fw.root
    data = fw.data
    rank = int(base.ranks.at[unit_key, root])
    if rank == 1:
        return None
    best = None
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        for code in fw.indicators:
            node = fw.nodes[code]
            if node.weight <= 0 or fw.nodes[node.parent].weight <= 0:
                continue
            value = data.at[unit_key, code]
            if pd.isna(value):
                continue
            others = data[code].drop(index=unit_key).dropna()
            better = others[others > value] if node.direction >= 0 else others[others < value]
            if better.empty:
                continue
            target = float(better.min() if node.direction >= 0 else better.max())
            holder = str(better[better == target].index[0])
            moved = data.copy()
            moved.at[unit_key, code] = target
            new_rank = build(fw, data=moved, recipe=recipe).ranks.at[unit_key, root]
            if pd.isna(new_rank) or int(new_rank) >= rank:
                continue
            key = (int(new_rank), abs(target - float(value)) / (abs(float(value)) + 1.0), code)
            if best is None or key < best[0]:
                holder_names = names.get(holder, (holder, holder))
                best = (
                    key,
                    Move(
                        code,
                        node.name_zh,
                        node.name_en,
                        float(value),
                        target,
                        holder_names[0],
                        holder_names[1],
                        rank,
                        int(new_rank),
                    ),
                )
    return None if best is None else best[1]


def site_ranking(
    run: StoredRun,
    persona: Persona,
    n: int = DEFAULT_REPLICATIONS,
    seed: int = 1,
    facts: bool = True,
) -> SiteResult:
    """The persona's ranking of a stored run's cities (see the module docstring). ``n``: uncertainty
    replications for the rank intervals (0: none); ``facts``: compute the 3 facts and the step up."""
    from aicity.index import build
    from aicity.workflows.profile import rank_drivers

    fw, recipe, notes = persona_inputs(run, persona)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        base = build(fw, recipe=recipe)
    root = fw.root
    units = run.units
    names = _unit_names(units)
    node_names = _node_names(fw, run)
    ranked = [str(u) for u in fw.data.index]
    eligible, removed = _apply_filters(persona, ranked, run.cells, names, node_names)
    not_ranked = _not_ranked(units, names)
    intervals, note_zh, note_en = _intervals(fw, recipe, n, seed)
    run_ranks = _run_ranks(run, root)
    coverage = {
        str(r.unit_key): (int(r.real_cells), int(r.total_cells))
        for r in units.itertuples()
        if "real_cells" in units.columns
    }
    order = sorted(eligible, key=lambda u: (float(base.ranks.at[u, root]), u))
    inputs = (fw, recipe)
    cities = []
    for position, unit in enumerate(order, start=1):
        low, high = intervals.get(unit, (None, None))
        real, total = coverage.get(unit, (0, len(fw.indicators)))
        cities.append(
            SiteCity(
                unit_key=unit,
                name_zh=names.get(unit, (unit, unit))[0],
                name_en=names.get(unit, (unit, unit))[1],
                position=position,
                rank=int(base.ranks.at[unit, root]),
                score=float(base.scores.at[unit, root]),
                run_rank=run_ranks.get(unit),
                rank_low=low,
                rank_high=high,
                real_cells=real,
                total_cells=total,
                facts=rank_drivers(run, unit, inputs=inputs) if facts else [],
                move=best_step_up(fw, recipe, base, unit, names) if facts else None,
            )
        )
    shares = _shares(fw, persona)
    if not eligible:
        notes.append(
            (
                "没有城市满足全部硬性条件。",
                "no city meets every hard filter.",
            )
        )
    return SiteResult(
        persona=persona,
        run_id=run.run_id,
        framework_name=str(run.meta.get("framework_name", "")),
        n_ranked=len(ranked),
        weights=shares,
        unweighted=[c for c in fw.indicators if shares[c] == 0],
        left_out=[c for c, w in persona.weights.items() if w.weight > 0 and c not in fw.indicators],
        cities=cities,
        removed=removed,
        not_ranked=not_ranked,
        names=node_names,
        replications=n if intervals else 0,
        intervals_note_zh=note_zh,
        intervals_note_en=note_en,
        notes_zh=[z for z, _ in notes],
        notes_en=[e for _, e in notes],
    )


def _unit_names(units: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """unit_key -> (Chinese name, English name or the Chinese one)."""
    return {
        str(r.unit_key): (
            str(r.name_zh),
            str(r.name_en) if isinstance(r.name_en, str) and r.name_en else str(r.name_zh),
        )
        for r in units.itertuples()
    }


def _node_names(fw: Any, run: StoredRun) -> dict[str, tuple[str, str]]:
    """Node code -> (zh, en) names: the built framework's, then those of nodes the run left out."""
    names = {c: (n_.name_zh or c, n_.name_en or n_.name_zh or c) for c, n_ in fw.nodes.items()}
    for node in yaml.safe_load(run.framework_yaml)["nodes"]:
        code = str(node.get("code"))
        names.setdefault(code, (str(node.get("name_zh") or code), str(node.get("name_en") or code)))
    return names


def _apply_filters(
    persona: Persona,
    ranked: list[str],
    cells: pd.DataFrame,
    names: dict[str, tuple[str, str]],
    node_names: dict[str, tuple[str, str]],
) -> tuple[list[str], list[Removed]]:
    """(the ranked units that pass every hard filter, the ones removed with the reason)."""
    cell_at = {(str(c.unit_key), str(c.indicator)): c for c in cells.itertuples()}
    removed: list[Removed] = []
    eligible: list[str] = []
    for unit in ranked:
        reason = _failed_filter(persona, unit, cell_at, node_names)
        if reason is None:
            eligible.append(unit)
        else:
            removed.append(Removed(unit, *names.get(unit, (unit, unit)), *reason))
    return eligible, removed


def _not_ranked(units: pd.DataFrame, names: dict[str, tuple[str, str]]) -> list[Removed]:
    """The units the run's evidence rules did not rank, with their real-cell counts."""
    return [
        Removed(
            str(r.unit_key),
            *names[str(r.unit_key)],
            f"评估中数据不足，未参与排名（可核实数据 {int(r.real_cells)}/{int(r.total_cells)}）",
            f"not ranked in the run: insufficient data (real data {int(r.real_cells)}/{int(r.total_cells)})",
        )
        for r in units.itertuples()
        if "ranked" in units.columns and not bool(r.ranked)
    ]


def _shares(fw: Any, persona: Persona) -> dict[str, float]:
    """Each scored indicator's share of the index: its persona weight over the total."""
    total_weight = sum(
        float(persona.weights[c].weight) for c in fw.indicators if c in persona.weights
    )
    return {
        c: float(persona.weights[c].weight) / total_weight if c in persona.weights else 0.0
        for c in fw.indicators
    }


def _failed_filter(
    persona: Persona, unit: str, cell_at: dict, names: dict[str, tuple[str, str]]
) -> tuple[str, str, str, float | None] | None:
    """(reason zh, reason en, indicator, value) of the first hard filter the unit fails, else None. Only a
    real cell (sourced, verified, actual, of the indicator's year) can show that a city passes."""
    for flt in persona.filters:
        zh, en = names.get(flt.indicator, (flt.indicator, flt.indicator))
        cell = cell_at.get((unit, flt.indicator))
        value = None if cell is None or pd.isna(cell.value) else float(cell.value)
        if value is None or not bool(cell.real):
            return (
                f"{zh}无可核实数值，无法确认满足 {flt.condition('zh')}（{flt.why_zh}）",
                f"no real value of {en}, so it cannot be shown to meet {flt.condition('en')} ({flt.why_en})",
                flt.indicator,
                value,
            )
        if not flt.passes(value):
            return (
                f"{zh} = {value:g}，未满足 {flt.condition('zh')}（{flt.why_zh}）",
                f"{en} = {value:g}, does not meet {flt.condition('en')} ({flt.why_en})",
                flt.indicator,
                value,
            )
    return None


def _run_ranks(run: StoredRun, root: str) -> dict[str, int]:
    results = run.results
    if results.empty:
        return {}
    mine = results[(results["scheme"] == "default") & (results["code"] == root)].dropna(
        subset=["rank"]
    )
    return {str(u): int(r) for u, r in zip(mine["unit_key"], mine["rank"], strict=True)}


def site(
    store: Store,
    persona: str | Path,
    run_id: str | None = None,
    n: int = DEFAULT_REPLICATIONS,
    seed: int = 1,
) -> SiteResult:
    """The persona's ranking from a stored city run (default: the latest)."""
    from aicity.store.runs import latest_run_id, load_run

    found = load_persona(persona)
    run_id = run_id or latest_run_id(store, "city")
    if run_id is None:
        raise InputError(
            "the store has no evaluation run", fix="run `aicity evaluate` (or `aicity demo`) first"
        )
    return site_ranking(load_run(store, run_id), found, n=n, seed=seed)
