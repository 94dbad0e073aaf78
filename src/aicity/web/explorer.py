"""A read-only snapshot of the store, taken once when the app starts, plus the lookups the routes need.

The explorer never writes and holds no open cursor: every table is read through the store's domain
functions at start-up, so requests are served from memory and the store file can stay opened read-only.
Restart the server to pick up a new evaluation.
"""

from __future__ import annotations

import importlib
import logging
import math
import threading
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from aicity.errors import AicityError
from aicity.layers import LAYER_NAMES_EN, LAYER_NAMES_ZH, LAYERS
from aicity.web.errors import BadRequest, NotFound
from aicity.web.live import LiveRanking

if TYPE_CHECKING:
    from aicity.store import Store
    from aicity.workflows.explore import StoreFrames

log = logging.getLogger("aicity.web")

LAYER_NAMES = {code: (LAYER_NAMES_ZH[code], LAYER_NAMES_EN[code]) for code in LAYERS}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts with JSON-safe values (NaN/NA become None, numpy scalars become Python)."""
    out = []
    for row in frame.to_dict(orient="records"):
        clean: dict[str, Any] = {}
        for key, value in row.items():
            if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
                clean[key] = None
            elif hasattr(value, "item"):
                clean[key] = value.item()
            elif isinstance(value, pd.Timestamp):
                clean[key] = value.isoformat()
            else:
                clean[key] = value
        out.append(clean)
    return out


def _text(series: pd.Series) -> pd.Series:
    return series.astype("string").fillna("")


@dataclass
class Tables:
    """The store's core tables as read at start-up."""

    cities: pd.DataFrame
    parks: pd.DataFrame
    enterprises: pd.DataFrame
    sources: pd.DataFrame
    indicators: pd.DataFrame
    observations: pd.DataFrame
    segments: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["code", "layer", "name_zh", "name_en"])
    )
    # layer counts of registry-kind firms (store.inventory.registry_layer_counts): the only firms a
    # layer-mix verdict reads
    registry: pd.DataFrame | None = None

    @classmethod
    def from_frames(cls, frames: StoreFrames) -> Tables:
        return cls(
            registry=frames.registry,
            cities=frames.cities,
            parks=frames.parks,
            enterprises=frames.enterprises,
            sources=frames.sources,
            indicators=frames.indicators,
            observations=frames.observations,
            segments=_taxonomy_frame(),
        )


def _taxonomy_frame() -> pd.DataFrame:
    try:
        from aicity.inventory.taxonomy import load_taxonomy
    except ImportError:  # the inventory package is optional for the explorer
        return pd.DataFrame(columns=["code", "layer", "name_zh", "name_en"])
    taxonomy = load_taxonomy()
    return pd.DataFrame(
        [
            {"code": s.code, "layer": s.layer, "name_zh": s.name_zh, "name_en": s.name_en}
            for s in taxonomy.segments
        ]
    )


class Explorer:
    """Everything the pages and the API read, held in memory."""

    def __init__(
        self,
        tables: Tables,
        live: LiveRanking | None = None,
        runs: pd.DataFrame | None = None,
        store: Store | None = None,
    ) -> None:
        self.tables = tables
        self.live = live
        # kept (read-only) for the industry maps, which the inventory workflow reads on demand
        self.store = store
        self.runs = runs if runs is not None else pd.DataFrame(columns=["run_id"])
        self._prepare()

    @classmethod
    def from_store(cls, store: Store) -> Explorer:
        from aicity.workflows.explore import latest_city_run, store_frames

        frames = store_frames(store)
        run = latest_city_run(store)
        live = LiveRanking.from_run(run) if run is not None else None
        return cls(Tables.from_frames(frames), live, frames.runs, store=store)

    # ----- preparation (once) --------------------------------------------------------------------
    def _prepare(self) -> None:
        t = self.tables
        self.cities = t.cities.set_index("code", drop=False)
        self.parks = t.parks.set_index("park_id", drop=False)
        self.city_names = {
            row.code: (row.name_zh, row.name_en if isinstance(row.name_en, str) else row.name_zh)
            for row in t.cities.itertuples()
        }
        self.park_names = {
            row.park_id: (row.name_zh, row.name_en if isinstance(row.name_en, str) else row.name_zh)
            for row in t.parks.itertuples()
        }
        self.segment_names = {
            row.code: (row.name_zh, row.name_en) for row in t.segments.itertuples()
        }
        ent = t.enterprises.copy()
        # lower-cased search text prepared once so a search is one vectorised `str.contains`
        ent["_search"] = (
            _text(ent["name"]) + " " + _text(ent.get("description", pd.Series("", index=ent.index)))
        ).str.lower()
        self.enterprises = ent
        from aicity.io.outlets import grade

        graded = [grade(u) for u in t.sources["url"]]
        # outlet type graded from the outlet behind the URL (aicity/data/outlets.csv), shown per source
        self.sources = t.sources.assign(
            outlet_type=[g.outlet_type for g in graded], outlet_name=[g.name for g in graded]
        ).set_index("source_id", drop=False)
        self.profiles = self._build_profiles()
        self._figures: dict[tuple[str, str], str] = {}
        self._map_order: list[str] | None = None
        self._gaps: list[dict[str, Any]] | None = None
        self._static_rows: list[dict[str, Any]] | None = None
        self._industry: dict[tuple[str, str | None, str], Any] = {}
        self._industry_lock = threading.Lock()
        self.workbook: bytes | None = None  # the Excel download, built on first request

    def _build_profiles(self) -> dict[str, Any]:
        """Profiles (strengths, weaknesses, verdict sentences) of every unit of the run, once."""
        if self.live is None:
            return {}
        from aicity.profiles import build_profiles

        return build_profiles(
            self.live.run,
            self.tables.enterprises,
            self.tables.parks,
            registry=self.tables.registry,
        )

    # ----- names ---------------------------------------------------------------------------------
    def city_name(self, code: str | None, lang: str) -> str:
        if code is None:
            return ""
        names = self.city_names.get(code)
        return (names[0] if lang == "zh" else names[1]) if names else str(code)

    def park_name(self, park_id: str | None, lang: str) -> str:
        if park_id is None:
            return ""
        names = self.park_names.get(park_id)
        return (names[0] if lang == "zh" else names[1]) if names else str(park_id)

    def segment_name(self, code: str | None, lang: str) -> str:
        if not code:
            return ""
        names = self.segment_names.get(code)
        return (names[0] if lang == "zh" else names[1]) if names else str(code)

    @staticmethod
    def layer_name(layer: str | None, lang: str) -> str:
        if not layer:
            return ""
        names = LAYER_NAMES.get(layer)
        return (names[0] if lang == "zh" else names[1]) if names else layer

    # ----- lookups -------------------------------------------------------------------------------
    def city_list(self) -> list[dict[str, Any]]:
        return _records(self.tables.cities)

    def city(self, code: str) -> dict[str, Any]:
        if code not in self.cities.index:
            raise NotFound(
                f"city {code!r} not found: expected one of the {len(self.cities)} city codes "
                "listed at /api/v1/cities"
            )
        return _records(self.cities.loc[[code]])[0]

    def park_list(self, city_code: str | None = None) -> list[dict[str, Any]]:
        frame = self.tables.parks
        if city_code is not None:
            frame = frame[frame["city_code"] == city_code]
        return _records(frame)

    def park(self, park_id: str) -> dict[str, Any]:
        if park_id not in self.parks.index:
            raise NotFound(
                f"park {park_id!r} not found: expected one of the {len(self.parks)} park ids "
                "listed at /api/v1/parks"
            )
        return _records(self.parks.loc[[park_id]])[0]

    def search_enterprises(
        self,
        *,
        q: str | None = None,
        city: str | None = None,
        park: str | None = None,
        layer: str | None = None,
        segment: str | None = None,
        include_synthetic: bool = True,
        page: int = 1,
        size: int = 50,
    ) -> tuple[list[dict[str, Any]], int]:
        """Filter enterprises (all filters combine); return one page of rows and the total count."""
        if layer is not None and layer not in LAYERS:
            raise BadRequest(f"layer must be one of {', '.join(LAYERS)}; got {layer!r}")
        frame = self.enterprises
        mask = pd.Series(True, index=frame.index)
        if q:
            mask &= frame["_search"].str.contains(q.lower(), regex=False)
        if city:
            mask &= frame["city_code"] == city
        if park:
            mask &= frame["park_id"] == park
        if layer:
            mask &= frame["layer"] == layer
        if segment:
            mask &= frame["segment"] == segment
        if not include_synthetic:
            mask &= ~frame["is_synthetic"].fillna(False).astype(bool)
        hits = frame[mask.fillna(False).astype(bool)]
        total = len(hits)
        start = (page - 1) * size
        return _records(hits.iloc[start : start + size].drop(columns=["_search"])), total

    def observations_of(self, unit_type: str, unit_key: str) -> list[dict[str, Any]]:
        obs = self.tables.observations
        rows = obs[(obs["unit_type"] == unit_type) & (obs["unit_key"] == unit_key)]
        names = self.tables.indicators.set_index("code")
        out = _records(rows.drop(columns=[c for c in ("valid_from", "valid_to") if c in rows]))
        for row in out:
            code = row.get("indicator")
            if code in names.index:
                row["indicator_zh"] = names.at[code, "name_zh"]
                row["indicator_en"] = names.at[code, "name_en"]
        return out

    def source(self, source_id: Any) -> dict[str, Any] | None:
        if source_id is None or source_id not in self.sources.index:
            return None
        return _records(self.sources.loc[[source_id]])[0]

    def warm_up(self) -> None:
        """Everything a request could otherwise wait for: method combinations, figures, the gaps table."""
        if self.store is not None:
            # the inventory workflow behind the industry maps imports scikit-learn (seconds): pay it now, not
            # on the first city page (a background import deadlocks with the figures' own imports)
            importlib.import_module("aicity.workflows.inventory")
        if self.live is not None:
            self.live.warm_up()
            for lang in ("zh", "en"):
                self.map_json(lang)
                self.ranking_bar_json(lang)
        self.data_gaps()

    def run_evidence(self) -> Any:
        """The stored run's evidence (aicity.profiles.evidence.RunEvidence), computed once."""
        if getattr(self, "_evidence", None) is None:
            from aicity.profiles.evidence import run_evidence

            assert self.live is not None
            self._evidence = run_evidence(self.live.run)
        return self._evidence

    def run_caption(self) -> dict[str, Any] | None:
        """The stored run a ranking comes from: id, date, reference year and the years of its real data."""
        if self.live is None:
            return None
        meta = self.live.meta
        cells = self.run_evidence().cells
        years = cells.loc[cells["status"].isin(["real", "stale"]), "year"].dropna()
        return {
            "run_id": self.live.run_id,
            "date": str(meta.get("created_at") or "")[:10],
            "reference_year": meta.get("reference_year"),
            "years": f"{int(years.min())}–{int(years.max())}" if len(years) else "–",
        }

    def coverage_table(self, lang: str) -> dict[str, Any] | None:
        """Indicators x cities of evidence statuses (the report's coverage table), with its legend."""
        if self.live is None:
            return None
        from aicity.profiles.evidence import STATUS_NAMES, STATUS_NOTES, STATUSES

        ev = self.run_evidence()
        matrix = ev.matrix()
        ranked = [u for u in self.live.units if u in matrix.columns]
        order = ranked + [u for u in matrix.columns if u not in ranked]
        registry = self.tables.indicators
        names = {
            str(r.code): (str(r.name_zh or r.code), str(r.name_en or r.code))
            for r in registry.itertuples(index=False)
        }
        names.update(self.live.names)
        i = 0 if lang == "zh" else 1
        counts = ev.cells["status"].value_counts()
        return {
            "columns": [{"code": u, "name": self.city_name(u, lang)} for u in order],
            "rows": [
                {
                    "code": code,
                    "name": names.get(code, (code, code))[i],
                    "left_out": code in ev.indicators_left_out,
                    "cells": [
                        str(matrix.at[code, u]) if pd.notna(matrix.at[code, u]) else "missing"
                        for u in order
                    ],
                }
                for code in matrix.index
            ],
            "legend": [
                {
                    "status": st,
                    "name": STATUS_NAMES[st][i],
                    "note": STATUS_NOTES[st][i],
                    "n": int(counts.get(st, 0)),
                }
                for st in STATUSES
            ],
        }

    def rank_drivers(self, code: str) -> list[dict[str, Any]]:
        """The real facts that move the city's rank most (workflows.profile.rank_drivers), cached."""
        live = self.live
        if live is None or code not in live.units:
            return []
        cache = self.__dict__.setdefault("_drivers", {})
        if code not in cache:
            from dataclasses import asdict

            from aicity.workflows.profile import rank_drivers

            cache[code] = [{**asdict(d), "shift": d.shift} for d in rank_drivers(live.run, code)]
        return cache[code]

    def data_gaps(self) -> list[dict[str, Any]]:
        """Per indicator: how many cities have a current value, which are missing, how many unverified."""
        if self._gaps is None:
            self._gaps = self._data_gaps()
        return self._gaps

    def _data_gaps(self) -> list[dict[str, Any]]:
        obs = self.tables.observations
        city_obs = obs[obs["unit_type"] == "city"]
        all_cities = list(self.tables.cities["code"])
        gaps = []
        for row in self.tables.indicators.itertuples():
            have = city_obs[city_obs["indicator"] == row.code]
            present = set(have.loc[have["value"].notna(), "unit_key"])
            missing = [c for c in all_cities if c not in present]
            gaps.append(
                {
                    "indicator": row.code,
                    "name_zh": row.name_zh,
                    "name_en": row.name_en,
                    "covered": len(present),
                    "cities": len(all_cities),
                    "missing": missing,
                    "unverified": int((~have["verified"].fillna(True).astype(bool)).sum()),
                    "estimates": int((have["kind"] != "actual").sum()),
                }
            )
        return gaps

    def table_frame(self, name: str) -> pd.DataFrame:
        """A named table for CSV download (the same rows the pages show)."""
        frames = {
            "cities": self.tables.cities,
            "parks": self.tables.parks,
            "enterprises": self.tables.enterprises,
            "sources": self.tables.sources,
            "indicators": self.tables.indicators,
            "observations": self.tables.observations,
        }
        if self.live is not None:
            frames.update(self.live.tables())
        if name not in frames:
            raise NotFound(f"table {name!r} not found: expected one of {', '.join(sorted(frames))}")
        return frames[name]

    def table_names(self) -> list[str]:
        names = ["cities", "parks", "enterprises", "sources", "indicators", "observations"]
        if self.live is not None:
            names += list(self.live.tables())
        return names

    # ----- evaluation ----------------------------------------------------------------------------
    def run_list(self) -> list[dict[str, Any]]:
        return _records(self.runs)

    def yearly(self) -> dict[str, Any] | None:
        """The latest city run against the latest city run of an earlier reference year of the same
        framework (``aicity runs compare``): rank and score change with both runs' intervals. None with
        fewer than two years."""
        if self.store is None or self.live is None or self.runs.empty:
            return None
        if "_yearly" not in self.__dict__:
            runs = self.runs
            runs = runs[
                (runs["unit_type"] == "city")
                & runs["framework_name"].eq(self.live.meta.get("framework_name"))
            ]
            year = self.live.meta.get("reference_year")
            earlier = runs[runs["reference_year"] < year]
            found = None
            if len(earlier):
                from aicity.workflows.series import compare_series

                earlier_id = str(earlier.sort_values("created_at").iloc[-1]["run_id"])
                with self._industry_lock:
                    found = compare_series(self.store, earlier_id, self.live.run_id)
            self.__dict__["_yearly"] = found
        found = self.__dict__["_yearly"]
        if found is None:
            return None
        return {
            "from": found.run_a,
            "to": found.run_b,
            "rows": _records(found.table),
        }

    def framework_info(self) -> dict[str, Any]:
        live = self.live
        if live is None:
            return {
                "run_id": None,
                "nodes": [],
                "dimensions": [],
                "methods": None,
                "choices": {"normalisation": [], "weighting": [], "aggregation": []},
            }
        from aicity.web.live import AGGREGATIONS, NORMALISATIONS, WEIGHTINGS

        nodes = live.run.nodes
        baseline = live.scheme(live.default_methods)
        return {
            "run_id": live.run_id,
            "root": live.root,
            "dimensions": [
                {
                    "code": code,
                    "name_zh": live.names[code][0],
                    "name_en": live.names[code][1],
                    "weight": float(w),
                }
                for code, w in zip(live.dimensions, baseline.slider_weights / 100, strict=True)
            ],
            "nodes": _records(nodes) if nodes is not None else [],
            "methods": {
                "normalisation": live.default_methods.normalisation,
                "weighting": live.default_methods.weighting,
                "aggregation": live.default_methods.aggregation,
            },
            "choices": {
                "normalisation": list(NORMALISATIONS),
                "weighting": list(WEIGHTINGS),
                "aggregation": list(AGGREGATIONS),
            },
            "recipe_yaml": live.meta.get("recipe_yaml"),
        }

    def ranking_rows(
        self, methods: Any, weights: dict[str, float] | None
    ) -> tuple[list[dict], dict[str, float]]:
        """Ranking rows (best first) with names, the baseline rank, the change and the stored interval.
        Plain Python over the arrays of ``LiveRanking.rank_arrays``: this runs on every request."""
        live = self.live
        assert live is not None
        order, scores, ranks, shares = live.rank_arrays(methods, weights)
        static = self._unit_rows()
        rows = []
        for i in order:
            score, rank = float(scores[i]), float(ranks[i])
            row = static[i].copy()
            rank_i = None if rank != rank else int(rank)
            base_rank = row["baseline_rank"]
            row["rank"] = rank_i
            row["score"] = None if score != score else round(score, 4)
            row["rank_change"] = (
                base_rank - rank_i if base_rank is not None and rank_i is not None else None
            )
            rows.append(row)
        return rows, dict(zip(live.dimensions, shares.tolist(), strict=True))

    def _unit_rows(self) -> list[dict[str, Any]]:
        """The parts of a ranking row that do not change with the weights, per unit, built once."""
        if self._static_rows is None:
            live = self.live
            assert live is not None
            rows = []
            for unit in live.units:
                names = self.city_names.get(unit) or live.unit_names.get(unit) or (unit, unit)
                low, high = live.intervals.get(unit, (None, None))
                real, total = self.run_evidence().unit_coverage(unit)
                rows.append(
                    {
                        "rank": None,
                        "unit_key": unit,
                        "real_cells": real,
                        "total_cells": total,
                        "name_zh": names[0],
                        "name_en": names[1],
                        "score": None,
                        "baseline_rank": live.baseline_ranks.get(unit),
                        "rank_change": None,
                        "rank_low": low,
                        "rank_high": high,
                    }
                )
            self._static_rows = rows
        return self._static_rows

    def ranking_payload(self, methods: Any, weights: dict[str, float] | None) -> dict[str, Any]:
        assert self.live is not None
        rows, used = self.ranking_rows(methods, weights)
        return {
            "ok": True,
            "run_id": self.live.run_id,
            "normalisation": methods.normalisation,
            "weighting": methods.weighting,
            "aggregation": methods.aggregation,
            "weights": {k: round(v, 6) for k, v in used.items()},
            "data": rows,
        }

    def evidence(self, code: str) -> dict[str, Any] | None:
        """Whether the unit is ranked and its real cells: overall and per dimension (evidence rules)."""
        live = self.live
        if live is None:
            return None
        units = live.run.units
        if units is None or code not in set(units["unit_key"]):
            return None
        row = units[units["unit_key"] == code].iloc[0]
        coverage = live.run.coverage
        by_dimension = {}
        if coverage is not None and len(coverage):
            mine = coverage[coverage["unit_key"] == code]
            by_dimension = {
                str(r.code): {
                    "real": int(r.real),
                    "total": int(r.total),
                    "scored": bool(r.included),
                }
                for r in mine.itertuples(index=False)
            }
        real, total = row.get("real_cells"), row.get("total_cells")
        return {
            "ranked": bool(row.get("ranked", True)),
            "coverage": {
                "real": None if pd.isna(real) else int(real),
                "total": None if pd.isna(total) else int(total),
                "by_dimension": by_dimension,
            },
        }

    def city_evaluation(self, code: str) -> dict[str, Any] | None:
        """The city's index and dimension scores and ranks in the stored run, with its flags."""
        live = self.live
        evidence = self.evidence(code)
        if live is not None and evidence is not None and code not in live.units:
            # below the coverage floor: shown as insufficient data, never ranked
            return {
                "run_id": live.run_id,
                "ranked": False,
                "score": None,
                "rank": None,
                "n_units": len(live.units),
                "coverage": evidence["coverage"],
                "strengths": [],
                "weaknesses": [],
                "verdict_zh": "数据不足，未参与排名",
                "verdict_en": "Insufficient data: not ranked",
                "claims": [
                    {
                        "kind": "rank",
                        "text_zh": "数据不足，未参与排名",
                        "text_en": "Insufficient data: not ranked",
                        "basis_n": evidence["coverage"]["real"],
                        "basis_kind": "cells",
                        "synthetic": False,
                    }
                ],
                "cells": _records(live.cells_of(code)),
            }
        if live is None or code not in live.units:
            return None
        result = live.baseline_result
        scores, ranks = result.scores, result.ranks
        dims = []
        for dim in live.dimensions:
            dims.append(
                {
                    "code": dim,
                    "name_zh": live.names[dim][0],
                    "name_en": live.names[dim][1],
                    "score": _num(scores.at[code, dim]),
                    "rank": _int(ranks.at[code, dim]),
                    "median": _num(scores[dim].median()),
                }
            )
        low, high = live.intervals.get(code, (None, None))
        profile = self.profiles.get(code)
        return {
            "run_id": live.run_id,
            "score": _num(scores.at[code, live.root]),
            "rank": _int(ranks.at[code, live.root]),
            "n_units": len(live.units),
            "rank_low": low,
            "rank_high": high,
            "dimensions": dims,
            "verdict_zh": profile.verdict_zh if profile else None,
            "verdict_en": profile.verdict_en if profile else None,
            "strengths": [_finding(p) for p in profile.strengths] if profile else [],
            "weaknesses": [_finding(p) for p in profile.weaknesses] if profile else [],
            # each verdict clause with what it rests on (basis_n facts of basis_kind)
            "claims": [asdict(c) for c in profile.claims] if profile else [],
            "drivers": self.rank_drivers(code),
            "ranked": True,
            "coverage": (evidence or {}).get("coverage"),
            "observed_share": round(profile.coverage, 4) if profile else None,
            "cells": _records(live.cells_of(code)),
        }

    def compare(self, codes: list[str]) -> list[dict[str, Any]]:
        out = []
        for code in codes:
            detail = self.city(code)
            detail["evaluation"] = self.city_evaluation(code)
            detail["n_parks"] = int((self.tables.parks["city_code"] == code).sum())
            detail["n_enterprises"] = int((self.tables.enterprises["city_code"] == code).sum())
            if detail["evaluation"] is not None:
                detail["evaluation"].pop("cells", None)
            out.append(detail)
        return out

    # ----- figures (aicity.viz), serialised once per language --------------------------------------
    def map_order(self) -> list[str]:
        """City codes in the order of the map's bubbles (cities with coordinates)."""
        if self._map_order is None:
            cities = self.tables.cities
            located = cities[cities["longitude"].notna() & cities["latitude"].notna()]
            units = set(self.live.units) if self.live is not None else set()
            self._map_order = [c for c in located["code"] if c in units]
        return self._map_order

    def map_json(self, lang: str) -> str:
        key = ("map", lang)
        if key not in self._figures:
            from aicity.viz.china_map import plotly_china_map

            live = self.live
            assert live is not None
            scores = live.scheme(live.default_methods).index_scores
            by_unit = dict(zip(live.units, scores, strict=True))
            order = self.map_order()
            cities = self.cities.loc[order]
            points = pd.DataFrame(
                {
                    "label": [self.city_name(c, lang) for c in order],
                    "value": [by_unit[c] for c in order],
                    "longitude": cities["longitude"].to_numpy(float),
                    "latitude": cities["latitude"].to_numpy(float),
                }
            )
            fig = plotly_china_map(points, lang=lang)
            fig.update_layout(height=520)
            self._figures[key] = _figure_json(fig)
        return self._figures[key]

    @staticmethod
    def map_update(scores: list[float | None]) -> dict[str, list[float | None]]:
        """New colours and bubble sizes for the map's city trace (sized as ``plotly_china_map`` does)."""
        from aicity.viz.china_map import bubble_sizes

        values = pd.Series(scores, dtype=float)
        sizes = np.sqrt(bubble_sizes(values)) * 1.3
        return {"color": [_num(v) for v in values], "size": [_num(v) for v in sizes]}

    def ranking_bar_json(self, lang: str) -> str:
        key = ("bar", lang)
        if key not in self._figures:
            from aicity.viz.charts import plotly_ranking_bar

            live = self.live
            assert live is not None
            rows, _ = self.ranking_rows(live.default_methods, None)
            frame = pd.DataFrame(
                {
                    "label": [r["name_zh" if lang == "zh" else "name_en"] for r in rows],
                    "score": [r["score"] for r in rows],
                }
            ).dropna()
            fig = plotly_ranking_bar(frame)
            self._figures[key] = _figure_json(fig)
        return self._figures[key]

    def radar_json(self, code: str, lang: str) -> str | None:
        evaluation = self.city_evaluation(code)
        if evaluation is None:
            return None
        from aicity.viz.charts import plotly_radar

        dims = evaluation["dimensions"]
        name = "name_zh" if lang == "zh" else "name_en"
        fig = plotly_radar(
            [d[name] for d in dims],
            [d["score"] or 0.0 for d in dims],
            reference=[d["median"] or 0.0 for d in dims],
            series_label=self.city_name(code, lang),
            reference_label="中位数" if lang == "zh" else "Median",
        )
        return _figure_json(fig)

    def compare_radar_json(self, codes: list[str], lang: str) -> str | None:
        live = self.live
        if live is None:
            return None
        import plotly.graph_objects as go

        scores = live.baseline_result.scores
        name = 0 if lang == "zh" else 1
        theta = [live.names[d][name] for d in live.dimensions]
        fig = go.Figure()
        for code in codes:
            if code not in scores.index:
                continue
            values = [float(scores.at[code, d]) for d in live.dimensions]
            fig.add_trace(
                go.Scatterpolar(
                    r=[*values, values[0]],
                    theta=[*theta, theta[0]],
                    name=self.city_name(code, lang),
                    fill="toself",
                    opacity=0.55,
                )
            )
        fig.update_layout(
            polar={"radialaxis": {"range": [0, 100]}},
            height=420,
            margin={"l": 40, "r": 40, "t": 30, "b": 30},
        )
        return _figure_json(fig)

    # ----- industry map and sources ----------------------------------------------------------------
    def industry_map_data(self, city: str, park: str | None, lang: str) -> Any:
        """The inventory's industry map of a city or park (``aicity.workflows.inventory``), cached; None when
        the store has no inventory run (the page then draws the firms it has, by layer and segment)."""
        key = (city, park, lang)
        with self._industry_lock:
            if key in self._industry:
                return self._industry[key]
            data = None
            if self.store is not None and self._has_inventory():
                from aicity.workflows.inventory import industry_map_data

                try:
                    data = industry_map_data(self.store, city, park=park, lang=lang)
                except AicityError as exc:
                    log.info("no inventory industry map for %s: %s", key, exc)
            self._industry[key] = data
            return data

    def _has_inventory(self) -> bool:
        """Whether the store holds an inventory run (asked once; the store never changes while served)."""
        if "_inventory" not in self.__dict__:
            from aicity.workflows.info import inventory_runs

            runs = inventory_runs(self.store)
            self.__dict__["_inventory"] = bool(len(runs) and (runs["kind"] == "inventory").any())
        return self.__dict__["_inventory"]

    def projects(self, code: str) -> dict[str, Any]:
        """A city's projects and their summary (``aicity.workflows.projects``), read once for every
        city on first use; empty without projects or without a store."""
        with self._industry_lock:
            if "_projects" not in self.__dict__:
                found: dict[str, dict[str, Any]] = {}
                if self.store is not None:
                    from aicity.workflows.projects import projects_by_city

                    try:
                        found = projects_by_city(self.store)
                    except AicityError as exc:
                        log.info("no projects: %s", exc)
                self.__dict__["_projects"] = found
        empty = {"items": [], "summary": [], "note_zh": "", "note_en": ""}
        return self.__dict__["_projects"].get(code, empty)

    def industry_map(self, enterprises: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Layers -> segments -> firms, in taxonomy order; firms without a segment go under "other"."""
        segments = self.tables.segments
        layers = []
        for layer in LAYERS:
            firms = [e for e in enterprises if e.get("layer") == layer]
            if not firms:
                continue
            cells = []
            known = list(segments.loc[segments["layer"] == layer, "code"])
            for code in [*known, None]:
                members = [
                    e
                    for e in firms
                    if (e.get("segment") if e.get("segment") in known else None) == code
                ]
                if members:
                    cells.append({"segment": code, "firms": members})
            layers.append({"layer": layer, "segments": cells, "count": len(firms)})
        return layers

    def sources_of(
        self, observations: list[dict[str, Any]], evaluation: dict[str, Any] | None
    ) -> list[dict[str, Any]]:
        """Every source behind a city's numbers, with how many of its numbers each one backs."""
        counts: dict[Any, int] = {}
        for row in observations:
            counts[row.get("source_id")] = counts.get(row.get("source_id"), 0) + 1
        for row in (evaluation or {}).get("cells", []):
            if row.get("source_id") is not None and row.get("source_id") not in counts:
                counts[row.get("source_id")] = 1
        out = []
        for source_id, n in counts.items():
            source = self.source(source_id)
            if source is not None:
                out.append({**source, "n_numbers": n})
        return sorted(out, key=lambda s: (-s["n_numbers"], str(s.get("url"))))


def _finding(position: Any) -> dict[str, Any]:
    """A strength or weakness with its cell's flags, in both languages."""
    from aicity.profiles.evidence import flag_label

    return {
        **_plain(asdict(position)),
        "flags_zh": flag_label(position.flags, "zh"),
        "flags_en": flag_label(position.flags, "en"),
    }


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """A dataclass row with JSON-safe values."""
    return _records(pd.DataFrame([row]))[0]


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else round(number, 4)


def _int(value: Any) -> int | None:
    number = _num(value)
    return None if number is None else int(number)


def _figure_json(fig: Any) -> str:
    return script_json(fig.to_json())


def script_json(text: str) -> str:
    """JSON safe inside <script type="application/json">: no "<" can close the block or open a comment."""
    return text.replace("<", "\\u003c")
