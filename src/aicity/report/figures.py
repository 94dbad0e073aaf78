"""Every figure of the report, built once from a ReportData: static (SVG/PNG) for PDF, Plotly for HTML."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

import pandas as pd
from markupsafe import Markup, escape

from aicity.report.i18n import text
from aicity.report.model import ReportData


@dataclass
class Figures:
    static: dict[str, str] = field(
        default_factory=dict
    )  # name -> inline <svg> or data: URI of a PNG
    interactive: dict[str, str] = field(
        default_factory=dict
    )  # name -> Plotly <div> (no script tag)
    data: dict[str, pd.DataFrame] = field(default_factory=dict)  # name -> the numbers drawn


def _png_uri(png: bytes) -> Markup:
    """A PNG as a data URI, marked as the report's own markup: the print gate cuts long *data* texts
    (a 1 MB business scope), never a figure."""
    return Markup("data:image/png;base64," + base64.b64encode(png).decode("ascii"))


def _map_points(report: ReportData, lang: str) -> pd.DataFrame:
    ranking = report.ranking()
    units = report.run.units.set_index("unit_key")
    points = pd.DataFrame(
        {
            "label": [report.unit_name(k, lang) for k in ranking["unit_key"]],
            "longitude": [
                units.at[k, "longitude"] if k in units.index else None for k in ranking["unit_key"]
            ],
            "latitude": [
                units.at[k, "latitude"] if k in units.index else None for k in ranking["unit_key"]
            ],
            "value": ranking["score"].to_numpy(),
        }
    )
    return points.dropna(subset=["longitude", "latitude", "value"])


def _bar_frame(report: ReportData, lang: str, score_col: str = "score") -> pd.DataFrame:
    ranking = report.ranking()
    frame = pd.DataFrame(
        {
            "label": [report.unit_name(k, lang) for k in ranking["unit_key"]],
            "score": ranking[score_col],
        }
    )
    if score_col == "score" and {"score_q05", "score_q95"} <= set(ranking.columns):
        frame["lower"] = ranking["score_q05"].to_numpy()
        frame["upper"] = ranking["score_q95"].to_numpy()
    return frame.dropna(subset=["score"])


def build_figures(
    report: ReportData, lang: str, static: bool = True, interactive: bool = True
) -> Figures:
    """All report figures in one language; ``static`` for the PDF, ``interactive`` for the HTML."""
    words = text(lang)
    figures = Figures()
    points = _map_points(report, lang)
    bars = {"overall": _bar_frame(report, lang)}
    for dim in report.dimensions.itertuples(index=False):
        bars[dim.code] = _bar_frame(report, lang, f"{dim.code}_score")
    figures.data["map"] = points
    figures.data.update({f"bar_{k}": v for k, v in bars.items()})
    titles = {"overall": words["bar_title"]}
    titles.update({d.code: report.node_name(d.code, lang) for d in report.dimensions.itertuples()})
    if static:
        _static_map_and_bars(figures, points, bars, titles, words, lang)
    if interactive:
        _interactive_map_and_bars(figures, points, bars, titles, words, lang)
    _rank_intervals(figures, report, lang, words, static, interactive)
    _radars(figures, report, lang, words)
    return figures


def _static_map_and_bars(figures: Figures, points, bars, titles, words, lang: str) -> None:  # type: ignore[no-untyped-def]
    from aicity.viz.charts import figure_to_png, plot_ranking_bar
    from aicity.viz.china_map import plot_china_map

    figures.static["map"] = _png_uri(
        figure_to_png(plot_china_map(points, title=words["map_title"], lang=lang), dpi=170)
    )
    for name, frame in bars.items():
        # bars as PNG in the PDF: 21 labelled bars as SVG paths cost WeasyPrint 1-2 s to paint
        uri = _png_uri(
            figure_to_png(
                plot_ranking_bar(frame, title=titles[name], xlabel=words["score_axis"]), dpi=150
            )
        )
        figures.static[f"bar_{name}"] = (
            f'<img class="chart" src="{uri}" alt="{escape(titles[name])}">'
        )


def _interactive_map_and_bars(figures: Figures, points, bars, titles, words, lang: str) -> None:  # type: ignore[no-untyped-def]
    from aicity.viz.charts import plotly_ranking_bar
    from aicity.viz.china_map import plotly_china_map

    for name, frame in bars.items():
        figures.interactive[f"bar_{name}"] = plotly_ranking_bar(
            frame, title=titles[name], xlabel=words["score_axis"]
        ).to_html(full_html=False, include_plotlyjs=False, div_id=f"bar-{name}")
    figures.interactive["map"] = plotly_china_map(
        points, title=words["map_title"], lang=lang
    ).to_html(full_html=False, include_plotlyjs=False, div_id="china-map")


def _rank_intervals(  # type: ignore[no-untyped-def]
    figures: Figures, report: ReportData, lang: str, words, static: bool, interactive: bool
) -> None:
    """The 90 % rank intervals, when the run has an uncertainty analysis."""
    ranking = report.ranking()
    if not (
        {"rank_q05", "rank_q95", "rank_median"} <= set(ranking.columns)
        and ranking["rank_q05"].notna().any()
    ):
        return
    from aicity.viz.charts import figure_to_svg
    from aicity.viz.rank_intervals import plot_rank_intervals, plot_rank_intervals_plotly

    stats = pd.DataFrame(
        {
            "uCode": ranking["unit_key"],
            "nominal": ranking["rank"],
            "median": ranking["rank_median"],
            "q05": ranking["rank_q05"],
            "q95": ranking["rank_q95"],
        }
    ).dropna()
    labels = {k: report.unit_name(k, lang) for k in stats["uCode"]}
    figures.data["rank_intervals"] = stats
    if static:
        figures.static["rank_intervals"] = figure_to_svg(
            plot_rank_intervals(
                stats, labels=labels, title=words["interval"], xlabel=words["rank_axis"]
            )
        )
    if interactive:
        figures.interactive["rank_intervals"] = plot_rank_intervals_plotly(
            stats, labels=labels, title=words["interval"], xlabel=words["rank_axis"]
        ).to_html(full_html=False, include_plotlyjs=False, div_id="rank-intervals")


def _radars(figures: Figures, report: ReportData, lang: str, words) -> None:  # type: ignore[no-untyped-def]
    """Radars are small static SVGs in both formats: 20 interactive radars would only add weight."""
    from aicity.viz.charts import radar_svg

    axis_labels = [report.node_name(c, lang) for c in report.dimensions["code"]]
    for key, profile in report.profiles.items():
        if profile.rank is None:  # not ranked: no scores to draw
            continue
        figures.static[f"radar_{key}"] = radar_svg(
            axis_labels,
            [d.score for d in profile.dimensions],
            reference=[d.median for d in profile.dimensions],
            series_label=profile.name(lang),
            reference_label=words["radar_ref"],
        )
