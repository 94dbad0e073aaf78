"""Ranking bars and dimension radars, static (matplotlib) and interactive (Plotly)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import pandas as pd

from aicity.errors import InputError

BAR_COLOUR = "#2f6690"
HIGHLIGHT_COLOUR = "#d7263d"
REFERENCE_COLOUR = "#9aa5b1"
# The PDF's embedded font first (its @font-face name), then the readers' own CJK fonts for the HTML.
RADAR_FONTS = (
    "ReportCJK, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Noto Sans SC', sans-serif"
)


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"expected {what} columns {list(columns)}, missing {missing}")


def plot_ranking_bar(
    ranking: pd.DataFrame,
    *,
    title: str = "",
    xlabel: str = "",
    highlight: str | None = None,
):
    """Horizontal bars of ``score`` per ``label``, best at the top.

    Optional ``lower``/``upper`` columns draw an interval (e.g. a score band) as a whisker on each bar.
    """
    from aicity.viz.fonts import setup_matplotlib

    setup_matplotlib()
    import matplotlib.pyplot as plt

    _require(ranking, ["label", "score"], "ranking")
    data = ranking.sort_values("score", ascending=True).reset_index(drop=True)
    height = max(2.4, 0.28 * len(data) + 0.9)
    fig, ax = plt.subplots(figsize=(7.2, height), dpi=120)
    colours = [HIGHLIGHT_COLOUR if lab == highlight else BAR_COLOUR for lab in data["label"]]
    positions = np.arange(len(data))
    ax.barh(positions, data["score"], color=colours, height=0.66)
    if {"lower", "upper"} <= set(data.columns):
        lower = data["score"] - data["lower"]
        upper = data["upper"] - data["score"]
        ax.errorbar(
            data["score"],
            positions,
            xerr=[lower.clip(lower=0), upper.clip(lower=0)],
            fmt="none",
            ecolor="#333333",
            elinewidth=0.8,
            capsize=2,
        )
    # Value labels sit beyond the whisker so they never overlap it.
    label_at = data["upper"].fillna(data["score"]) if "upper" in data.columns else data["score"]
    for pos, value, where in zip(positions, data["score"], label_at, strict=True):
        if np.isfinite(value):
            ax.text(max(value, where), float(pos), f" {value:.1f}", va="center", fontsize=7.5)
    ax.set_yticks(positions, data["label"], fontsize=8.5)
    ax.set_xlim(0, max(100.0, float(np.nanmax(data["score"])) * 1.1 if len(data) else 100.0))
    ax.spines[["top", "right"]].set_visible(False)
    if xlabel:
        ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title, fontsize=11)
    fig.tight_layout()
    return fig


def plot_radar(
    axes_labels: Sequence[str],
    values: Sequence[float],
    *,
    reference: Sequence[float] | None = None,
    series_label: str = "",
    reference_label: str = "",
    title: str = "",
    upper: float = 100.0,
):
    """Radar of one unit's dimension scores, optionally against a reference (e.g. the median city)."""
    from aicity.viz.fonts import setup_matplotlib

    setup_matplotlib()
    import matplotlib.pyplot as plt

    if len(axes_labels) != len(values) or len(axes_labels) < 3:
        raise InputError(
            f"expected at least 3 radar axes with one value each, got {len(axes_labels)} axes "
            f"and {len(values)} values"
        )
    angles = np.linspace(0, 2 * np.pi, len(axes_labels), endpoint=False)
    closed = np.concatenate([angles, angles[:1]])
    fig, ax = plt.subplots(figsize=(3.6, 3.4), dpi=120, subplot_kw={"polar": True})
    series = np.nan_to_num(np.asarray(values, dtype=float))
    if reference is not None:
        ref = np.nan_to_num(np.asarray(reference, dtype=float))
        ax.plot(
            closed,
            np.append(ref, ref[0]),
            color=REFERENCE_COLOUR,
            linestyle="--",
            linewidth=1,
            label=reference_label,
        )
    ax.plot(
        closed,
        np.append(series, series[0]),
        color=HIGHLIGHT_COLOUR,
        linewidth=1.6,
        label=series_label,
    )
    ax.fill(closed, np.append(series, series[0]), color=HIGHLIGHT_COLOUR, alpha=0.18)
    ax.set_xticks(angles, list(axes_labels), fontsize=8)
    ax.set_ylim(0, upper)
    ax.set_yticks([upper * q for q in (0.25, 0.5, 0.75)], [], fontsize=6)
    if series_label or reference_label:
        ax.legend(loc="upper right", bbox_to_anchor=(1.25, 1.12), fontsize=7, frameon=False)
    if title:
        ax.set_title(title, fontsize=9, pad=14)
    fig.tight_layout()
    return fig


def plotly_ranking_bar(ranking: pd.DataFrame, *, title: str = "", xlabel: str = ""):
    """Interactive ranking bars (hover shows the score and, when given, its interval)."""
    import plotly.graph_objects as go

    _require(ranking, ["label", "score"], "ranking")
    data = ranking.sort_values("score", ascending=True)
    error = None
    if {"lower", "upper"} <= set(data.columns):
        error = {
            "type": "data",
            "symmetric": False,
            "array": (data["upper"] - data["score"]).clip(lower=0),
            "arrayminus": (data["score"] - data["lower"]).clip(lower=0),
            "thickness": 1,
            "color": "#333",
        }
    fig = go.Figure(
        go.Bar(
            x=data["score"],
            y=data["label"],
            orientation="h",
            marker_color=BAR_COLOUR,
            error_x=error,
            text=[f"{v:.1f}" for v in data["score"]],
            textposition="outside",
        )
    )
    fig.update_layout(
        title={"text": title},
        xaxis_title=xlabel,
        height=max(300, 26 * len(data) + 120),
        margin={"l": 10, "r": 30, "t": 50, "b": 40},
        plot_bgcolor="white",
    )
    return fig


def plotly_radar(
    axes_labels: Sequence[str],
    values: Sequence[float],
    *,
    reference: Sequence[float] | None = None,
    series_label: str = "",
    reference_label: str = "",
    title: str = "",
):
    """Interactive radar twin of :func:`plot_radar`."""
    import plotly.graph_objects as go

    theta = [*axes_labels, axes_labels[0]]
    fig = go.Figure()
    if reference is not None:
        fig.add_trace(
            go.Scatterpolar(
                r=[*reference, reference[0]],
                theta=theta,
                name=reference_label,
                line={"dash": "dash", "color": REFERENCE_COLOUR},
            )
        )
    fig.add_trace(
        go.Scatterpolar(
            r=[*values, values[0]],
            theta=theta,
            name=series_label,
            fill="toself",
            line={"color": HIGHLIGHT_COLOUR},
        )
    )
    fig.update_layout(
        title={"text": title},
        polar={"radialaxis": {"range": [0, 100]}},
        height=380,
        margin={"l": 40, "r": 40, "t": 50, "b": 30},
    )
    return fig


def figure_to_svg(fig) -> str:
    """Serialise a matplotlib figure to an SVG string (glyphs as paths) and close it."""
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.find("<svg") :]


def figure_to_png(fig, dpi: int = 150) -> bytes:
    """Serialise a matplotlib figure to PNG bytes and close it."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def radar_svg(
    axes_labels: Sequence[str],
    values: Sequence[float],
    *,
    reference: Sequence[float] | None = None,
    series_label: str = "",
    reference_label: str = "",
    upper: float = 100.0,
    size: int = 300,
) -> str:
    """A radar as a small hand-written SVG (text as text, fonts from the page): the report draws one per
    city, and matplotlib would spend most of the report's time on them."""
    from xml.sax.saxutils import escape

    n = len(axes_labels)
    if n < 3 or len(values) != n:
        raise InputError(
            f"expected at least 3 radar axes with one value each, got {n} axes and {len(values)} values"
        )
    pad = 70  # room for axis labels left and right of the plot
    width = size + 2 * pad
    cx, cy, radius = width / 2, size / 2 + 8, size * 0.30
    angles = [np.pi / 2 - 2 * np.pi * i / n for i in range(n)]  # first axis straight up, clockwise

    def point(value: float, angle: float) -> tuple[float, float]:
        share = 0.0 if not np.isfinite(value) else min(max(value / upper, 0.0), 1.0)
        return cx + radius * share * np.cos(angle), cy - radius * share * np.sin(angle)

    def polygon(series: Sequence[float]) -> str:
        return " ".join(
            f"{x:.1f},{y:.1f}"
            for x, y in (point(v, a) for v, a in zip(series, angles, strict=True))
        )

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {size + 24}" width="{width}" '
        f'height="{size + 24}" class="radar-svg" font-family="{RADAR_FONTS}">'
    ]
    for ring in (0.25, 0.5, 0.75, 1.0):
        parts.append(
            f'<polygon points="{polygon([upper * ring] * n)}" fill="none" stroke="#d9e2ec" '
            'stroke-width="1"/>'
        )
    for a in angles:
        x, y = point(upper, a)
        parts.append(
            f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#d9e2ec"/>'
        )
    if reference is not None:
        parts.append(
            f'<polygon points="{polygon(reference)}" fill="none" stroke="{REFERENCE_COLOUR}" '
            'stroke-width="1.5" stroke-dasharray="4 3"/>'
        )
    parts.append(
        f'<polygon points="{polygon(values)}" fill="{HIGHLIGHT_COLOUR}" fill-opacity="0.18" '
        f'stroke="{HIGHLIGHT_COLOUR}" stroke-width="2"/>'
    )
    for label, value, a in zip(axes_labels, values, angles, strict=True):
        x, y = cx + (radius + 16) * np.cos(a), cy - (radius + 16) * np.sin(a)
        anchor = "middle" if abs(np.cos(a)) < 0.3 else ("start" if np.cos(a) > 0 else "end")
        shown = f"{value:.1f}" if np.isfinite(value) else "–"
        parts.append(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="15" text-anchor="{anchor}" fill="#243b53">'
            f"{escape(str(label))}</text>"
        )
        parts.append(
            f'<text x="{x:.1f}" y="{y + 16:.1f}" font-size="13" text-anchor="{anchor}" '
            f'fill="{HIGHLIGHT_COLOUR}">{shown}</text>'
        )
    legend_y = size + 16
    parts.append(
        f'<line x1="{pad}" y1="{legend_y - 4}" x2="{pad + 18}" y2="{legend_y - 4}" stroke="{HIGHLIGHT_COLOUR}" '
        'stroke-width="2"/>'
    )
    parts.append(
        f'<text x="{pad + 22}" y="{legend_y}" font-size="13" fill="#243b53">{escape(series_label)}</text>'
    )
    if reference is not None:
        parts.append(
            f'<line x1="{pad + 130}" y1="{legend_y - 4}" x2="{pad + 148}" y2="{legend_y - 4}" '
            f'stroke="{REFERENCE_COLOUR}" stroke-width="1.5" stroke-dasharray="4 3"/>'
        )
        parts.append(
            f'<text x="{pad + 152}" y="{legend_y}" font-size="13" fill="#243b53">{escape(reference_label)}'
            "</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
