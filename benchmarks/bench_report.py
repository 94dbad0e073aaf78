"""The China AI 20 pipeline end to end (what `make demo` runs) and each report format on its result.

Goals on 2 cores (issue 6): HTML under 15 s, PDF under 90 s, Excel under 5 s. There is no peer tool that
produces this report; the "peer" column holds the goal so the speed-up column reads as headroom.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

GOALS = {"html": 15.0, "pdf": 90.0, "xlsx": 5.0}


def _timed(fn):
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def main() -> list[dict]:
    from aicity.workflows.demo import build_demo
    from aicity.workflows.report import build_report, load_report_data

    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "demo"
        seconds, run = _timed(lambda: build_demo(out, full=True))
        try:
            rows.append(
                {
                    "benchmark": "demo pipeline: ingest, classify, inventory, evaluate (+3 alternatives), "
                    "uncertainty (1000 MC + Sobol 256), report zh html+pdf+xlsx",
                    "ours_s": seconds,
                    "peer": None,
                    "peer_s": None,
                    "note": f"{len(run.store.fetch_df('SELECT * FROM cities'))} cities; run {run.evaluation_run_id}",
                }
            )
            load_s, _ = _timed(lambda: load_report_data(run.store, run.evaluation_run_id))
            rows.append(
                {
                    "benchmark": "report: load run, profiles and verdicts",
                    "ours_s": load_s,
                    "peer": None,
                    "peer_s": None,
                    "note": "store -> ReportData",
                }
            )
            for fmt in ("html", "pdf", "xlsx"):
                seconds, written = _timed(
                    lambda fmt=fmt: build_report(
                        run.store,
                        Path(tmp) / fmt,
                        run_id=run.evaluation_run_id,
                        lang="zh",
                        formats=[fmt],
                    )
                )
                path = written[fmt]
                size = (
                    sum(p.stat().st_size for p in path.parent.rglob("*"))
                    if fmt == "html"
                    else path.stat().st_size
                )
                rows.append(
                    {
                        "benchmark": f"report zh {fmt} (incl. load and figures)",
                        "ours_s": seconds,
                        "peer": "goal",
                        "peer_s": GOALS[fmt],
                        "note": f"{size / 1e6:.1f} MB",
                    }
                )
        finally:
            run.store.close()
    return rows


if __name__ == "__main__":
    for row in main():
        print(row)
