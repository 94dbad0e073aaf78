"""Inventory at national scale: 10,000,000 SYNTHETIC firms classified (rules) and turned into every
derived indicator on DuckDB, beside a pandas implementation of the same on 1,000,000 and the Spark
engine (local[2]) on 1,000,000, in one run.

Each measured pipeline runs in its own child process so its peak memory (ru_maxrss) is its own.
The registry is generated in chunks to Parquet first (timed separately). Goal: 10M in under 120 s on
2 cores with peak memory under 6 GB. The per-city segment counts of ours and of each peer (pandas, Spark)
are compared both ways: every count either side has, a count one side leaves out reading as 0.

    python benchmarks/run.py inventory
    AICITY_BENCH_INVENTORY_ROWS=1000000 python benchmarks/bench_inventory.py   # a quicker run
"""

from __future__ import annotations

import json
import math
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROWS = int(os.environ.get("AICITY_BENCH_INVENTORY_ROWS", "10000000"))
PEER_ROWS = min(ROWS, int(os.environ.get("AICITY_BENCH_INVENTORY_PEER_ROWS", "1000000")))
YEAR = 2025
ANCHOR_SHARE = 0.05
MEMORY_LIMIT = "4GB"  # DuckDB spills beyond this; the goal is a 6 GB peak for the whole process


def _peak_mb() -> float:
    """This process's own peak RSS (VmHWM; ru_maxrss would include the parent's RSS at fork time)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _segment_counts(derived) -> dict[str, float]:
    """Per-city firm counts per segment, ``unit|indicator -> value``, from a derived-indicator frame."""
    seg = derived[
        (derived.unit_type == "city") & derived.indicator.str.startswith("inv_firms_seg_")
    ]
    return {f"{r.unit_key}|{r.indicator}": float(r.value) for r in seg.itertuples()}


def same_both_ways(ours: dict[str, float], peer: dict[str, float]) -> tuple[bool, str]:
    """Compare two count tables in both directions: every key of either side, a key absent on one
    side counting as 0 there (the pandas peer writes explicit zeros, the derivation leaves them out).
    Returns (identical, a note with what differs)."""
    keys = ours.keys() | peer.keys()
    only_ours = [k for k in keys - peer.keys() if ours[k] != 0]
    only_peer = [k for k in keys - ours.keys() if peer[k] != 0]
    differ = [k for k in ours.keys() & peer.keys() if ours[k] != peer[k]]
    same = not (only_ours or only_peer or differ)
    note = (
        f"identical both ways: {same} ({len(keys):,} city x segment counts; non-zero only in ours "
        f"{len(only_ours)}, only in the peer {len(only_peer)}; different {len(differ)})"
    )
    return same, note


def _cpu_s() -> float:
    """CPU seconds of this process (user + system): a figure the machine's other load cannot inflate."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ----- children -----------------------------------------------------------------------------------
def child_duckdb(parquet: str, workdir: str) -> dict:
    """Ours: rules classification in the store (RE2 matching in DuckDB, numpy scoring of Arrow batches),
    then the Ibis derivation, in DuckDB."""
    import pandas as pd

    from aicity.inventory.derive import DeriveParams, run_derivation
    from aicity.inventory.engines import duckdb_backend
    from aicity.inventory.rules import NAME_WEIGHT, keyword_pattern
    from aicity.inventory.taxonomy import load_taxonomy
    from aicity.store import Store
    from aicity.store import inventory as sinv

    tax = load_taxonomy()
    store = Store.open(Path(workdir) / "bench.duckdb")
    store.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    store.execute(f"SET temp_directory = '{workdir}/spill'")
    started = time.perf_counter()
    n = sinv.attach_parquet(store, "synthetic_firms", Path(parquet))
    run_id = sinv.new_run(store, "classify", tax.source, method="rules")
    keywords = pd.DataFrame(tax.keyword_rows(), columns=["keyword", "segment", "layer", "pos"])
    sinv.classify_rules_in_db(
        store, run_id, keywords, keyword_pattern(tax), NAME_WEIGHT, "synthetic_firms"
    )
    classified_s = time.perf_counter() - started
    view = sinv.create_firms_view(store, run_id, relation="synthetic_firms")
    con = duckdb_backend(store.connection)
    derived = run_derivation(con, con.table(view), tax, DeriveParams(YEAR, ANCHOR_SHARE))
    total_s = time.perf_counter() - started
    counts = store.fetch_df(
        "SELECT count(segment) AS classified, count(*) FILTER (WHERE method = 'input') AS labelled "
        "FROM classifications WHERE run_id = ?",
        [run_id],
    ).iloc[0]
    # accuracy against the generator's truth (the synthetic rows carry it)
    accuracy = store.fetch_one(
        "SELECT avg(CASE WHEN c.segment = s.true_segment THEN 1.0 ELSE 0.0 END) FROM classifications c "
        "JOIN synthetic_firms s USING (enterprise_id) WHERE c.run_id = ? AND c.method = 'rules'",
        [run_id],
    )
    store.close()
    return {
        "rows": n,
        "classify_s": classified_s,
        "total_s": total_s,
        "observations": len(derived),
        "classified": int(counts["classified"]),
        "labelled": int(counts["labelled"]),
        "rules_accuracy": float(accuracy),
        "seg_counts": _segment_counts(derived),
        "peak_mb": _peak_mb(),
        "cpu_s": _cpu_s(),
    }


def child_pandas(parquet: str, rows: int) -> dict:
    """Peer: the same rules (same pattern, weights, tie rule) and indicators written in plain pandas."""
    import numpy as np
    import pandas as pd
    import pyarrow.parquet as pq

    from aicity.inventory.rules import NAME_WEIGHT, keyword_pattern
    from aicity.inventory.taxonomy import load_taxonomy

    tax = load_taxonomy()
    table = pq.read_table(
        parquet,
        columns=[
            "enterprise_id",
            "name",
            "description",
            "city_code",
            "layer",
            "segment",
            "founded",
            "size",
        ],
    ).slice(0, rows)
    df = table.to_pandas()
    started = time.perf_counter()
    pattern = re.compile(keyword_pattern(tax), re.IGNORECASE)
    kw = pd.DataFrame(tax.keyword_rows(), columns=["kw", "seg", "lay", "pos"])
    todo = df[df["segment"].isna()]
    parts = []
    for field, weight in (("name", NAME_WEIGHT), ("description", 1.0)):
        hits = todo[field].str.findall(pattern).explode().dropna()
        part = pd.DataFrame(
            {
                "enterprise_id": todo.loc[hits.index, "enterprise_id"].to_numpy(),
                "kw": hits.str.lower().to_numpy(),
            }
        )
        part = part.drop_duplicates()
        part["w"] = weight
        parts.append(part)
    hits = pd.concat(parts, ignore_index=True).merge(kw, on="kw")
    scores = hits.groupby(["enterprise_id", "seg"], as_index=False).agg(
        score=("w", "sum"), pos=("pos", "first"), lay=("lay", "first")
    )
    top = scores.sort_values(
        ["enterprise_id", "score", "pos"], ascending=[True, False, True]
    ).drop_duplicates("enterprise_id")
    final = df[["enterprise_id", "city_code", "layer", "segment", "founded", "size"]].copy()
    pred = final["enterprise_id"].map(top.set_index("enterprise_id")["seg"])
    final["segment"] = final["segment"].fillna(pred)
    final["layer"] = final["layer"].fillna(
        final["enterprise_id"].map(top.set_index("enterprise_id")["lay"])
    )
    classify_s = time.perf_counter() - started
    # indicators per city and for the nation
    layers = ["foundation", "technology", "application"]
    seg_layer = {s.code: s.layer for s in tax}
    out = {}
    by_city_seg = (
        final.groupby(["city_code", "segment"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=tax.codes, fill_value=0)
    )
    nation_seg = by_city_seg.sum()
    by_city_layer = (
        final.groupby(["city_code", "layer"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=layers, fill_value=0)
    )
    shares = by_city_layer.div(by_city_layer.sum(axis=1), axis=0)
    nat_share = by_city_layer.sum() / by_city_layer.values.sum()
    lq = shares / nat_share
    seg_share = by_city_seg.div(by_city_seg.sum(axis=1), axis=0)
    seg_lq = seg_share / (nation_seg / nation_seg.sum())
    hhi = (seg_share**2).sum(axis=1)
    present = by_city_seg > 0
    completeness = {
        lay: present[[c for c in tax.codes if seg_layer[c] == lay]].mean(axis=1) for lay in layers
    }
    sized = final["size"].dropna()
    k = max(1, math.ceil(ANCHOR_SHARE * len(sized)))
    threshold = np.sort(sized.to_numpy())[-k]
    anchors = final[final["size"] >= threshold].groupby("city_code").size()
    new_firms = final.dropna(subset=["founded"]).groupby(["city_code", "founded"]).size()
    total_s = time.perf_counter() - started
    for city, row in by_city_seg.iterrows():
        for code, value in row.items():
            out[f"{city}|inv_firms_seg_{code}"] = float(value)
    _ = (lq, seg_lq, hhi, completeness, anchors, new_firms)
    return {
        "rows": len(df),
        "classify_s": classify_s,
        "total_s": total_s,
        "seg_counts": out,
        "peak_mb": _peak_mb(),
    }


def child_spark(parquet: str, workdir: str, rows: int) -> dict:
    """The Spark engine: the same Ibis derivation on PySpark local[2], over firms classified by DuckDB."""
    import pandas as pd

    from aicity.inventory.derive import DeriveParams, run_derivation
    from aicity.inventory.engines import spark_backend, spark_session
    from aicity.inventory.rules import NAME_WEIGHT, keyword_pattern
    from aicity.inventory.taxonomy import load_taxonomy
    from aicity.store import Store
    from aicity.store import inventory as sinv

    tax = load_taxonomy()
    store = Store.open(Path(workdir) / "spark-input.duckdb")
    store.execute(
        f"CREATE OR REPLACE TEMP VIEW firms_slice AS SELECT * FROM read_parquet('{parquet}') LIMIT {int(rows)}"
    )
    run_id = sinv.new_run(store, "classify", tax.source, method="rules")
    keywords = pd.DataFrame(tax.keyword_rows(), columns=["keyword", "segment", "layer", "pos"])
    sinv.classify_rules_in_db(
        store, run_id, keywords, keyword_pattern(tax), NAME_WEIGHT, "firms_slice"
    )
    classified = Path(workdir) / "classified.parquet"
    sinv.export_firms_parquet(store, run_id, classified, relation="firms_slice")
    store.close()
    t0 = time.perf_counter()
    session = spark_session("local[2]")
    session.sparkContext.setLogLevel("ERROR")
    start_s = time.perf_counter() - t0
    con = spark_backend(session)
    started = time.perf_counter()
    derived = run_derivation(
        con, con.read_parquet(str(classified)), tax, DeriveParams(YEAR, ANCHOR_SHARE)
    )
    derive_s = time.perf_counter() - started
    session.stop()
    return {
        "rows": rows,
        "session_s": start_s,
        "derive_s": derive_s,
        "observations": len(derived),
        "seg_counts": _segment_counts(derived),
        "peak_mb": _peak_mb(),
    }


# ----- parent -------------------------------------------------------------------------------------
def _run_child(kind: str, *args: str) -> dict:
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run(
        [sys.executable, __file__, "--child", kind, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} child failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> list[dict]:
    from aicity.inventory.synth import SynthSpec, write

    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="aicity-bench-inventory-") as tmp:
        parquet = Path(tmp) / "firms.parquet"
        t0 = time.perf_counter()
        write(SynthSpec(rows=ROWS, seed=2026, chunk_rows=500_000), parquet)
        gen_s = time.perf_counter() - t0
        rows.append(
            {
                "benchmark": f"synth enterprises, {ROWS:,} rows to Parquet (chunked)",
                "ours_s": gen_s,
                "peer": None,
                "peer_s": None,
                "note": f"{parquet.stat().st_size / 1e6:.0f} MB zstd Parquet; SYNTHETIC rows",
            }
        )
        ours = _run_child("duckdb", str(parquet), tmp)
        rows.append(
            {
                "benchmark": f"inventory {ours['rows']:,} firms on DuckDB: classify (rules: RE2 in DuckDB + numpy scoring) + all indicators",
                "ours_s": ours["total_s"],
                "peer": None,
                "peer_s": None,
                "note": (
                    f"classify {ours['classify_s']:.1f} s + derive {ours['total_s'] - ours['classify_s']:.1f} s; "
                    f"peak RSS {ours['peak_mb'] / 1024:.2f} GB (DuckDB memory_limit {MEMORY_LIMIT}); "
                    f"{ours['observations']:,} observations; rules accuracy vs synthetic truth "
                    f"{ours['rules_accuracy']:.3f}; process CPU {ours.get('cpu_s', 0):.0f} s; "
                    f"machine load {os.getloadavg()[0]:.1f}; goal < 120 s and < 6 GB"
                ),
            }
        )
        # peers on the first PEER_ROWS rows; ours on the same slice for a like-for-like figure
        slice_path = Path(tmp) / "slice.parquet"
        import pyarrow.parquet as pq

        source = pq.ParquetFile(parquet)
        with pq.ParquetWriter(
            slice_path, source.schema_arrow
        ) as writer:  # streamed: bounded memory
            left = PEER_ROWS
            for batch in source.iter_batches(batch_size=100_000):
                if left <= 0:
                    break
                writer.write_batch(batch.slice(0, left))
                left -= min(left, batch.num_rows)
        ours_small = _run_child("duckdb", str(slice_path), tmp + "/small")
        peer = _run_child("pandas", str(slice_path), str(PEER_ROWS))
        _, same = same_both_ways(ours_small["seg_counts"], peer["seg_counts"])
        rows.append(
            {
                "benchmark": f"inventory {PEER_ROWS:,} firms: DuckDB (ours) vs pandas (same rules + indicators)",
                "ours_s": ours_small["total_s"],
                "peer": "pandas 3.1 (str.findall + groupby)",
                "peer_s": peer["total_s"],
                "note": (
                    f"pandas classify {peer['classify_s']:.1f} s; peak RSS ours {ours_small['peak_mb'] / 1024:.2f} GB, "
                    f"pandas {peer['peak_mb'] / 1024:.2f} GB; per-city segment counts {same}"
                ),
            }
        )
        try:
            spark = _run_child("spark", str(parquet), tmp, str(PEER_ROWS))
            _, spark_same = same_both_ways(ours_small["seg_counts"], spark["seg_counts"])
            rows.append(
                {
                    "benchmark": f"derive indicators, {PEER_ROWS:,} classified firms: DuckDB (ours) vs Spark engine",
                    "ours_s": ours_small["total_s"] - ours_small["classify_s"],
                    "peer": "PySpark 4.0 local[2] (same Ibis code)",
                    "peer_s": spark["derive_s"],
                    "note": f"Spark session start {spark['session_s']:.1f} s not included; "
                    f"{spark['observations']:,} observations (DuckDB {ours_small['observations']:,}); "
                    f"per-city segment counts {spark_same}",
                }
            )
        except RuntimeError as exc:  # Spark is an extra: report, do not fail the whole table
            rows.append(
                {
                    "benchmark": "Spark engine",
                    "ours_s": None,
                    "peer": "PySpark",
                    "peer_s": None,
                    "note": f"not run: {str(exc).splitlines()[-1][:120]}",
                }
            )
    return rows


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        kind, args = sys.argv[2], sys.argv[3:]
        if kind == "duckdb":
            Path(args[1]).mkdir(parents=True, exist_ok=True)
            result = child_duckdb(args[0], args[1])
        elif kind == "pandas":
            result = child_pandas(args[0], int(args[1]))
        else:
            result = child_spark(args[0], args[1], int(args[2]))
        print(json.dumps(result))
    else:
        for row in main():
            print(row)
