"""Render a ReportData to an HTML folder (works offline), a PDF (WeasyPrint, CJK font embedded, page
numbers, table of contents) and an Excel workbook."""

from __future__ import annotations

import importlib.resources as resources
import shutil
from pathlib import Path

from aicity.errors import ConfigError
from aicity.report.document import render_html_text
from aicity.report.model import LANGS, ReportData

FORMATS = ("html", "pdf", "xlsx")


def check_request(lang: str, formats: list[str]) -> None:
    if lang not in LANGS:
        raise ConfigError(
            f"language must be one of {', '.join(LANGS)}, got {lang!r}", path="--lang"
        )
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ConfigError(
            f"formats must be among {', '.join(FORMATS)}, got {', '.join(formats) or 'nothing'}",
            path="--format",
        )


def plotly_js_path() -> Path:
    """plotly.min.js shipped inside the plotly wheel (never a CDN)."""
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


def write_html(report: ReportData, out_dir: Path, lang: str, figures=None) -> Path:
    """Write ``out_dir/index.html`` plus ``assets/plotly.min.js``; the folder opens offline."""
    out_dir.mkdir(parents=True, exist_ok=True)
    assets = out_dir / "assets"
    assets.mkdir(exist_ok=True)
    shutil.copyfile(plotly_js_path(), assets / "plotly.min.js")
    path = out_dir / "index.html"
    path.write_text(render_html_text(report, lang, "html", figures), encoding="utf-8")
    return path


def write_pdf(report: ReportData, path: Path, lang: str, figures=None) -> Path:
    """Write the PDF with WeasyPrint; fonts come from the bundled file, embedded as subsets."""
    from aicity.report.pdf_worker import render_pdf

    path.parent.mkdir(parents=True, exist_ok=True)
    render_pdf(render_html_text(report, lang, "pdf", figures), path, str(path.parent))
    return path


def write_report(
    report: ReportData,
    out_dir: Path,
    lang: str = "zh",
    formats: list[str] | tuple[str, ...] = FORMATS,
    on_step=None,
    pdf_worker=None,
) -> dict[str, Path]:
    """Write the requested formats into ``out_dir``; returns format -> path.

    ``on_step(name)`` is called before each piece of work (for a progress display in the CLI). The PDF
    (its static figures, then WeasyPrint) is made by a worker process - ``pdf_worker``, a started
    :class:`~aicity.report.pdf_worker.PdfWorker`, or one started here - while this process writes the
    HTML and the workbook. Without a worker process everything runs here, one after the other.
    """
    from aicity.report.excel import write_excel
    from aicity.report.figures import build_figures
    from aicity.report.pdf_worker import PdfWorker

    formats = list(formats)
    check_request(lang, formats)
    step = on_step or (lambda name: None)
    written: dict[str, Path] = {}
    worker = pdf_worker
    if "pdf" in formats and worker is None:
        worker = PdfWorker.start()
    try:
        pdf_path = out_dir / f"report_{lang}.pdf"
        if "pdf" in formats and worker is not None:
            step("pdf (handed to a worker process)")
            pdf_path.parent.mkdir(parents=True, exist_ok=True)
            worker.submit(report, lang, pdf_path)
        if "html" in formats:
            step("figures (interactive)")
            # the HTML shows interactive charts, and the static radars (always drawn)
            figures = build_figures(report, lang, static=False, interactive=True)
            step("html")
            written["html"] = write_html(report, out_dir / f"report_{lang}_html", lang, figures)
        if "xlsx" in formats:
            step("xlsx")
            written["xlsx"] = write_excel(report, out_dir / f"report_{lang}.xlsx", lang)
        if "pdf" in formats:
            done = False
            if worker is not None:
                step("pdf (waiting for the worker)")
                try:
                    worker.result()
                    done = True
                except RuntimeError:
                    # here again: a real rendering error is raised with its own traceback; a worker
                    # that could not run (its environment) costs time, not the PDF
                    pass
                worker = None
            if not done:
                step("figures")
                figures = build_figures(report, lang, static=True, interactive=False)
                step("pdf")
                write_pdf(report, pdf_path, lang, figures)
            written["pdf"] = pdf_path
    finally:
        if worker is not None:
            worker.close()
    return {fmt: written[fmt] for fmt in FORMATS if fmt in written}
