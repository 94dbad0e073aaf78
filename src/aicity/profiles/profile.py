"""Build one profile per evaluated unit from a stored run (``aicity.store.runs.load_run``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from aicity.layers import LAYERS

if TYPE_CHECKING:
    from aicity.profiles.verdict import Claim
    from aicity.store.runs import StoredRun


@dataclass(frozen=True)
class DimensionScore:
    code: str
    name_zh: str
    name_en: str
    score: float
    rank: int | None
    median: float
    rank_low: float | None = None  # best rank of the uncertainty interval
    rank_high: float | None = None  # worst rank of the uncertainty interval


@dataclass(frozen=True)
class IndicatorPosition:
    """Where a unit stands on one indicator: its raw value, normalised score and rank among units."""

    code: str
    name_zh: str
    name_en: str
    value: float
    unit: str
    score: float
    rank: int
    n_ranked: int
    imputed: bool
    flags: str = ""  # the cell's flags (e.g. "stale weak_source"): they travel with the finding


@dataclass
class Profile:
    unit_key: str
    name_zh: str
    name_en: str
    n_units: int
    index_code: str
    score: float
    rank: int | None
    rank_low: float | None
    rank_high: float | None
    dimensions: list[DimensionScore]
    strengths: list[IndicatorPosition]
    weaknesses: list[IndicatorPosition]
    n_indicators: int
    n_observed: int
    n_imputed: int
    n_stale: int
    layer_counts: dict[str, int] = field(default_factory=dict)
    segment_counts: dict[str, int] = field(default_factory=dict)
    parks: pd.DataFrame = field(default_factory=pd.DataFrame)
    firms: pd.DataFrame = field(default_factory=pd.DataFrame)
    verdict_zh: str = ""
    verdict_en: str = ""
    unit_type: str = "city"
    # layer counts of firms from a registry-kind list (a full registry export or official list); the layer
    # mix verdict reads only these, never a curated sample
    registry_layer_counts: dict[str, int] = field(default_factory=dict)
    reference_layer_counts: dict[str, int] = field(default_factory=dict)
    registry_synthetic: bool = (
        False  # the unit's registry firms are all synthetic (tests, scale runs)
    )
    # evidence rules: n real / N over the run's scored indicators, and whether the unit is ranked
    real_cells: int | None = None
    total_cells: int | None = None
    claims: list[Claim] = field(default_factory=list)

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" or not self.name_en else self.name_en

    @property
    def coverage(self) -> float:
        """Share of the framework's indicators with an observed (not imputed) value."""
        return self.n_observed / self.n_indicators if self.n_indicators else 0.0


def _interval(
    uncertainty: pd.DataFrame, unit_key: str, code: str
) -> tuple[float | None, float | None]:
    if uncertainty is None or uncertainty.empty:
        return None, None
    rows = uncertainty[(uncertainty["unit_key"] == unit_key) & (uncertainty["code"] == code)]
    stats = dict(zip(rows["stat"], rows["value"], strict=False))
    low, high = stats.get("rank_q05"), stats.get("rank_q95")
    return (None if low is None else float(low)), (None if high is None else float(high))


def _shared_value_counts(cells: pd.DataFrame) -> dict[tuple[str, float], int]:
    """How many units share each (indicator, value) among the real cells."""
    if not len(cells) or "real" not in cells.columns:
        return {}
    real = cells[cells["real"].astype(bool) & cells["value"].notna()]
    counts = real.groupby(["indicator", "value"]).size()
    return {(str(c), float(v)): int(n) for (c, v), n in counts.items()}


def _int_or_none(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def build_profiles(
    run: StoredRun,
    enterprises: pd.DataFrame | None = None,
    parks: pd.DataFrame | None = None,
    top: int = 3,
    registry: pd.DataFrame | None = None,
) -> dict[str, Profile]:
    """Profiles of every unit of a run, keyed by unit_key, with verdicts in zh and en.

    ``run`` is the stored run (``aicity.store.runs.load_run``); ``enterprises`` / ``parks`` are the store's
    rows (city_code, layer, segment ...).
    ``registry``: the firms of registry-kind lists (synthetic ones included, marked), which alone give a
    layer-mix clause: one row per firm, or counts (city_code, park_id, layer, n, is_synthetic) as
    ``aicity.store.inventory.registry_layer_counts`` gives them; default: the registry-kind rows of
    ``enterprises``.
    """
    from aicity.profiles.verdict import claims, join_claims

    nodes, units, cells, uncertainty = run.nodes, run.units, run.cells, run.uncertainty
    results = run.results[run.results["scheme"] == "default"]
    top_level = int(nodes["level"].max())
    index_code = str(nodes.loc[nodes["level"] == top_level, "code"].iloc[0])
    dims = nodes[nodes["level"] == 2].sort_values("position")
    indicators = nodes[nodes["level"] == 1].set_index("code")
    score = results.pivot_table(index="unit_key", columns="code", values="score", aggfunc="first")
    rank = results.pivot_table(index="unit_key", columns="code", values="rank", aggfunc="first")
    medians = score.median(numeric_only=True)
    cell_flags = (
        cells.set_index(["unit_key", "indicator"])["flags"].fillna("") if len(cells) else None
    )
    cell_values = cells.set_index(["unit_key", "indicator"])["value"] if len(cells) else None
    # runs made under the evidence rules (they store coverage) say which cells are real
    evidence_rules = run.has_evidence_rules
    cell_real = (
        cells.set_index(["unit_key", "indicator"])["real"].astype(bool) if evidence_rules else None
    )
    shared = _shared_value_counts(cells) if evidence_rules else {}
    n_units = int(units["unit_key"].isin(score.index).sum())  # ranked units
    # the reference of a registry's layer mix is the same registry over all units (same definition, year)
    if registry is None and enterprises is not None and "coverage" in enterprises.columns:
        registry = enterprises[enterprises["coverage"].astype(str) == "registry"]
    if registry is None or registry.empty:
        registry = pd.DataFrame(columns=["city_code", "park_id", "layer", "is_synthetic"])
    if "n" not in registry.columns:
        registry = registry.assign(n=1)

    def layer_counts_of(firms: pd.DataFrame) -> dict[str, int]:
        if not len(firms):
            return {}
        summed = firms.groupby("layer")["n"].sum()
        return {layer: int(summed.get(layer, 0)) for layer in LAYERS}

    reference_layer_counts = layer_counts_of(registry)
    unit_rows = units.set_index("unit_key")
    profiles: dict[str, Profile] = {}
    for unit in units.itertuples(index=False):
        key = unit.unit_key
        if key not in score.index:
            # below the coverage floor: a profile that says so, with its n real / N, and nothing else
            if "ranked" in unit_rows and not bool(unit_rows.at[key, "ranked"]):
                profiles[key] = Profile(
                    unit_key=key,
                    name_zh=unit.name_zh,
                    name_en=unit.name_en or unit.name_zh,
                    n_units=n_units,
                    index_code=index_code,
                    score=float("nan"),
                    rank=None,
                    rank_low=None,
                    rank_high=None,
                    dimensions=[],
                    strengths=[],
                    weaknesses=[],
                    n_indicators=len(indicators),
                    n_observed=0,
                    n_imputed=0,
                    n_stale=0,
                    unit_type=str(unit.unit_type),
                    real_cells=_int_or_none(unit_rows.at[key, "real_cells"]),
                    total_cells=_int_or_none(unit_rows.at[key, "total_cells"]),
                )
            continue
        dim_scores = []
        for dim in dims.itertuples(index=False):
            low, high = _interval(uncertainty, key, dim.code)
            dim_scores.append(
                DimensionScore(
                    code=dim.code,
                    name_zh=dim.name_zh,
                    name_en=dim.name_en,
                    score=float(score.at[key, dim.code]),
                    rank=_int_or_none(rank.at[key, dim.code]),
                    median=float(medians.get(dim.code, np.nan)),
                    rank_low=low,
                    rank_high=high,
                )
            )
        positions = []
        n_observed = n_imputed = n_stale = 0
        for code, meta in indicators.iterrows():
            flags = cell_flags.get((key, code), "missing") if cell_flags is not None else "missing"
            imputed = "missing" in flags or "imputed" in flags
            n_imputed += imputed
            n_observed += not imputed
            n_stale += "stale" in flags
            real = cell_real.get((key, code), False) if cell_real is not None else not imputed
            if imputed or not real or code not in score.columns or pd.isna(score.at[key, code]):
                continue
            # a value held by more than a third of the units (a common designation, a shared 0) is
            # context, not a strength or a weakness
            value = cell_values.get((key, code), np.nan) if cell_values is not None else np.nan
            if shared.get((code, value), 0) > n_units / 3:
                continue
            ranked = int(rank[code].notna().sum())
            positions.append(
                IndicatorPosition(
                    code=code,
                    name_zh=meta["name_zh"],
                    name_en=meta["name_en"],
                    value=float(cell_values.get((key, code), np.nan))
                    if cell_values is not None
                    else np.nan,
                    unit=str(meta.get("unit") or ""),
                    score=float(score.at[key, code]),
                    rank=int(rank.at[key, code]),
                    n_ranked=ranked,
                    imputed=False,
                    flags=flags,
                )
            )
        # Strengths: best ranks in the top third; weaknesses: worst ranks in the bottom third.
        by_rank = sorted(positions, key=lambda p: (p.rank / p.n_ranked, -p.score))
        strengths = [p for p in by_rank if p.rank <= max(1, p.n_ranked / 3)][:top]
        weaknesses = [p for p in reversed(by_rank) if p.rank > p.n_ranked * 2 / 3][:top]
        low, high = _interval(uncertainty, key, index_code)
        firms = pd.DataFrame()
        unit_parks = pd.DataFrame()
        city_code = getattr(unit, "city_code", None) or key
        column = "park_id" if unit.unit_type == "park" else "city_code"
        if enterprises is not None and len(enterprises):
            firms = enterprises[enterprises[column] == key]
        if parks is not None and len(parks) and unit.unit_type == "city":
            unit_parks = parks[parks["city_code"] == city_code]
        layer_counts = (
            {layer: int((firms.get("layer") == layer).sum()) for layer in LAYERS}
            if len(firms)
            else {}
        )
        segment_counts = (
            firms["segment"].dropna().value_counts().astype(int).to_dict()
            if len(firms) and "segment" in firms
            else {}
        )
        registry_firms = registry[registry[column] == key] if len(registry) else registry
        registry_layer_counts = layer_counts_of(registry_firms)
        profile = Profile(
            unit_key=key,
            name_zh=unit.name_zh,
            name_en=unit.name_en or unit.name_zh,
            n_units=n_units,
            index_code=index_code,
            score=float(score.at[key, index_code]),
            rank=_int_or_none(rank.at[key, index_code]),
            rank_low=low,
            rank_high=high,
            dimensions=dim_scores,
            strengths=strengths,
            weaknesses=weaknesses,
            n_indicators=len(indicators),
            n_observed=n_observed,
            n_imputed=n_imputed,
            n_stale=n_stale,
            unit_type=str(unit.unit_type),
            layer_counts=layer_counts,
            segment_counts=segment_counts,
            parks=unit_parks,
            firms=firms,
            registry_layer_counts=registry_layer_counts,
            reference_layer_counts=reference_layer_counts,
            registry_synthetic=bool(len(registry_firms))
            and bool(registry_firms.get("is_synthetic", pd.Series(False)).fillna(False).all()),
            real_cells=_int_or_none(unit_rows.at[key, "real_cells"])
            if "real_cells" in unit_rows
            else None,
            total_cells=_int_or_none(unit_rows.at[key, "total_cells"])
            if "total_cells" in unit_rows
            else None,
        )
        profiles[key] = profile
    # verdicts last: the comparison clause reads the neighbours' rank intervals
    by_rank = sorted((p for p in profiles.values() if p.rank is not None), key=lambda p: p.rank)
    for i, profile in enumerate(by_rank):
        profile.claims = claims(profile, by_rank[max(0, i - 1) : i] + by_rank[i + 1 : i + 2])
    for profile in profiles.values():
        if profile.rank is None:
            profile.claims = claims(profile)
        profile.verdict_zh = join_claims(profile.claims, "zh")
        profile.verdict_en = join_claims(profile.claims, "en")
    return profiles
