"""Rank intervals from an uncertainty analysis: median rank and 5-95 % bar per unit, sorted by nominal rank.

Input is the ``rank_stats`` frame of ``aicity.index.uncertainty`` (uCode, nominal, median, q05, q95; mean
optional). ``rank_interval_data`` gives the exact table drawn, so tests and the explorer share it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from aicity.errors import InputError

INTERVAL_COLOUR = "#9aa5b1"
MEDIAN_COLOUR = "#2f6690"
NOMINAL_COLOUR = "#d7263d"
REQUIRED = ("uCode", "nominal", "median", "q05", "q95")


def rank_interval_data(
    rank_stats: pd.DataFrame, *, labels: Mapping[str, str] | None = None, top: int | None = None
) -> pd.DataFrame:
    """The rows to draw: sorted by nominal rank (unranked last), optionally the best ``top`` only.

    Adds ``label`` (from ``labels`` or the uCode) and ``width`` (q95 - q05).
    """
    missing = [c for c in REQUIRED if c not in rank_stats.columns]
    if missing:
        raise InputError(
            f"expected rank statistics with columns {list(REQUIRED)}, missing {missing}"
        )
    data = rank_stats.sort_values(
        ["nominal", "uCode"], na_position="last", kind="stable"
    ).reset_index(drop=True)
    if top is not None:
        data = data.head(top)
    data = data.assign(
        label=[(labels or {}).get(u, u) for u in data["uCode"]],
        width=data["q95"] - data["q05"],
    )
    return data


def plot_rank_intervals(
    rank_stats: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    top: int | None = None,
    title: str = "",
    xlabel: str = "rank (1 = best)",
):
    """Static (matplotlib) chart: one row per unit, best nominal rank at the top; grey bar from the 5th to
    the 95th percentile rank, blue dot at the median, red tick at the nominal rank."""
    from aicity.viz.fonts import setup_matplotlib

    setup_matplotlib()
    import matplotlib.pyplot as plt

    data = rank_interval_data(rank_stats, labels=labels, top=top)
    height = max(2.4, 0.22 * len(data) + 1.0)
    fig, ax = plt.subplots(figsize=(7.2, height), dpi=120)
    y = np.arange(len(data))
    ax.hlines(y, data["q05"], data["q95"], color=INTERVAL_COLOUR, linewidth=3, label="5-95 %")
    ax.scatter(data["median"], y, color=MEDIAN_COLOUR, s=18, zorder=3, label="median")
    ax.scatter(
        data["nominal"], y, color=NOMINAL_COLOUR, marker="|", s=60, zorder=4, label="nominal"
    )
    ax.set_yticks(y, data["label"], fontsize=7.5)
    ax.set_ylim(len(data) - 0.5, -0.5)  # best nominal rank at the top, no empty margin
    n_units = int(np.nanmax(rank_stats[["q95", "nominal"]].to_numpy())) if len(rank_stats) else 1
    ax.set_xlim(0.5, n_units + 0.5)
    ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)
    # legend in one row above the plot, clear of the bars
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=7.5, frameon=False)
    if title:
        ax.set_title(title, fontsize=10, pad=22)
    fig.tight_layout()
    return fig


def plot_rank_intervals_plotly(
    rank_stats: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    top: int | None = None,
    title: str = "",
    xlabel: str = "rank (1 = best)",
):
    """Interactive (Plotly) twin of ``plot_rank_intervals``; hovering shows every statistic."""
    import plotly.graph_objects as go

    data = rank_interval_data(rank_stats, labels=labels, top=top)
    hover = [
        f"{row.label}<br>nominal {row.nominal:g}<br>median {row.median:g}<br>5-95 %: {row.q05:g}-{row.q95:g}"
        for row in data.itertuples()
    ]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=data["median"],
            y=data["label"],
            mode="markers",
            name="median",
            marker={"color": MEDIAN_COLOUR, "size": 7},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": data["q95"] - data["median"],
                "arrayminus": data["median"] - data["q05"],
                "color": INTERVAL_COLOUR,
                "thickness": 3,
                "width": 0,
            },
            hovertext=hover,
            hoverinfo="text",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=data["nominal"],
            y=data["label"],
            mode="markers",
            name="nominal",
            marker={"color": NOMINAL_COLOUR, "symbol": "line-ns-open", "size": 10},
            hoverinfo="skip",
        )
    )
    fig.update_layout(
        title=title or None,
        xaxis={"title": xlabel},
        yaxis={"autorange": "reversed", "type": "category"},
        height=max(300, 18 * len(data) + 120),
        template="simple_white",
        legend={"orientation": "h"},
    )
    return fig
