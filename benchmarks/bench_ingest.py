"""Ingest benchmark: 1,000,000 SYNTHETIC enterprise rows (GB18030 CSV) read, validated and stored,
beside a plain ``duckdb.read_csv`` of the same rows in UTF-8 (no validation), measured in the same run.

Goals (issue 2): >= 250,000 rows/s validated, peak memory < 2 GB, within 3x of the plain read.
Peak memory is measured in a child process (ru_maxrss) so the figure is the ingest's alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
N_ROWS = int(os.environ.get("AICITY_BENCH_ROWS", "1000000"))

_CHILD = """
import json, resource, sys, time
from aicity.store import Store
from aicity.workflows.ingest import ingest_file
store = Store.open(sys.argv[2])
t0 = time.perf_counter()
result = ingest_file(store, sys.argv[1], "enterprises")
elapsed = time.perf_counter() - t0
store.close()
print(json.dumps({"seconds": elapsed, "rows": result.n_rows, "accepted": result.n_accepted,
                  "rejected": result.n_rejected,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _plain_duckdb(path: Path) -> tuple[float, int]:
    import duckdb

    con = duckdb.connect()
    t0 = time.perf_counter()
    con.execute(
        f"CREATE TABLE t AS SELECT * FROM read_csv('{path}', header = true, all_varchar = true)"
    )
    elapsed = time.perf_counter() - t0
    rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    con.close()
    return elapsed, rows


def main() -> list[dict]:
    sys.path.insert(0, str(HERE))
    from synthetic_enterprises import write

    with tempfile.TemporaryDirectory(prefix="aicity-bench-") as tmp:
        gb, utf8 = write(N_ROWS, Path(tmp))
        peer_s, peer_rows = _plain_duckdb(utf8)
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, str(gb), str(Path(tmp) / "bench.duckdb")],
            capture_output=True,
            text=True,
            check=True,
        )
        ours = json.loads(out.stdout.strip().splitlines()[-1])
    rate = ours["rows"] / ours["seconds"]
    ratio = ours["seconds"] / peer_s
    note = (
        f"synthetic; {ours['rows']:,} GB18030 rows: {rate:,.0f} rows/s validated+stored "
        f"(goal >= 250,000), {ours['accepted']:,} accepted / {ours['rejected']:,} rejected, "
        f"peak {ours['peak_mb']:,.0f} MB (goal < 2,048), {ratio:.1f}x the plain read (goal <= 3x)"
    )
    return [
        {
            "benchmark": f"ingest {N_ROWS:,} enterprises (GB18030, validated)",
            "ours_s": ours["seconds"],
            "peer": f"duckdb.read_csv UTF-8, no validation ({peer_rows:,} rows)",
            "peer_s": peer_s,
            "note": note,
        }
    ]


if __name__ == "__main__":
    for row in main():
        print(row)
