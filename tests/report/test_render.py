"""Structure of the rendered report: every city has a chapter, ranking numbers match the run, every
indicator's sources are in the appendix, the PDF embeds its CJK font, the HTML loads nothing from outside,
Excel never writes formulas."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser

import pandas as pd
import pytest
from eval_run_factory import SOURCES, make_run

from aicity.errors import ConfigError
from aicity.profiles import build_profiles
from aicity.report.model import ReportData
from aicity.report.render import render_html_text, write_report
from aicity.store import Store
from aicity.store.runs import load_run, save_run

# the module's tests share the written files: keep them on one xdist worker (make test: --dist loadgroup)
pytestmark = pytest.mark.xdist_group("report_render")


@pytest.fixture(scope="module")
def data() -> ReportData:
    store = Store.memory()
    save_run(store, make_run())
    run = load_run(store, "run-test")
    firms = pd.DataFrame(
        {
            "name": ["智谱", "百度", "寒武纪"],
            "city_code": ["110000"] * 3,
            "park_id": [None] * 3,
            "layer": ["technology", "technology", "foundation"],
            "segment": ["large_models", "large_models", "ai_chips"],
        }
    )
    external = pd.DataFrame(
        {
            "ranking": ["rank_idc_inspur_ai_city"] * 5,
            "year": [2021] * 5,
            "unit_key": ["110000", "330100", "440300", "310000", "510100"],
            "rank": [1, 2, 3, 5, 9],
        }
    )
    return ReportData(
        run=run,
        profiles=build_profiles(run, enterprises=firms),
        sources=SOURCES,
        external_rankings=external,
        segment_names={"large_models": ("technology", "大模型", "Large models")},
    )


@pytest.fixture(scope="module")
def written(data, tmp_path_factory):
    """Each format written once per module, lazily: a test pays only for the formats it reads."""
    from aicity.report.excel import write_excel
    from aicity.report.render import write_html, write_pdf

    out = tmp_path_factory.mktemp("report")
    writers = {
        "html": lambda: write_html(data, out / "html", "zh"),
        "pdf": lambda: write_pdf(data, out / "report.pdf", "zh"),
        "pdf_en": lambda: write_pdf(data, out / "report_en.pdf", "en"),
        "xlsx": lambda: write_excel(data, out / "report.xlsx", "zh"),
    }

    class Lazy(dict):
        def __missing__(self, fmt):
            self[fmt] = writers[fmt]()
            return self[fmt]

    return Lazy()


@pytest.fixture(scope="module")
def print_html(data):
    """The print (PDF-mode) HTML per language, rendered once per module."""
    cache: dict[str, str] = {}

    def get(lang: str) -> str:
        if lang not in cache:
            cache[lang] = render_html_text(data, lang, "pdf")
        return cache[lang]

    return get


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.rows: list[list[str]] = []
        self._in_ranking = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("src", "href"):
            if attrs.get(key):
                self.urls.append(attrs[key])
        if tag == "table" and attrs.get("id") == "ranking-table":
            self._in_ranking = True
        if self._in_ranking and tag == "tr":
            self.rows.append([])
        if self._in_ranking and tag == "td":
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_ranking = False
        if tag == "td" and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, text):
        if self._cell is not None:
            self._cell.append(text)


def test_every_city_has_a_chapter_with_a_verdict(data, print_html):
    html = print_html("zh")
    for key, profile in data.profiles.items():
        assert f'id="city-{key}"' in html
        assert profile.verdict_zh in html
    assert html.count('<article class="city"') == len(data.run.units)


def test_ranking_table_numbers_match_the_run(data, print_html):
    parser = _Collect()
    parser.feed(print_html("en"))
    rows = [r for r in parser.rows if r]
    results = data.run.results.query("scheme == 'default'")
    index = results[results["code"] == "AI20"].set_index("unit_key")
    names = data.run.units.set_index("name_en")["unit_key"]
    assert len(rows) == len(index)
    for row in rows:
        key = names[row[1]]
        assert int(row[0]) == index.at[key, "rank"]
        assert row[2] == f"{index.at[key, 'score']:.1f}"
        for cell, dim in zip(row[3:6], ["TECH", "CLUSTER", "REGION"], strict=True):
            expected = results[(results["unit_key"] == key) & (results["code"] == dim)][
                "score"
            ].iloc[0]
            assert cell == f"{expected:.1f}"
    # rows are in rank order
    assert [int(r[0]) for r in rows] == sorted(int(r[0]) for r in rows)


def test_every_indicator_has_its_sources_in_the_appendix(data, print_html):
    html = print_html("zh")
    appendix = html[html.index('id="sources"') :]
    cells = data.run.cells.dropna(subset=["source_id"])
    urls = SOURCES.set_index("source_id")["url"]
    for indicator, group in cells.groupby("indicator"):
        for source_id in group["source_id"].unique():
            url = urls[int(source_id)]
            escaped = url.replace("&", "&amp;").replace('"', "&#34;").replace("<", "&lt;")
            assert escaped in appendix, (indicator, url)
    assert (
        set(cells["indicator"]) == set(data.indicators["code"]) - set()
    )  # every indicator has a source


def test_html_folder_loads_nothing_from_outside(written):
    html_path = written["html"]
    parser = _Collect()
    text = html_path.read_text(encoding="utf-8")
    parser.feed(text)
    external = [u for u in parser.urls if re.match(r"^(https?:)?//", u) and not u.startswith("#")]
    assert external == []
    assert (html_path.parent / "assets" / "plotly.min.js").stat().st_size > 1_000_000
    assert "cdn.plot.ly" not in text and '<script src="http' not in text
    assert 'id="china-map"' in text


@pytest.mark.skipif(
    shutil.which("pdffonts") is None, reason="poppler-utils (pdffonts) not installed"
)
def test_pdf_embeds_the_cjk_font_and_numbers_pages(written):
    pdf = written["pdf"]
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    cjk = [line for line in fonts.splitlines() if "ReportCJK" in line]
    assert cjk and all(" yes yes " in line for line in cjk)  # embedded and subset
    assert "Noto-Serif" not in fonts and "Noto-Sans-CJK" not in fonts  # no system-font fallback
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    assert len(pages) > 10
    assert "目录" in pages[1]
    # the table of contents carries page numbers that point at real pages
    toc_numbers = [int(n) for n in re.findall(r"\.{3,}\s*(\d+)", pages[1])]
    assert toc_numbers and max(toc_numbers) <= len(pages)


def test_excel_writes_formula_like_text_as_text(written):
    import openpyxl

    book = openpyxl.load_workbook(written["xlsx"])
    assert {"ranking", "scores", "indicators", "framework", "sources"} <= set(book.sheetnames)
    values = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    formulas = [c.coordinate for c in values if c.data_type == "f"]
    assert formulas == []
    texts = [c.value for c in values if isinstance(c.value, str)]
    assert '=HYPERLINK("http://evil")' in texts and "+media" in texts and "@blog" in texts


def test_excel_ranking_sheet_matches_the_run(written, data):
    ranking = pd.read_excel(written["xlsx"], sheet_name="ranking", engine="openpyxl")
    index = data.run.results.query("scheme == 'default' and code == 'AI20'").set_index("unit_key")
    for row in ranking.itertuples(index=False):
        key = str(row.unit_key)
        assert row.rank == index.at[key, "rank"]
        assert row.score == pytest.approx(index.at[key, "score"])


def test_comparison_with_published_rankings(data):
    summary, disagreements = data.comparison()
    assert summary.iloc[0]["n_common"] == 5
    # a disagreement is a gap of at least a third of the common set (here 2 places) in relative position
    assert all(abs(d) >= 2 for d in disagreements.get("difference", []))
    ours = data.ranking().set_index("unit_key")["rank"]
    common = ["110000", "330100", "440300", "310000", "510100"]
    theirs = pd.Series([1, 2, 3, 5, 9], index=common)
    expected = ours[common].rank().corr(theirs.rank())
    assert summary.iloc[0]["spearman"] == pytest.approx(expected)
    assert -1 <= summary.iloc[0]["kendall"] <= 1
    # never a coefficient on fewer than 5 shared cities
    assert summary[summary["n_common"] < 5]["spearman"].isna().all()


def test_bad_language_or_format_is_a_config_error(data, tmp_path):
    with pytest.raises(ConfigError, match="language"):
        write_report(data, tmp_path, "fr", ["html"])
    with pytest.raises(ConfigError, match="formats"):
        write_report(data, tmp_path, "zh", ["docx"])


def _pdf_pages(pdf) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) missing")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_pages_read_as_a_reader_expects(written, data, lang):
    """Each table-of-contents entry is on the page it names; no heading ends a page; the map carries its
    示意图 note and data year; the coverage table stays on one page with its heading and legend."""
    pages = _pdf_pages(written["pdf" if lang == "zh" else "pdf_en"])
    toc = pages[1]
    entries = re.findall(r"^\s*(\S.*?)\s*\.{3,}\s*(\d+)\s*$", toc, re.M)
    assert len(entries) >= 10
    for title, number in entries:
        title = re.sub(r"^\d+\.\s*", "", title).strip()
        assert title in pages[int(number) - 1], (title, number)
    headings = {re.sub(r"^\d+\.\s*", "", t).strip() for t, _ in entries}
    for i, page in enumerate(pages[2:], start=3):
        lines = [ln.strip() for ln in page.splitlines() if ln.strip()]
        body = [ln for ln in lines if not re.fullmatch(r"\d+", ln)]  # the page number
        if body:
            assert body[-1] not in headings, f"page {i} ends with the heading {body[-1]!r}"
    year = str(data.meta["reference_year"])
    if lang == "zh":
        assert any("示意图" in p and f"数据参考年份{year}年" in p for p in pages)
        coverage = [p for p in pages if "下表列出每项指标" in p]
        assert len(coverage) == 1 and "可核实" in coverage[0] and "插补" in coverage[0]
    else:
        assert any("Illustrative map" in p and f"reference year {year}" in p for p in pages)
        coverage = [p for p in pages if "The status of every indicator" in p]
        assert len(coverage) == 1 and "real" in coverage[0] and "imputed" in coverage[0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_charts_label_their_axes_in_the_reports_language(data, monkeypatch, lang):
    """Chart text is drawn as outlines in the PDF, so the labels are checked where the report asks for
    them: every bar chart and the rank-interval chart get an axis label with its unit."""
    import aicity.viz.charts as charts
    import aicity.viz.rank_intervals as intervals
    from aicity.report.figures import build_figures

    asked: list[str] = []

    def spy(original):
        def wrapped(*args, **kwargs):
            asked.append(kwargs.get("xlabel", ""))
            return original(*args, **kwargs)

        return wrapped

    monkeypatch.setattr(charts, "plot_ranking_bar", spy(charts.plot_ranking_bar))
    monkeypatch.setattr(intervals, "plot_rank_intervals", spy(intervals.plot_rank_intervals))
    build_figures(data, lang, static=True, interactive=False)
    want = (
        {"得分（0–100分）", "排名（第1位最好）"}
        if lang == "zh"
        else {"score (0-100)", "rank (1 = best)"}
    )
    assert asked and set(asked) <= want and want <= set(asked)


def test_every_figure_reaches_the_pdf_whole(data, print_html):
    """The print gate cuts long data texts; a figure's data URI is the report's own markup and must
    arrive whole (a cut one drew an empty map)."""
    import base64
    import io

    from PIL import Image

    html = print_html("zh")
    assert "已截断" not in html
    uris = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(uris) >= 2  # the map and the bar charts
    for uri in uris:
        image = Image.open(io.BytesIO(base64.b64decode(uri)))
        low, high = image.convert("L").getextrema()
        assert low < high, "a blank figure"
