"""Hostile text in the report (issue #19): parks, firms, an indicator and a dimension of the framework, and
source URLs carrying `<script>`, attribute breaks, `javascript:` URLs, an RTL override, NUL and control
characters and a 1 MB string go through ingest and `aicity evaluate` into `aicity report --format
html,pdf,xlsx`. Nothing executes, the PDF renders and reads back, long text is cut with a visible mark,
no control character or bidi override reaches the HTML or the PDF (each shows as U+FFFD), and the
workbook keeps the text exactly, as text cells."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from aicity.store import Store
from aicity.workflows.demo import DemoRun, classify_firms, derive_inventory, ingest_example
from aicity.workflows.evaluate import evaluate
from aicity.workflows.ingest import ingest_file

BIG = "长" * 350_000  # about 1 MB of UTF-8
PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "attr": '"><img src=x onerror=alert(1)>',
    "quote": "' onmouseover='alert(1)' x='",
    "jsurl": "javascript:alert(1)",
    "rtl": "\u202egnp.exe",  # RIGHT-TO-LEFT OVERRIDE
    "control": "a\x01b\x07c\x1b[31md\x0be\x0cf",
    "big": BIG,
}
# what must never reach a file: C0/C1 controls (tab and line breaks aside) and bidi overrides
UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CUT = "已截断"  # the zh report's mark on a cut text


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _url(key: str, text: str) -> str:
    return text if key == "jsurl" else f"https://example.com/{key}"


def _hostile_framework(folder: Path) -> Path:
    """china_ai_20 with hostile names on the GDP indicator and the TECH dimension."""
    bundled = resources.files("aicity.data.frameworks") / "china_ai_20.yaml"
    doc = yaml.safe_load(bundled.read_text(encoding="utf-8"))
    for node in doc["nodes"]:
        if node["code"] == "gdp":
            node["name_zh"] = "地区生产总值" + PAYLOADS["script"] + PAYLOADS["control"]
            node["name_en"] = "GDP" + PAYLOADS["attr"]
            node["definition"] = PAYLOADS["quote"] + BIG
        elif node["code"] == "TECH":
            node["name_zh"] = "技术创新" + PAYLOADS["rtl"] + PAYLOADS["attr"]
    path = folder / "hostile.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile-report")
    db = folder / "s.duckdb"
    with Store.open(db) as store:
        run = DemoRun(folder, store)
        for step in (ingest_example, classify_firms, derive_inventory):
            step(run)
        parks = _csv(
            folder / "parks.csv",
            ["park_id", "园区", "城市", "主导产业", "备注", "来源"],
            [
                [f"p-{key}", f"园区{key}{text}", "北京", text, text, _url(key, text)]
                for key, text in PAYLOADS.items()
            ],
        )
        firms = _csv(
            folder / "firms.csv",
            ["企业名称", "城市", "经营范围", "备注", "来源", "产业层"],
            [
                [f"{key}{text}", "北京", text, text, _url(key, text), "技术层"]
                for key, text in PAYLOADS.items()
            ],
        )
        nul = folder / "nul.parquet"  # a CSV with NUL is refused as binary; Parquet carries one
        pd.DataFrame(
            {"企业名称": ["nul\x00firm<b>x</b>"], "城市": ["北京"], "经营范围": ["a\x00b"]}
        ).to_parquet(nul)
        facts = _csv(
            folder / "facts.csv",
            ["城市", "指标", "数值", "年份", "备注", "来源"],
            [
                ["北京", "gdp", "43760.7", "2023", PAYLOADS["script"] + BIG, PAYLOADS["jsurl"]],
                ["上海", "gdp", "47218.7", "2023", PAYLOADS["control"], PAYLOADS["rtl"]],
            ],
        )
        for path, table in ((parks, "parks"), (firms, "enterprises"), (nul, "enterprises")):
            assert ingest_file(store, path, table).n_rejected == 0
        ingest_file(store, facts, "observations")
        evaluate(store, framework=str(_hostile_framework(folder)))
    out = folder / "out"
    command = [sys.executable, "-m", "aicity", "report", "--db", str(db), "--out", str(out)]
    done = subprocess.run(
        [*command, "--format", "html,pdf,xlsx", "--lang", "zh"],
        capture_output=True,
        text=True,
        timeout=600,  # before the cut, WeasyPrint laid the 1 MB texts out for over 5 minutes
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {
        "html": out / "report_zh_html" / "index.html",
        "pdf": out / "report_zh.pdf",
        "xlsx": out / "report_zh.xlsx",
    }


@pytest.mark.redteam
def test_the_html_report_shows_hostile_text_as_text(report: dict[str, Path]) -> None:
    html = report["html"].read_text(encoding="utf-8")
    for markup in ("<script>alert", "<img src=x", "<b>x</b>"):
        assert markup not in html, markup
    for tag in re.findall(r"<[a-z][^>]*>", html):  # no attribute a payload opened
        assert "alert(" not in tag and "onerror" not in tag, tag[:200]
    assert 'href="javascript:' not in html.lower()
    # the payloads are there, escaped, as text
    assert "园区script&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "scriptalert" not in html  # nothing stripped silently either
    assert UNPRINTABLE.search(html) is None, repr(UNPRINTABLE.search(html))
    assert "园区rtl\ufffdgnp.exe" in html and "a\ufffdb\ufffdc\ufffd[31md" in html  # visible marks
    assert BIG[:5000] not in html  # the 1 MB texts are cut ...
    assert f"{CUT}：原文共 350,003 字" in html  # ... with a mark saying so


@pytest.mark.redteam
def test_the_pdf_report_renders_and_reads_back(report: dict[str, Path]) -> None:
    assert shutil.which("pdftotext"), "poppler-utils (make sysdeps) reads the PDF back"
    raw = report["pdf"].read_bytes()
    assert raw.startswith(b"%PDF") and b"/JavaScript" not in raw and b"/JS " not in raw
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(report["pdf"]), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    text = text.replace("\f", "\n")  # pdftotext's page break
    flat = re.sub(r"\s+", "", text)
    assert "园区script<script>alert(1)</script>" in flat  # the names, read as text
    assert "园区jsurljavascript:alert(1)" in flat
    assert CUT in flat  # the 1 MB texts cut with the mark
    assert "长" * 5000 not in flat
    assert UNPRINTABLE.search(text) is None, repr(UNPRINTABLE.search(text))


@pytest.mark.redteam
def test_the_report_workbook_opens_with_the_text_exact_and_no_formula(
    report: dict[str, Path],
) -> None:
    book = openpyxl.load_workbook(report["xlsx"])
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = [c.value for c in cells if isinstance(c.value, str)]
    # the workbook is data: hostile names kept exactly as stored (RTL override too), as text cells
    assert any("<script>alert(1)</script>" in t for t in texts)
    assert any("技术创新\u202egnp.exe" in t for t in texts)
    for text in texts:
        assert len(text) <= 32_767  # Excel's limit for a cell
