"""The stored evaluation as the pages and the API show it: the ranking rows (re-weighted per request by
``aicity.web.live``), a city's scores, ranks, verdict and evidence, the coverage table, the framework.

The second floor of the explorer (``aicity.web.explorer.Explorer``), over the catalogue.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import pandas as pd

from aicity.web.catalogue import Catalogue, Tables
from aicity.web.i18n import STRINGS
from aicity.web.live import AGGREGATIONS, NORMALISATIONS, WEIGHTINGS, LiveRanking, Methods
from aicity.web.records import number, plain, records, whole

if TYPE_CHECKING:
    from aicity.store import Store

NOT_RANKED_ZH, NOT_RANKED_EN = STRINGS["city.insufficient"]  # the city page says the same


class EvaluationViews(Catalogue):
    """The catalogue plus the newest city run (``live``; None when the store holds no run)."""

    def __init__(
        self,
        tables: Tables,
        live: LiveRanking | None = None,
        runs: pd.DataFrame | None = None,
        store: Store | None = None,
    ) -> None:
        super().__init__(tables, store)
        self.live = live
        self.runs = runs if runs is not None else pd.DataFrame(columns=["run_id"])
        self.profiles = self._build_profiles()
        self._evidence: Any = None
        self._drivers: dict[str, list[dict[str, Any]]] = {}
        self._static_rows: list[dict[str, Any]] | None = None

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

    def download_tables(self) -> dict[str, pd.DataFrame]:
        """The core tables, then the run's (ranking, dimension scores, cells, ...) when there is one."""
        frames = super().download_tables()
        if self.live is not None:
            frames.update(self.live.tables())
        return frames

    def run_list(self) -> list[dict[str, Any]]:
        return records(self.runs)

    # ----- evidence --------------------------------------------------------------------------------
    def run_evidence(self) -> Any:
        """The stored run's evidence (aicity.profiles.evidence.RunEvidence), computed once."""
        if self._evidence is None:
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
        names = {
            str(r.code): (str(r.name_zh or r.code), str(r.name_en or r.code))
            for r in self.tables.indicators.itertuples(index=False)
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
        if code not in self._drivers:
            from aicity.workflows.profile import rank_drivers

            found = rank_drivers(live.run, code)
            self._drivers[code] = [{**asdict(d), "shift": d.shift} for d in found]
        return self._drivers[code]

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

    # ----- a city's place in the run ---------------------------------------------------------------
    def city_evaluation(self, code: str) -> dict[str, Any] | None:
        """The city's index and dimension scores and ranks in the stored run, with its flags."""
        live = self.live
        evidence = self.evidence(code)
        if live is not None and evidence is not None and code not in live.units:
            # below the coverage floor: shown as insufficient data, never ranked
            return self._unranked_evaluation(live, code, evidence["coverage"])
        if live is None or code not in live.units:
            return None
        scores, ranks = live.baseline_result.scores, live.baseline_result.ranks
        dims = [
            {
                "code": dim,
                "name_zh": live.names[dim][0],
                "name_en": live.names[dim][1],
                "score": number(scores.at[code, dim]),
                "rank": whole(ranks.at[code, dim]),
                "median": number(scores[dim].median()),
            }
            for dim in live.dimensions
        ]
        low, high = live.intervals.get(code, (None, None))
        profile = self.profiles.get(code)
        return {
            "run_id": live.run_id,
            "score": number(scores.at[code, live.root]),
            "rank": whole(ranks.at[code, live.root]),
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
            "cells": records(live.cells_of(code)),
        }

    @staticmethod
    def _unranked_evaluation(
        live: LiveRanking, code: str, coverage: dict[str, Any]
    ) -> dict[str, Any]:
        """A city of the run below the coverage floor: its coverage and cells, no score or rank."""
        return {
            "run_id": live.run_id,
            "ranked": False,
            "score": None,
            "rank": None,
            "n_units": len(live.units),
            "coverage": coverage,
            "strengths": [],
            "weaknesses": [],
            "verdict_zh": NOT_RANKED_ZH,
            "verdict_en": NOT_RANKED_EN,
            "claims": [
                {
                    "kind": "rank",
                    "text_zh": NOT_RANKED_ZH,
                    "text_en": NOT_RANKED_EN,
                    "basis_n": coverage["real"],
                    "basis_kind": "cells",
                    "synthetic": False,
                }
            ],
            "cells": records(live.cells_of(code)),
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

    # ----- the framework and the ranking -----------------------------------------------------------
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
            "nodes": records(nodes) if nodes is not None else [],
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
        self, methods: Methods, weights: dict[str, float] | None
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

    def ranking_payload(self, methods: Methods, weights: dict[str, float] | None) -> dict[str, Any]:
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


def _finding(position: Any) -> dict[str, Any]:
    """A strength or weakness with its cell's flags, in both languages."""
    from aicity.profiles.evidence import flag_label

    return {
        **plain(asdict(position)),
        "flags_zh": flag_label(position.flags, "zh"),
        "flags_en": flag_label(position.flags, "en"),
    }
