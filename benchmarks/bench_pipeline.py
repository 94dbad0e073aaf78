"""Pipeline benchmark: N SYNTHETIC firms through the CLI as a user runs it, one new process per step:
``aicity synth enterprises`` (Parquet) -> ``aicity ingest --table enterprises`` -> ``aicity classify``
-> ``aicity inventory``, into a fresh DuckDB file.

Goal (issue 18): 1M firms in <= 40 s in all, 10M in <= 5 min on this 2-core machine. There is no peer;
the "peer" column holds the goal. Each step's wall time, CPU time (user + sys) and peak memory come from
the kernel's accounting of that child alone (``os.wait4``), so the interpreter start and imports count,
as they do for a user. The classifier is the CLI's default unless ``AICITY_BENCH_PIPELINE_METHOD`` names
one (``rules``, ``learned``); the note says which ran.

    python benchmarks/run.py pipeline                                   # 1,000,000 firms
    AICITY_BENCH_PIPELINE_ROWS=10000000 python benchmarks/bench_pipeline.py
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROWS = int(os.environ.get("AICITY_BENCH_PIPELINE_ROWS", "1000000"))
METHOD = os.environ.get("AICITY_BENCH_PIPELINE_METHOD", "")  # empty: the CLI's default
# seconds for the whole pipeline (issue 18): 40 s per million firms up to 1M, 5 min for 10M
GOAL_S = {1_000_000: 40.0, 10_000_000: 300.0}
# ingest exits 3 when it rejected rows (and wrote the others): still a finished step
FINISHED = {"ingest": (0, 3)}
# what `aicity classify` says it ran: "classify run 1 (learned, model v1): ..."
_RAN = re.compile(r"classify run \d+ \(([^)]*)\)")


def _step(argv: list[str], cwd: Path) -> dict:
    """Run one CLI command as a new process: wall and CPU seconds, peak RSS (MB), exit code."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert child.stdout is not None
    output = child.stdout.read()  # read while it runs: a full pipe would stall the child
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return {
        "seconds": time.perf_counter() - started,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,  # kilobytes on Linux
        "code": child.returncode,
        "output": output.decode("utf-8", errors="replace"),
    }


def _goal(rows: int) -> float:
    return GOAL_S.get(rows, 40.0 * rows / 1_000_000)


def main() -> list[dict]:
    exe = str(Path(sys.executable).with_name("aicity"))
    load = os.getloadavg()[0]
    classify = ["classify", "--db", "firms.duckdb"] + (["--method", METHOD] if METHOD else [])
    steps = {
        "synth": ["synth", "enterprises", "--rows", str(ROWS), "--out", "firms.parquet"],
        "ingest": ["ingest", "firms.parquet", "--table", "enterprises", "--db", "firms.duckdb"],
        "classify": classify,
        "inventory": ["inventory", "--db", "firms.duckdb"],
    }
    measured: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="aicity-bench-pipeline-") as tmp:
        for name, args in steps.items():
            run = _step([exe, "--quiet", *args], Path(tmp))
            if run["code"] not in FINISHED.get(name, (0,)):
                tail = "\n".join(run["output"].splitlines()[-15:])
                raise RuntimeError(
                    f"`aicity {' '.join(args)}` exited {run['code']}, expected "
                    f"{FINISHED.get(name, (0,))}; its last lines:\n{tail}"
                )
            measured[name] = run
    ran = _RAN.search(" ".join(measured["classify"]["output"].split()))
    method = (ran.group(1) if ran else "not stated") + ("" if METHOD else ", the CLI default")
    total = sum(r["seconds"] for r in measured.values())
    rows = [
        {
            "benchmark": f"pipeline step: aicity {name} ({ROWS:,} synthetic firms)",
            "ours_s": run["seconds"],
            "peer": None,
            "peer_s": None,
            "note": f"CPU {run['cpu']:.1f} s, peak {run['peak_mb']:,.0f} MB, exit {run['code']}"
            + (f"; classifier {method}" if name == "classify" else ""),
        }
        for name, run in measured.items()
    ]
    rows.append(
        {
            "benchmark": f"pipeline synth -> ingest -> classify -> inventory, {ROWS:,} synthetic "
            "firms (CLI, a new process per step)",
            "ours_s": total,
            "peer": "goal (issue 18)" if ROWS in GOAL_S else "goal (issue 18), pro rata",
            "peer_s": _goal(ROWS),
            "note": f"classifier {method}; CPU {sum(r['cpu'] for r in measured.values()):.1f} s; "
            f"highest step peak {max(r['peak_mb'] for r in measured.values()):,.0f} MB; "
            f"load avg {load:.1f} at the start on {os.cpu_count()} cores",
        }
    )
    return rows


if __name__ == "__main__":
    for row in main():
        print(row)
