"""CLI start: `aicity --help` and a failing command, each a new process, as a user types them.

Goal (issue 15): <= 0.3 s on this 2-core box. There is no peer; the "peer" column holds the goal, and a
bare `python -c pass` in the same run shows what the interpreter alone costs. Mean of 10 runs each.
Whether starting the CLI imports no heavy library is a test (tests/cli/test_import_cost.py), not this.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

GOAL_S = 0.3
RUNS = 10


def _mean_seconds(argv: list[str], runs: int = RUNS) -> tuple[float, float]:
    """(mean, min) wall seconds of ``argv`` as a new process; one warm-up run first."""
    subprocess.run(argv, capture_output=True, check=False)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return statistics.fmean(times), min(times)


def main() -> list[dict]:
    exe = str(Path(sys.executable).with_name("aicity"))
    bare, _ = _mean_seconds([sys.executable, "-c", "pass"])
    rows = []
    for name, argv in (
        ("aicity --help", [exe, "--help"]),
        ("aicity no-such-command (usage error, exit 2)", [exe, "no-such-command"]),
        ("aicity index build --no-such-option (usage error)", [exe, "index", "build", "--nope"]),
    ):
        mean, best = _mean_seconds(argv)
        rows.append(
            {
                "benchmark": f"CLI start: {name}",
                "ours_s": mean,
                "peer": "goal",
                "peer_s": GOAL_S,
                "note": (
                    f"mean of {RUNS} new processes, min {best:.3f} s; bare interpreter {bare:.3f} s; "
                    f"load {os.getloadavg()[0]:.1f} on 2 cores"
                ),
            }
        )
    return rows


if __name__ == "__main__":
    for row in main():
        print(row)
