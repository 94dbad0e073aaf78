"""The report's PDF rendered by a worker process while the HTML is written: same PDF, errors reported."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from eval_run_factory import SOURCES, make_run

from aicity.profiles import build_profiles
from aicity.report.model import ReportData
from aicity.report.pdf_worker import PdfWorker
from aicity.report.render import write_pdf, write_report
from aicity.store import Store
from aicity.store.runs import load_run, save_run


@pytest.fixture(scope="module")
def data() -> ReportData:
    store = Store.memory()
    save_run(store, make_run())
    run = load_run(store, "run-test")
    return ReportData(
        run=run,
        profiles=build_profiles(run, enterprises=pd.DataFrame()),
        sources=SOURCES,
        external_rankings=pd.DataFrame(columns=["ranking", "year", "unit_key", "rank"]),
    )


def _text(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) not installed")
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"\d\d:\d\d UTC", "hh:mm UTC", done.stdout)  # the report states when it was made


def test_the_worker_renders_the_same_pdf_as_the_process_itself(data, tmp_path):
    worker = PdfWorker.start()
    assert worker is not None
    written = write_report(data, tmp_path / "w", "zh", ["html", "pdf"], pdf_worker=worker)
    assert list(written) == ["html", "pdf"]
    assert (written["html"]).exists()
    assert written["pdf"].read_bytes().startswith(b"%PDF-")
    assert set(worker.seconds) == {"figures", "html", "pdf"}
    alone = write_pdf(data, tmp_path / "alone.pdf", "zh")
    text = _text(written["pdf"])
    assert text == _text(alone) and "北京" in text


def test_a_failing_job_is_one_error_and_leaves_no_file(tmp_path):
    worker = PdfWorker.start()
    assert worker is not None
    worker.submit({"not": "report data"}, "zh", tmp_path / "x.pdf")
    with pytest.raises(RuntimeError, match="PDF rendering failed"):
        worker.result()
    assert not (tmp_path / "x.pdf").exists()
    assert worker._job is not None and not worker._job.exists()


def test_an_unused_worker_is_stopped():
    worker = PdfWorker.start()
    assert worker is not None
    worker.close()
    assert worker._process.poll() is not None


def test_a_worker_that_cannot_run_leaves_the_pdf_to_this_process(data, tmp_path):
    broken = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.exit(3)"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    written = write_report(data, tmp_path, "zh", ["pdf"], pdf_worker=PdfWorker(broken))
    assert written["pdf"].read_bytes().startswith(b"%PDF-")
