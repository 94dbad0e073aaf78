"""The explorer's figures (``aicity.viz``) as plotly JSON: the China map and the ranking bar (serialised
once per language), a city's radar, the compare page's radar, and the map's colours after a re-weighting.

The third floor of the explorer (``aicity.web.explorer.Explorer``), over the evaluation views.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from aicity.web.evaluation import EvaluationViews
from aicity.web.records import figure_json, number

if TYPE_CHECKING:
    from aicity.store import Store
    from aicity.web.catalogue import Tables
    from aicity.web.live import LiveRanking


class FigureViews(EvaluationViews):
    """The evaluation views plus their figures."""

    def __init__(
        self,
        tables: Tables,
        live: LiveRanking | None = None,
        runs: pd.DataFrame | None = None,
        store: Store | None = None,
    ) -> None:
        super().__init__(tables, live, runs, store)
        self._figures: dict[tuple[str, str], str] = {}
        self._map_order: list[str] | None = None

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
            self._figures[key] = figure_json(fig)
        return self._figures[key]

    @staticmethod
    def map_update(scores: list[float | None]) -> dict[str, list[float | None]]:
        """New colours and bubble sizes for the map's city trace (sized as ``plotly_china_map`` does)."""
        from aicity.viz.china_map import bubble_sizes

        values = pd.Series(scores, dtype=float)
        sizes = np.sqrt(bubble_sizes(values)) * 1.3
        return {"color": [number(v) for v in values], "size": [number(v) for v in sizes]}

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
            self._figures[key] = figure_json(plotly_ranking_bar(frame))
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
        return figure_json(fig)

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
        return figure_json(fig)
