import pandas as pd
import pytest

from aicity.errors import InputError
from aicity.viz.charts import (
    figure_to_png,
    figure_to_svg,
    plot_radar,
    plot_ranking_bar,
    plotly_radar,
    plotly_ranking_bar,
    radar_svg,
)

RANKING = pd.DataFrame(
    {
        "label": ["北京", "上海", "杭州"],
        "score": [88.0, 70.0, 60.0],
        "lower": [80, 60, 50],
        "upper": [95, 80, 70],
    }
)


def test_ranking_bar_is_sorted_best_on_top_with_labels():
    fig = plot_ranking_bar(RANKING, title="综合排名")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["杭州", "上海", "北京"]  # bottom to top
    widths = [p.get_width() for p in ax.patches]
    assert widths == [60.0, 70.0, 88.0]
    svg = figure_to_svg(fig)
    assert svg.startswith("<svg")


def test_plotly_bar_has_interval_error_bars():
    fig = plotly_ranking_bar(RANKING)
    bar = fig.data[0]
    assert list(bar.y) == ["杭州", "上海", "北京"]
    assert list(bar.error_x.array) == [10, 10, 7]


def test_matplotlib_radar_and_plotly_twin():
    fig = plot_radar(["A", "B", "C"], [10, 20, 30], reference=[5, 5, 5], series_label="x")
    assert figure_to_png(fig)[:4] == b"\x89PNG"
    twin = plotly_radar(["A", "B", "C"], [10, 20, 30], reference=[5, 5, 5])
    assert list(twin.data[-1].r) == [10, 20, 30, 10]


def test_svg_radar_shows_values_and_escapes_labels():
    svg = radar_svg(
        ["技术<创新>", "产业", "区域"],
        [80.0, 40.0, 60.0],
        reference=[50, 50, 50],
        series_label="北京",
    )
    assert "技术&lt;创新&gt;" in svg
    assert ">80.0<" in svg and ">40.0<" in svg
    assert svg.count("<polygon") == 4 + 2  # four rings, the reference and the series


def test_radar_needs_three_axes():
    with pytest.raises(InputError):
        radar_svg(["a", "b"], [1, 2])
    with pytest.raises(InputError):
        plot_radar(["a", "b"], [1, 2])
