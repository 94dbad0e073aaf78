"""The rank-interval chart (aicity.viz.rank_intervals): the data drawn, static and interactive figures."""

from __future__ import annotations

import pandas as pd
import pytest

from aicity.errors import InputError
from aicity.viz.rank_intervals import (
    plot_rank_intervals,
    plot_rank_intervals_plotly,
    rank_interval_data,
)

STATS = pd.DataFrame(
    {
        "uCode": ["BJ", "SH", "SZ", "HZ"],
        "nominal": [2.0, 1.0, 4.0, 3.0],
        "mean": [2.2, 1.4, 3.6, 2.8],
        "median": [2.0, 1.0, 4.0, 3.0],
        "q05": [1.0, 1.0, 2.0, 2.0],
        "q95": [3.0, 2.0, 4.0, 4.0],
    }
)


def test_rows_are_sorted_by_nominal_rank_with_labels() -> None:
    data = rank_interval_data(STATS, labels={"BJ": "北京", "SH": "上海"}, top=3)
    assert data["uCode"].tolist() == ["SH", "BJ", "HZ"]
    assert data["label"].tolist() == ["上海", "北京", "HZ"]
    assert data["width"].tolist() == [1.0, 2.0, 2.0]


def test_missing_columns_are_reported() -> None:
    with pytest.raises(InputError, match=r"missing \['q95'\]"):
        rank_interval_data(STATS.drop(columns="q95"))


def test_static_figure_draws_one_bar_and_dot_per_unit() -> None:
    fig = plot_rank_intervals(STATS, title="rank intervals")
    ax = fig.axes[0]
    bars = ax.collections[0]
    assert len(bars.get_segments()) == 4
    medians = ax.collections[1].get_offsets()
    assert medians[:, 0].tolist() == [1.0, 2.0, 3.0, 4.0]  # SH, BJ, HZ, SZ
    assert [t.get_text() for t in ax.get_yticklabels()] == ["SH", "BJ", "HZ", "SZ"]


def test_plotly_figure_carries_the_intervals() -> None:
    fig = plot_rank_intervals_plotly(STATS)
    median = fig.data[0]
    assert list(median.y) == ["SH", "BJ", "HZ", "SZ"]
    assert list(median.error_x.array) == [1.0, 1.0, 1.0, 0.0]
    assert list(median.error_x.arrayminus) == [0.0, 1.0, 1.0, 2.0]
    assert list(fig.data[1].x) == [1.0, 2.0, 3.0, 4.0]
