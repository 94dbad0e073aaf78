"""Site-selection personas in the explorer: the overview's persona picker and the ``/api/v1/site`` and
``/api/v1/cities/{code}/targets`` answers (``aicity.workflows.site`` and ``aicity.workflows.targets``).

A persona view is the explorer with its live ranking rebuilt on the persona's weights (the run's inputs,
``persona_inputs``), its rank intervals from the uncertainty engine under those weights, and the cities a hard
filter removes left out of the ranking rows. The sliders then start from the persona's dimension shares and
re-aggregate on top of its indicator weights, as they do for the run's own weights. Only bundled personas
can be named from the web (never a file path). Each view and answer is built once and cached.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from starlette.requests import Request

from aicity.web.errors import ApiError, BadRequest
from aicity.web.explorer import Explorer

_LOCK = threading.Lock()
PERSONA_PATTERN = r"^[a-z_]{1,40}$"


@functools.cache
def persona_choices() -> tuple[dict[str, str], ...]:
    """The bundled personas: name, titles and summaries (read once)."""
    from aicity.workflows.persona import load_persona, persona_names

    out = []
    for name in persona_names():
        p = load_persona(name)
        out.append(
            {
                "name": p.name,
                "title_zh": p.title_zh,
                "title_en": p.title_en,
                "summary_zh": p.summary_zh,
                "summary_en": p.summary_en,
            }
        )
    return tuple(out)


def _persona(name: str):  # type: ignore[no-untyped-def]
    from aicity.workflows.persona import load_persona, persona_names

    if name not in persona_names():
        raise BadRequest(f"persona must be one of {', '.join(persona_names())}; got {name[:40]!r}")
    return load_persona(name)


def _cache(explorer: Explorer) -> dict[Any, Any]:
    return explorer.persona_cache


def site_result(explorer: Explorer, name: str, facts: bool = True) -> Any:
    """The persona's ranking of the explorer's run (``site_ranking``, 200 replications), cached."""
    from aicity.workflows.site import site_ranking

    live = explorer.live
    if live is None:
        raise ApiError(
            503, "no evaluation in the store: run `aicity demo` or `aicity evaluate` first"
        )
    persona = _persona(name)
    key = ("site", name, facts)
    cache = _cache(explorer)
    with _LOCK:
        if key not in cache:
            cache[key] = site_ranking(live.run, persona, facts=facts)
        return cache[key]


class PersonaView(Explorer):
    """The explorer seen through a persona: its live ranking and intervals, hard-filtered rows."""

    def __init__(self, base: Explorer, live: Any, result: Any) -> None:
        self.__dict__.update(base.__dict__)
        self.live = live
        self._static_rows = None
        self.persona_result = result
        self._removed = {r.unit_key for r in result.removed}

    def ranking_rows(
        self, methods: Any, weights: dict[str, float] | None
    ) -> tuple[list[dict], dict[str, float]]:
        rows, used = super().ranking_rows(methods, weights)
        return [r for r in rows if r["unit_key"] not in self._removed], used


def persona_view(explorer: Explorer, name: str) -> PersonaView:
    from aicity.web.live import LiveRanking
    from aicity.workflows.site import persona_inputs

    cache = _cache(explorer)
    key = ("view", name)
    with _LOCK:
        found = cache.get(key)
    if found is not None:
        return found
    result = site_result(explorer, name, facts=False)
    base = explorer.live
    assert base is not None
    fw, recipe, _ = persona_inputs(base.run, result.persona)
    live = LiveRanking(base.run, fw, recipe, fw.data)
    live.intervals = {
        c.unit_key: (c.rank_low, c.rank_high)
        for c in result.cities
        if c.rank_low is not None and c.rank_high is not None
    }
    view = PersonaView(explorer, live, result)
    with _LOCK:
        cache[key] = view
    return view


def view_for(request: Request) -> Explorer:
    """The explorer, or its persona view when the request names a bundled persona (``?persona=``)."""
    explorer: Explorer = request.app.state.explorer
    name = request.query_params.get("persona", "")
    if not name or explorer.live is None:
        return explorer
    if len(name) > 40:
        raise BadRequest(f"persona: a persona name expected, got {len(name)} characters")
    return persona_view(explorer, name)


def persona_context(explorer: Explorer, lang: str) -> dict[str, Any] | None:
    """What the overview's persona note shows; None without a persona."""
    result = getattr(explorer, "persona_result", None)
    if result is None:
        return None
    zh = lang == "zh"
    p = result.persona
    return {
        "name": p.name,
        "title": p.title(lang),
        "summary": p.summary_zh if zh else p.summary_en,
        "interval_label": "90%排名区间（画像权重）"
        if zh
        else "90% rank interval (persona's weights)",
        "intervals_note": result.intervals_note_zh if zh else result.intervals_note_en,
        "weights": [
            {
                "name": result.names.get(code, (code, code))[0 if zh else 1],
                "share": result.weights.get(code),
                "why": w.why_zh if zh else w.why_en,
            }
            for code, w in p.weights.items()
        ],
        "removed": [
            {"name": r.name_zh if zh else r.name_en, "reason": r.reason_zh if zh else r.reason_en}
            for r in result.removed
        ],
        "labels": {
            "weights": "画像权重及理由" if zh else "the persona's weights and why",
            "removed": "按硬性条件剔除" if zh else "removed by a hard filter",
            "api": "完整结果（含决定位次的事实）"
            if zh
            else "full result (with the facts behind each rank)",
        },
    }


def targets_result(explorer: Explorer, code: str, per_segment: int, top: int) -> dict[str, Any]:
    """``aicity targets`` for a city of the explorer's store, as JSON values, cached."""
    from aicity.errors import AicityError
    from aicity.workflows.targets import as_dict, targets

    explorer.city(code)  # 404 for a city the store does not hold
    if explorer.store is None:
        raise ApiError(503, "the explorer was built without its store: restart `aicity serve`")
    key = ("targets", code, per_segment, top)
    cache = _cache(explorer)
    with explorer.store_lock:  # one reader of the store at a time
        if key not in cache:
            try:
                cache[key] = as_dict(
                    targets(explorer.store, code, per_segment=per_segment, top=top)
                )
            except AicityError as exc:
                raise BadRequest(str(exc)) from None
        return cache[key]
