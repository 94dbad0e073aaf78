"""A read-only snapshot of the store, taken once when the app starts, plus the lookups the routes need.

The explorer never writes and holds no open cursor: every table is read through the workflows at start-up,
so requests are served from memory and the store file can stay opened read-only. Restart the server to
pick up a new evaluation.

``Explorer`` is built in floors, each in its own module and each reading only the floors below it:

- ``aicity.web.catalogue``: the core tables and the lookups over them (names, cities, parks, firms,
  observations, sources, data gaps, downloads);
- ``aicity.web.evaluation``: the newest city run (ranking rows, a city's scores, verdict and evidence,
  the coverage table, the framework);
- ``aicity.web.figures``: the map, the ranking bar and the radars as plotly JSON;
- here: what is read from the store on first use (industry maps, projects, the year-on-year table),
  one reader at a time, and the warm-up.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

import pandas as pd

from aicity.errors import AicityError
from aicity.languages import LANGUAGES
from aicity.web.catalogue import Tables
from aicity.web.figures import FigureViews
from aicity.web.live import LiveRanking
from aicity.web.records import records

if TYPE_CHECKING:
    from aicity.store import Store

log = logging.getLogger("aicity.web")

__all__ = ["Explorer", "Tables"]


class Explorer(FigureViews):
    """Everything the pages and the API read, held in memory."""

    def __init__(
        self,
        tables: Tables,
        live: LiveRanking | None = None,
        runs: pd.DataFrame | None = None,
        store: Store | None = None,
    ) -> None:
        super().__init__(tables, live, runs, store)
        self._industry: dict[tuple[str, str | None, str], Any] = {}
        self._inventory: bool | None = None  # whether the store holds an inventory run
        self._projects: dict[str, dict[str, Any]] | None = None
        self._yearly: tuple[Any] | None = None  # (the comparison or None), once asked
        self.persona_cache: dict[Any, Any] = {}  # aicity.web.personas: views and answers

    @classmethod
    def from_store(cls, store: Store) -> Explorer:
        from aicity.workflows.explore import latest_city_run, store_frames

        frames = store_frames(store)
        run = latest_city_run(store)
        live = LiveRanking.from_run(run) if run is not None else None
        return cls(Tables.from_frames(frames), live, frames.runs, store=store)

    def warm_up(self) -> None:
        """Everything a request could otherwise wait for: method combinations, figures, the gaps table."""
        if self.store is not None:
            # the industry-map workflow imports Ibis (about a second): pay it now, not
            # on the first city page (a background import deadlocks with the figures' own imports)
            importlib.import_module("aicity.workflows.industry_map")
        if self.live is not None:
            self.live.warm_up()
            for lang in LANGUAGES:
                self.map_json(lang)
                self.ranking_bar_json(lang)
        self.data_gaps()

    # ----- read from the store on first use --------------------------------------------------------
    def yearly(self) -> dict[str, Any] | None:
        """The latest city run against the latest city run of an earlier reference year of the same
        framework (``aicity runs compare``): rank and score change with both runs' intervals. None with
        fewer than two years."""
        if self.store is None or self.live is None or self.runs.empty:
            return None
        if self._yearly is None:
            self._yearly = (self._compare_years(self.store, self.live),)
        found = self._yearly[0]
        if found is None:
            return None
        return {"from": found.run_a, "to": found.run_b, "rows": records(found.table)}

    def _compare_years(self, store: Store, live: LiveRanking) -> Any:
        runs = self.runs
        runs = runs[
            (runs["unit_type"] == "city")
            & runs["framework_name"].eq(live.meta.get("framework_name"))
        ]
        earlier = runs[runs["reference_year"] < live.meta.get("reference_year")]
        if not len(earlier):
            return None
        from aicity.workflows.series import compare_series

        earlier_id = str(earlier.sort_values("created_at").iloc[-1]["run_id"])
        with self.store_lock:
            return compare_series(store, earlier_id, live.run_id)

    def industry_map_data(self, city: str, park: str | None, lang: str) -> Any:
        """The inventory's industry map of a city or park (``aicity.workflows.industry_map``), cached; None when
        the store has no inventory run (the page then draws the firms it has, by layer and segment)."""
        key = (city, park, lang)
        with self.store_lock:
            if key in self._industry:
                return self._industry[key]
            data = None
            if self.store is not None and self._has_inventory(self.store):
                from aicity.workflows.industry_map import industry_map_data

                try:
                    data = industry_map_data(self.store, city, park=park, lang=lang)
                except AicityError as exc:
                    log.info("no inventory industry map for %s: %s", key, exc)
            self._industry[key] = data
            return data

    def _has_inventory(self, store: Store) -> bool:
        """Whether the store holds an inventory run (asked once; the store never changes while served)."""
        if self._inventory is None:
            from aicity.workflows.info import inventory_runs

            runs = inventory_runs(store)
            self._inventory = bool(len(runs) and (runs["kind"] == "inventory").any())
        return self._inventory

    def projects(self, code: str) -> dict[str, Any]:
        """A city's projects and their summary (``aicity.workflows.projects``), read once for every
        city on first use; empty without projects or without a store."""
        with self.store_lock:
            if self._projects is None:
                found: dict[str, dict[str, Any]] = {}
                if self.store is not None:
                    from aicity.workflows.projects import projects_by_city

                    try:
                        found = projects_by_city(self.store)
                    except AicityError as exc:
                        log.info("no projects: %s", exc)
                self._projects = found
        mine = self._projects.get(code)
        return mine if mine is not None else _no_projects()


def _no_projects() -> dict[str, Any]:
    """What a city without projects shows (a fresh dict: callers may add to it)."""
    return {"items": [], "summary": [], "note_zh": "", "note_en": ""}
