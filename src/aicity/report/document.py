"""The report as one HTML document (the HTML folder's page and the PDF's source), every printed value
passed through one gate. Its own module: the PDF worker renders documents without the writers in
``aicity.report.render``, which start that worker."""

from __future__ import annotations

import importlib.resources as resources
import re

from aicity.report.model import ReportData

# Every value the template prints passes one gate (``printable``): characters that break a PDF's text or
# the document (NUL, ESC and the other C0/C1 controls but tab and line breaks) or turn text around
# (bidi embeddings, overrides and isolates, U+202A-U+202E, U+2066-U+2069) become a visible U+FFFD, and a
# text longer than MAX_TEXT characters (a 1 MB business scope) is cut there with a mark saying so.
MAX_TEXT = 2000
UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CUT_MARK = {"zh": "…［已截断：原文共 {n:,} 字］", "en": "… [cut: {n:,} characters in all]"}


def printable(value: object, lang: str = "zh") -> object:
    """``value`` as the report prints it; markup the report built itself (figures, CSS) is not cut, but
    loses the same characters (a chart label is data too)."""
    from markupsafe import Markup

    if isinstance(value, Markup):
        return Markup(UNPRINTABLE.sub("\ufffd", value))
    if not isinstance(value, str):
        return value
    text = UNPRINTABLE.sub("\ufffd", value)
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT] + CUT_MARK.get(lang, CUT_MARK["en"]).format(n=len(value))
    return text


def _environment(lang: str = "zh"):
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("aicity.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=lambda value: printable(value, lang),
    )


def _css(font_family: str) -> str:
    css = (resources.files("aicity.report") / "templates" / "report.css").read_text("utf-8")
    return css.replace("{font_family}", font_family)


def render_html_text(report: ReportData, lang: str, mode: str, figures=None) -> str:
    """The report as one HTML document; ``mode`` 'html' (interactive charts) or 'pdf' (static figures)."""
    from aicity.report.context import build_context
    from aicity.report.figures import build_figures
    from aicity.viz.fonts import HTML_FONT_STACK, font_face_css

    if figures is None:
        figures = build_figures(report, lang, static=True, interactive=mode == "html")
    context = build_context(report, lang, figures, mode)
    if mode == "pdf":
        context["css"] = font_face_css("ReportCJK") + "\n" + _css('"ReportCJK", sans-serif')
    else:
        context["css"] = _css(HTML_FONT_STACK)
    return _environment(lang).get_template("report.html.j2").render(**context)
