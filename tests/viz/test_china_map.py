import numpy as np
import pandas as pd
import pytest

from aicity.errors import InputError
from aicity.viz.china_map import (
    bubble_sizes,
    load_china_geometry,
    plot_china_map,
    plotly_china_map,
)

POINTS = pd.DataFrame(
    {
        "label": ["北京", "深圳", "成都"],
        "longitude": [116.4, 114.06, 104.07],
        "latitude": [39.9, 22.54, 30.57],
        "value": [90.0, 70.0, 40.0],
    }
)


def test_geometry_has_provinces_and_the_south_china_sea_line():
    geo = load_china_geometry()
    names = {name for name, _ in geo.rings}
    assert {"北京市", "海南省", "台湾省"} <= names
    # one of the boundary lines reaches south of 5°N: the South China Sea line
    assert min(float(line[:, 1].min()) for line in geo.boundary_lines) < 5.0


def test_bubble_sizes_grow_with_value():
    sizes = bubble_sizes(pd.Series([10.0, 50.0, np.nan, 90.0]))
    assert sizes[0] < sizes[1] < sizes[3]
    assert sizes[2] == sizes.min()


def test_static_map_has_inset_label_and_bubbles():
    import matplotlib.pyplot as plt

    fig = plot_china_map(POINTS, title="综合得分", lang="zh")
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "示意图" in texts
    assert "南海诸岛" in texts
    assert any(t.startswith("北京 90.0") for t in texts)
    main = fig.axes[0]
    offsets = main.collections[-1].get_offsets()
    assert len(offsets) == 3
    # an inset axes for the South China Sea, limited to its latitudes
    assert any(ax.get_ylim()[0] < 5 for ax in fig.axes[1:])
    plt.close(fig)


def test_interactive_map_has_no_geo_traces():
    fig = plotly_china_map(POINTS, title="t")
    assert all(trace.type == "scatter" for trace in fig.data)
    html = fig.to_html(include_plotlyjs=False)
    assert "cdn.plot.ly" not in html and "topojson" not in html.lower()
    bubbles = fig.data[-1]
    assert list(bubbles.text) == ["北京", "深圳", "成都"]


def test_missing_columns_are_named():
    with pytest.raises(InputError, match="missing \\['value'\\]"):
        plot_china_map(POINTS.drop(columns=["value"]))


def test_labels_of_close_cities_do_not_overlap():
    import matplotlib.pyplot as plt

    # the Yangtze delta: five cities within two degrees of each other
    delta = pd.DataFrame(
        {
            "label": ["上海", "苏州", "杭州", "南京", "合肥"],
            "longitude": [121.47, 120.58, 120.15, 118.80, 117.23],
            "latitude": [31.23, 31.30, 30.27, 32.06, 31.82],
            "value": [69.4, 31.8, 61.8, 39.2, 33.6],
        }
    )
    fig = plot_china_map(delta)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    from matplotlib.text import Text

    # the text's own box (an annotation's extent also covers its leader line)
    boxes = [
        Text.get_window_extent(t, renderer)
        for t in fig.axes[0].texts
        if t.get_text()[:2] in set(delta["label"])
    ]
    assert len(boxes) == 5
    overlaps = [(i, j) for i in range(5) for j in range(i + 1, 5) if boxes[i].overlaps(boxes[j])]
    assert overlaps == []
    plt.close(fig)
