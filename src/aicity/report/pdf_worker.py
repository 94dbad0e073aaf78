"""Render the report's PDF in a separate process, so it runs beside the HTML and Excel work.

WeasyPrint lays out and paints in Python: the PDF is most of a report's time and holds the GIL. A worker
process takes it off the main process: the worker starts, imports WeasyPrint and matplotlib and sets up
the CJK font while the main process is still busy, then waits on stdin for one job - the report data -
draws the static figures, renders the PDF and exits. The main process meanwhile draws the interactive
figures and writes the HTML and the workbook.

Protocol: the main process writes one JSON line ``{"report": pickle path, "lang": ..., "pdf": path}``
to the worker's stdin; the worker answers one JSON line ``{"seconds": {...}}`` (or ``{"error": text}``)
on stdout. ``python -m aicity.report.pdf_worker`` is the worker; :class:`PdfWorker` is the handle.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def render_pdf(html: str, pdf: Path, base_url: str) -> None:
    """The one WeasyPrint call, in whichever process runs it."""
    import logging

    import weasyprint

    # WeasyPrint logs every CSS property it ignores at WARNING; the library must not talk to users.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    weasyprint.HTML(string=html, base_url=base_url).write_pdf(str(pdf))


class PdfWorker:
    """A started worker process waiting for its one job. ``start()`` as early as possible."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self._process = process
        self._job: Path | None = None
        self.seconds: dict[str, float] = {}  # the worker's own time per piece, once it has answered

    @classmethod
    def start(cls) -> PdfWorker | None:
        """A waiting worker, or None when no process can be started (the caller renders in-process)."""
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "aicity.report.pdf_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        except OSError:
            return None
        return cls(process)

    def submit(self, report: Any, lang: str, pdf: Path) -> None:
        """Hand over the report data (pickled to a temporary file, removed once the PDF is done: a pipe
        would block while the worker is still importing)."""
        import pickle
        import tempfile

        handle, name = tempfile.mkstemp(prefix="aicity-report-", suffix=".pickle")
        with os.fdopen(handle, "wb") as f:
            pickle.dump(report, f, protocol=pickle.HIGHEST_PROTOCOL)
        job = self._job = Path(name)
        assert self._process.stdin is not None
        self._process.stdin.write(
            json.dumps({"report": str(job), "lang": lang, "pdf": str(pdf)}) + "\n"
        )
        self._process.stdin.flush()  # communicate() in result() closes it

    def result(self) -> dict[str, float]:
        """Wait for the PDF; the worker's seconds per piece (figures, html, pdf). Raises RuntimeError
        if it failed."""
        try:
            out, err = self._process.communicate()
        finally:
            if self._job is not None:
                self._job.unlink(missing_ok=True)
        answer: dict[str, object] = {}
        for line in reversed(out.splitlines()):
            if line.startswith("{"):
                answer = json.loads(line)
                break
        if self._process.returncode != 0 or "error" in answer or "seconds" not in answer:
            detail = answer.get("error") or (err.strip().splitlines() or ["no output"])[-1]
            raise RuntimeError(f"PDF rendering failed: {detail}")
        self.seconds = dict(answer["seconds"])  # type: ignore[call-overload]
        return self.seconds

    def close(self) -> None:
        """Stop a worker that never got (or no longer needs) its job."""
        process = self._process
        if process.poll() is None:
            process.kill()
            process.wait()
        for pipe in (process.stdin, process.stdout, process.stderr):
            if pipe is not None and not pipe.closed:
                pipe.close()
        if self._job is not None:
            self._job.unlink(missing_ok=True)


def _warm_up() -> None:
    """Everything the job needs that does not depend on the data, loaded while the main process works."""
    import weasyprint  # noqa: F401

    import aicity.report.context
    import aicity.report.figures
    import aicity.viz.charts
    import aicity.viz.rank_intervals  # noqa: F401
    from aicity.viz.china_map import load_china_geometry
    from aicity.viz.fonts import setup_matplotlib

    setup_matplotlib()
    load_china_geometry()  # cached: the map's province outlines, read and projected once


def main() -> int:
    _warm_up()
    line = sys.stdin.readline()
    if not line.strip():  # the main process went away or renders the PDF itself
        return 0
    job = json.loads(line)
    seconds: dict[str, float] = {}
    try:
        import pickle

        from aicity.report.document import render_html_text
        from aicity.report.figures import build_figures

        started = time.perf_counter()
        with open(job["report"], "rb") as f:
            report = pickle.load(f)
        figures = build_figures(report, job["lang"], static=True, interactive=False)
        seconds["figures"] = time.perf_counter() - started
        started = time.perf_counter()
        html = render_html_text(report, job["lang"], "pdf", figures)
        seconds["html"] = time.perf_counter() - started
        started = time.perf_counter()
        pdf = Path(job["pdf"])
        render_pdf(html, pdf, str(pdf.parent))
        seconds["pdf"] = time.perf_counter() - started
    except Exception as exc:  # reported to the main process, which raises it
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
        return 1
    print(json.dumps({"seconds": seconds}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
