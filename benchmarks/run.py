"""Run every benchmarks/bench_*.py and print one table with the peers' figures beside ours.

Each benchmark module exposes ``main() -> list[dict]`` with keys: benchmark, ours_s, peer, peer_s, note.
Run one with ``python benchmarks/run.py index`` (matches bench_index.py); results are also written as JSON to
benchmarks/results/latest.json so closing notes can quote the measured figures.

Every row carries the machine's 1-minute load average when its benchmark file finished
(``os.getloadavg()``): the box has 2 cores shared with other work, and wall-clock figures taken at a load
above 2 are inflated. The ratio column is peer time / ours (a speed-up; headroom for "goal" rows).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
import traceback
from pathlib import Path

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.path.insert(0, str(HERE))
    spec.loader.exec_module(module)
    return module


def _loadavg() -> str:
    if not hasattr(os, "getloadavg"):
        return "unknown"
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds >= 1:
        return f"{seconds:.2f}"
    if seconds >= 0.001:
        return f"{seconds * 1000:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def main(argv: list[str]) -> int:
    # wide enough for the notes column when output goes to a file or a CI log
    console = Console(width=None if sys.stdout.isatty() else 170)
    wanted = set(argv)
    paths = sorted(HERE.glob("bench_*.py"))
    if wanted:
        paths = [p for p in paths if p.stem.removeprefix("bench_") in wanted]
    rows: list[dict] = []
    failures = 0
    loads_start = _loadavg()
    console.print(f"machine load (1/5/15 min): {loads_start} on {os.cpu_count()} cores")
    for path in paths:
        console.print(f"[bold]running[/] {path.name} ...")
        started = time.perf_counter()
        try:
            result = _load(path).main()
        except Exception:  # a failing benchmark is reported, the others still run
            failures += 1
            console.print(traceback.format_exc(), markup=False)
            continue
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        for row in result:
            rows.append({"file": path.name, "load": load, **row})
        shown = "unknown" if load is None else f"{load:.2f}"
        console.print(f"  done in {time.perf_counter() - started:.1f} s (load {shown})")

    table = Table(
        title="aicity benchmarks: ours beside the peers (wall-clock; peers' figures as recorded or "
        "measured in the same run; means against means)"
    )
    for col in ("benchmark", "ours", "peer", "peer time", "ratio", "load", "note"):
        table.add_column(col, overflow="fold")
    for row in rows:
        ours, peer_s = row.get("ours_s"), row.get("peer_s")
        speedup = f"{peer_s / ours:,.1f}x" if ours and peer_s else "-"
        load = row.get("load")
        table.add_row(
            str(row.get("benchmark", "")),
            _fmt(ours),
            str(row.get("peer") or "-"),
            _fmt(peer_s),
            speedup,
            "-" if load is None else f"{load:.1f}",
            str(row.get("note") or ""),
        )
    console.print(table)
    console.print(
        f"machine load (1/5/15 min): {loads_start} at the start, {_loadavg()} at the end, "
        f"{os.cpu_count()} cores"
    )
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(
        json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
