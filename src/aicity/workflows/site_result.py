"""What ``aicity site`` answers: the persona's ranking of a run's cities (who passes the hard filters, at
which rank and interval, the single step up that gains most), and the same as plain JSON-ready values."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from aicity.workflows.persona import Persona, persona_source


@dataclass(frozen=True)
class Move:
    """The single step up that gains most: the indicator set to the next better value another ranked city
    holds (a designation gained, one more university ...), the index rebuilt, everything else unchanged."""

    code: str
    name_zh: str
    name_en: str
    value: float
    target: float
    held_by_zh: str
    held_by_en: str
    rank: int
    new_rank: int


@dataclass(frozen=True)
class SiteCity:
    unit_key: str
    name_zh: str
    name_en: str
    position: int  # 1.. among the cities that pass the hard filters
    rank: int  # among all ranked cities of the run, under the persona's weights
    score: float
    run_rank: int | None  # the stored run's own rank
    rank_low: float | None
    rank_high: float | None
    real_cells: int
    total_cells: int
    facts: list[Any] = field(default_factory=list)  # aicity.workflows.profile.RankDriver
    move: Move | None = None


@dataclass(frozen=True)
class Removed:
    unit_key: str
    name_zh: str
    name_en: str
    reason_zh: str
    reason_en: str
    indicator: str | None = None
    value: float | None = None


@dataclass
class SiteResult:
    persona: Persona
    run_id: str
    framework_name: str
    n_ranked: int
    weights: dict[str, float]  # indicator -> share of the index (persona weight / total)
    unweighted: list[str]  # scored indicators the persona gives weight 0 (or does not name)
    left_out: list[str]  # indicators the persona weights that the run left out (coverage floor)
    cities: list[SiteCity]
    removed: list[Removed]  # by a hard filter
    not_ranked: list[Removed]  # by the run's evidence rules
    names: dict[str, tuple[str, str]]  # indicator code -> (zh, en)
    replications: int  # of the uncertainty analysis behind the intervals (0: none)
    intervals_note_zh: str
    intervals_note_en: str
    notes_zh: list[str] = field(default_factory=list)
    notes_en: list[str] = field(default_factory=list)


def as_dict(result: SiteResult) -> dict[str, Any]:
    """The result as plain JSON-ready values (the CLI's --json and the API return this)."""

    def num(value: Any) -> Any:
        if value is None:
            return None
        value = float(value)
        return None if value != value else round(value, 6)

    p = result.persona
    return {
        "persona": {
            "name": p.name,
            "title_zh": p.title_zh,
            "title_en": p.title_en,
            "summary_zh": p.summary_zh,
            "summary_en": p.summary_en,
            "source": persona_source(p),
            "weights": [
                {
                    "indicator": code,
                    "name_zh": result.names.get(code, (code, code))[0],
                    "name_en": result.names.get(code, (code, code))[1],
                    "weight": w.weight,
                    "share": num(result.weights.get(code)),
                    "scored": code in result.weights,
                    "why_zh": w.why_zh,
                    "why_en": w.why_en,
                }
                for code, w in p.weights.items()
            ],
            "filters": [f.model_dump() for f in p.filters],
        },
        "run_id": result.run_id,
        "framework": result.framework_name,
        "n_ranked": result.n_ranked,
        "unweighted": result.unweighted,
        "left_out": result.left_out,
        "replications": result.replications,
        "intervals_note_zh": result.intervals_note_zh,
        "intervals_note_en": result.intervals_note_en,
        "notes_zh": result.notes_zh,
        "notes_en": result.notes_en,
        "cities": [
            {
                "position": c.position,
                "rank": c.rank,
                "unit_key": c.unit_key,
                "name_zh": c.name_zh,
                "name_en": c.name_en,
                "score": num(c.score),
                "run_rank": c.run_rank,
                "rank_low": num(c.rank_low),
                "rank_high": num(c.rank_high),
                "real_cells": c.real_cells,
                "total_cells": c.total_cells,
                "facts": [{**dataclasses.asdict(d), "shift": d.shift} for d in c.facts],
                "move": None if c.move is None else dataclasses.asdict(c.move),
            }
            for c in result.cities
        ],
        "removed": [dataclasses.asdict(r) for r in result.removed],
        "not_ranked": [dataclasses.asdict(r) for r in result.not_ranked],
    }
