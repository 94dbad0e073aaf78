"""The local industry map (产业图谱): layers as bands, segments as cells with firm counts and the leading
firms, empty segments marked as missing links (补链 targets), and beside it the unit's layer mix against
the national mix with a one-line finding generated from the data.

``IndustryMapData`` is everything the drawing shows (tests assert on it, not on pixels);
``industry_map_figure`` draws it with matplotlib and the bundled CJK font; ``write_industry_map`` writes
.svg / .png / .pdf / .html (an HTML page with the inline SVG and the data as tables).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import pandas as pd

from aicity.errors import InputError
from aicity.layers import LAYER_NAMES_EN, LAYER_NAMES_ZH, LAYERS

FORMATS = (".html", ".svg", ".png", ".pdf")
DEFAULT_MARGIN = 0.05  # a layer "leans" when its share differs from the national one by > 5 points


@dataclass(frozen=True)
class Cell:
    code: str
    name: str
    count: int
    firms: tuple[str, ...]  # leading firms, largest first

    @property
    def missing(self) -> bool:
        return self.count == 0


@dataclass(frozen=True)
class Band:
    layer: str
    name: str
    cells: tuple[Cell, ...]

    @property
    def count(self) -> int:
        return sum(c.count for c in self.cells)

    @property
    def completeness(self) -> float:
        return sum(not c.missing for c in self.cells) / len(self.cells) if self.cells else 0.0


@dataclass(frozen=True)
class IndustryMapData:
    unit_type: str  # city / park
    unit_key: str
    unit_name: str
    lang: str
    bands: tuple[Band, ...]
    mix: pd.DataFrame = field(repr=False)  # layer, name, local_share, national_share, difference
    finding: str = ""
    n_firms: int = 0
    n_unclassified: int = 0
    inventory_run: int | None = None
    has_synthetic: bool = False
    margin: float = DEFAULT_MARGIN
    # the firms come from a sample-kind list: the map is illustrative (no comparison, no missing links)
    sample: bool = False

    @property
    def missing_links(self) -> list[str]:
        return [c.code for b in self.bands for c in b.cells if c.missing]

    @property
    def title(self) -> str:
        return (
            f"{self.unit_name} 人工智能产业图谱"
            if self.lang == "zh"
            else f"{self.unit_name}: AI industry map"
        )


def layer_mix(local: dict[str, float], national: dict[str, float], lang: str) -> pd.DataFrame:
    names = LAYER_NAMES_ZH if lang == "zh" else LAYER_NAMES_EN
    rows = []
    for layer in LAYERS:
        lo, na = local.get(layer), national.get(layer)
        diff = lo - na if lo is not None and na is not None else None
        rows.append((layer, names[layer], lo, na, diff))
    return pd.DataFrame(
        rows, columns=["layer", "name", "local_share", "national_share", "difference"]
    )


def _join(words: list[str], lang: str) -> str:
    if len(words) <= 1:
        return "".join(words)
    if lang == "zh":
        return "、".join(words[:-1]) + "和" + words[-1]
    return ", ".join(words[:-1]) + " and " + words[-1]


def finding_sentence(
    unit_name: str,
    mix: pd.DataFrame,
    n_missing: int,
    n_segments: int,
    n_firms: int,
    lang: str,
    margin: float = DEFAULT_MARGIN,
    sample: bool = False,
) -> str:
    """One line from the data, e.g. '杭州：技术层和应用层企业偏多（高于全国 +8.1、+5.2 个百分点）…'.

    From a ``sample``-kind firm list the line only says what the map shows: a sample stands for no
    population, so it is neither compared with the national mix nor read for missing links."""
    if sample:
        return (
            f"{unit_name}：示意图，基于样本清单中已分类的 {n_firms} 家企业（非完整名录），"
            "只展示已收录企业的分布，不与全国结构比较，也不据此判断缺失环节。"
            if lang == "zh"
            else f"{unit_name}: illustrative, drawn from {n_firms} classified firms of a sample list (not a "
            "full registry); it shows the listed firms only, and is neither compared with the national mix "
            "nor read for missing links."
        )
    known = mix.dropna(subset=["difference"])
    if n_firms == 0 or known.empty:
        return (
            f"{unit_name}：清单中没有已分类的企业，无法与全国结构比较。"
            if lang == "zh"
            else f"{unit_name}: no classified firms in the inventory, so no comparison with the national mix."
        )
    more = known[known["difference"] > margin]
    less = known[known["difference"] < -margin]

    def pts(s):
        return (
            "、".join(f"{v * 100:+.1f}" for v in s)
            if lang == "zh"
            else ", ".join(f"{v * 100:+.1f}" for v in s)
        )

    if lang == "zh":
        parts = []
        if len(more):
            parts.append(
                f"{_join(list(more['name']), 'zh')}企业偏多（较全国 {pts(more['difference'])} 个百分点）"
            )
        if len(less):
            parts.append(
                f"{_join(list(less['name']), 'zh')}企业偏少（{pts(less['difference'])} 个百分点）"
            )
        if not parts:
            parts.append(f"层级结构与全国接近（各层相差不超过 {margin * 100:.0f} 个百分点）")
        tail = (
            f"；{n_segments} 个细分环节中缺失 {n_missing} 个（补链方向）"
            if n_missing
            else "；各细分环节均有企业"
        )
        return f"{unit_name}：" + "，".join(parts) + tail + f"。基于清单中 {n_firms} 家企业。"
    parts = []
    if len(more):
        names = [n.replace(" layer", "").lower() for n in more["name"]]
        parts.append(
            f"more {_join(names, 'en')}-layer firms than the national mix ({pts(more['difference'])} points)"
        )
    if len(less):
        names = [n.replace(" layer", "").lower() for n in less["name"]]
        parts.append(f"fewer {_join(names, 'en')}-layer firms ({pts(less['difference'])} points)")
    if not parts:
        parts.append(f"layer mix close to the national mix (within {margin * 100:.0f} points)")
    tail = (
        f"; {n_missing} of {n_segments} segments have no local firm (missing links to attract)"
        if n_missing
        else "; every segment has a local firm"
    )
    return (
        f"{unit_name}: " + "; ".join(parts) + tail + f". Based on {n_firms} firms in the inventory."
    )


# ----- drawing --------------------------------------------------------------------------------------
_BAND_COLOURS = dict(zip(LAYERS, ("#2b6cb0", "#2f855a", "#b7791f"), strict=True))
_PER_ROW = 7


def _short_name(name: str) -> str:
    """Segment label for a cell: the part before '/' (zh) or two wrapped lines (en) that fit the cell."""
    import textwrap

    text = name.split("/")[0]
    if text.isascii():
        lines = textwrap.wrap(text, 17)
        text = "\n".join(lines[:2]) + ("…" if len(lines) > 2 else "")
    return text


def _firm_label(name: str, lang: str) -> str:
    """'商汤科技 SenseTime' -> '商汤科技' (zh) or 'SenseTime' (en); long names are shortened."""
    head, _, tail = name.partition(" ")
    text = (tail or head) if lang == "en" and tail and tail.isascii() else head
    text = text.split("(")[0].split("（")[0].strip() or name
    return text if len(text) <= 12 else text[:11] + "…"


def industry_map_figure(data: IndustryMapData, max_firms: int = 3):  # -> matplotlib Figure
    from aicity.viz.fonts import setup_matplotlib

    setup_matplotlib()
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch, Rectangle

    zh = data.lang == "zh"
    rows_per_band = [max(1, -(-len(b.cells) // _PER_ROW)) for b in data.bands]
    total_rows = sum(rows_per_band)
    fig = plt.figure(figsize=(17, 2.0 + 1.55 * total_rows), dpi=110)
    ax = fig.add_axes((0.01, 0.09, 0.69, 0.78))
    ax.set_xlim(0, _PER_ROW + 1.1)
    ax.set_ylim(total_rows + 0.25 * len(data.bands), 0)
    ax.axis("off")
    top_count = max([c.count for b in data.bands for c in b.cells] + [1])
    y = 0.0
    for band, nrows in zip(data.bands, rows_per_band, strict=True):
        colour = _BAND_COLOURS[band.layer]
        ax.add_patch(
            Rectangle((0, y), _PER_ROW + 1.1, nrows + 0.15, color=colour, alpha=0.07, lw=0)
        )
        ax.add_patch(Rectangle((0, y), 1.0, nrows + 0.15, color=colour, alpha=0.9, lw=0))
        label = (
            f"{band.name}\n{band.count} 家\n完整度 {band.completeness:.0%}"
            if zh
            else (
                f"{band.name.replace(' layer', '')}\n{band.count} firms\n{band.completeness:.0%} complete"
            )
        )
        ax.text(
            0.5,
            y + (nrows + 0.15) / 2,
            label,
            ha="center",
            va="center",
            color="white",
            fontsize=11,
            linespacing=1.5,
        )
        for i, cell in enumerate(band.cells):
            r, c = divmod(i, _PER_ROW)
            x0, y0 = 1.1 + c, y + 0.075 + r
            if cell.missing:
                patch = FancyBboxPatch(
                    (x0 + 0.04, y0 + 0.04),
                    0.92,
                    0.92,
                    boxstyle="round,pad=0,rounding_size=0.05",
                    facecolor="#fff5f5",
                    edgecolor="#c53030",
                    lw=1.2,
                    linestyle="--",
                )
                ax.add_patch(patch)
                ax.text(
                    x0 + 0.5,
                    y0 + 0.3,
                    _short_name(cell.name),
                    ha="center",
                    va="center",
                    fontsize=8.5,
                    color="#742a2a",
                    wrap=True,
                )
                ax.text(
                    x0 + 0.5,
                    y0 + 0.66,
                    ("未收录" if zh else "none listed")
                    if data.sample
                    else ("缺失 · 补链" if zh else "missing link"),
                    ha="center",
                    va="center",
                    fontsize=9,
                    color="#c53030",
                )
                continue
            strength = 0.25 + 0.6 * (cell.count / top_count)
            ax.add_patch(
                FancyBboxPatch(
                    (x0 + 0.04, y0 + 0.04),
                    0.92,
                    0.92,
                    boxstyle="round,pad=0,rounding_size=0.05",
                    facecolor=colour,
                    alpha=strength,
                    edgecolor=colour,
                    lw=1,
                )
            )
            ax.text(
                x0 + 0.5,
                y0 + 0.2,
                _short_name(cell.name),
                ha="center",
                va="center",
                fontsize=8.5,
                color="black",
            )
            ax.text(
                x0 + 0.5,
                y0 + 0.43,
                f"{cell.count} 家" if zh else f"{cell.count} firm{'s' if cell.count != 1 else ''}",
                ha="center",
                va="center",
                fontsize=10,
            )
            for j, firm in enumerate(cell.firms[:max_firms]):
                ax.text(
                    x0 + 0.5,
                    y0 + 0.62 + 0.12 * j,
                    _firm_label(firm, data.lang),
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="#1a202c",
                    bbox={
                        "boxstyle": "round,pad=0.15",
                        "facecolor": "white",
                        "edgecolor": "none",
                        "alpha": 0.85,
                    },
                )
        y += nrows + 0.25

    # layer mix beside the map
    bx = fig.add_axes((0.75, 0.2, 0.22, 0.55))
    mix = data.mix
    pos = range(len(mix))
    local = mix["local_share"].fillna(0).to_numpy() * 100
    nat = mix["national_share"].fillna(0).to_numpy() * 100
    bx.barh(
        [p + 0.2 for p in pos],
        local,
        height=0.38,
        color=[_BAND_COLOURS[x] for x in mix["layer"]],
        label=data.unit_name,
    )
    bx.barh(
        [p - 0.2 for p in pos],
        nat,
        height=0.38,
        color="#a0aec0",
        label="全国" if zh else "national",
    )
    for p, lo, na in zip(pos, local, nat, strict=True):
        bx.text(lo + 1, p + 0.2, f"{lo:.0f}%", va="center", fontsize=9)
        bx.text(na + 1, p - 0.2, f"{na:.0f}%", va="center", fontsize=9, color="#4a5568")
    bx.set_yticks(list(pos), [n.replace(" layer", "") for n in mix["name"]])
    bx.invert_yaxis()
    bx.set_xlim(0, max(100, float(max(local.max(), nat.max())) + 15))
    bx.set_xlabel("企业占比 %" if zh else "share of firms, %")
    bx.set_title("层级结构：本地 vs 全国" if zh else "Layer mix: local vs national", fontsize=11)
    bx.legend(loc="lower right", fontsize=9, frameon=False)
    for side in ("top", "right"):
        bx.spines[side].set_visible(False)

    fig.suptitle(data.title, x=0.01, y=0.985, ha="left", fontsize=17)
    fig.text(0.01, 0.905, data.finding, ha="left", fontsize=11, color="#2d3748", wrap=True)
    foot = (
        f"数据：aicity 企业清单（推导运行 {data.inventory_run}）；格内为主营细分环节的企业数与代表企业；"
        f"红色虚线格为本地无企业的环节。结果反映所录入的企业清单，而非城市全部企业。"
        if zh
        else f"Data: aicity enterprise inventory (run {data.inventory_run}); cells show firms by primary segment "
        "and leading firms; dashed red cells are segments with no local firm. Figures describe the firms "
        "in the inventory, not a census of the city."
    )
    if data.n_unclassified:
        foot += (
            f" 另有 {data.n_unclassified} 家未分类。"
            if zh
            else f" {data.n_unclassified} firms unclassified."
        )
    if data.has_synthetic:
        foot += " 含合成（虚构）企业数据。" if zh else " Includes SYNTHETIC (made-up) firms."
    fig.text(0.01, 0.02, foot, ha="left", fontsize=8.5, color="#718096")
    return fig


_HTML = jinja2.Environment(autoescape=True, loader=jinja2.PackageLoader("aicity.viz", "templates"))


def write_industry_map(data: IndustryMapData, out: Path) -> Path:
    """Write the map as .svg / .png / .pdf (matplotlib) or .html (inline SVG + data tables)."""
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            f"expected an output ending {', '.join(FORMATS)}, received {out.name!r}",
            file=str(out),
            fix="e.g. --out hangzhou.svg",
        )
    import matplotlib.pyplot as plt

    fig = industry_map_figure(data)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        if suffix == ".html":
            buf = io.StringIO()
            fig.savefig(buf, format="svg", bbox_inches="tight")
            svg = buf.getvalue()
            svg = svg[svg.index("<svg") :]
            html = _HTML.get_template("industry_map.html.j2").render(data=data, svg=svg)
            out.write_text(html, encoding="utf-8")
        else:
            fig.savefig(out, bbox_inches="tight", dpi=110 if suffix == ".png" else None)
    finally:
        plt.close(fig)
    return out
