"""``aicity demo``: build a store from the bundled China AI 20 example, step by step.

Each step is a plain function taking the ``DemoRun``; later issues append steps (classify, inventory,
evaluate, report) to ``STEPS``. The bundled files go through exactly the same ingest code as user files.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from aicity.data.example import INGEST_ORDER
from aicity.paths import DEFAULT_DB
from aicity.store import Store, cities, indicators, observations
from aicity.workflows.ingest import IngestResult, ingest_file


@dataclass
class DemoRun:
    out: Path
    store: Store
    ingests: list[IngestResult] = field(default_factory=list)
    artefacts: dict[str, Path] = field(default_factory=dict)
    evaluation_run_id: str | None = None
    # wall seconds per step, and per piece of the report ("report: pdf", ...), in the order they ran
    timings: dict[str, float] = field(default_factory=dict)
    # a PdfWorker started with the run: WeasyPrint and matplotlib load while the data are built
    pdf_worker: Any = None

    @property
    def db_path(self) -> Path:
        return self.out / DEFAULT_DB


def ingest_example(run: DemoRun) -> None:
    """Step 1: the bundled registry, cities, parks, firms and facts, in dependency order."""
    folder = resources.files("aicity.data.example")
    for name, table in INGEST_ORDER:
        with resources.as_file(folder.joinpath(name)) as path:
            run.ingests.append(ingest_file(run.store, path, table, label=f"example/{name}"))


STEPS: list[tuple[str, Callable[[DemoRun], None]]] = [
    ("ingest the bundled example", ingest_example),
]


# ----- the full pipeline (issue 6): classify -> inventory -> evaluate -> uncertainty -> report ----------
def _reference_year(run: DemoRun) -> int:
    from aicity.workflows.cells import reference_year_of
    from aicity.workflows.evaluate_specs import indicator_specs, load_framework_spec

    spec, _ = load_framework_spec(None)
    codes = [str(i["code"]) for i in indicator_specs(spec)]
    return reference_year_of(observations(run.store, "city", indicators=codes), codes)


def classify_firms(run: DemoRun) -> None:
    from aicity.workflows.classification import classify

    classify(run.store, method="rules")


def derive_inventory(run: DemoRun) -> None:
    """Cluster indicators dated at the evaluation's reference year, so the evaluation can use them."""
    from aicity.workflows.inventory import inventory

    inventory(run.store, year=_reference_year(run))


def evaluate_cities(run: DemoRun) -> None:
    from aicity.workflows.evaluate import evaluate

    city_run = evaluate(run.store)
    run.evaluation_run_id = city_run.run_id
    # the same three dimensions for the parks with data of their own, at the same reference year
    evaluate(
        run.store,
        framework="china_ai_20_parks",
        year=city_run.record.reference_year,
        alternatives=None,
    )


def analyse_uncertainty(run: DemoRun) -> None:
    from aicity.workflows.evaluate_uncertainty import run_uncertainty_for

    assert run.evaluation_run_id is not None, "the evaluate step runs before this one"
    run_uncertainty_for(run.store, run.evaluation_run_id, n=1000, seed=1, sobol_n=256)


def publish_report(run: DemoRun) -> None:
    from aicity.workflows.report import build_report

    clock: dict[str, float] = {}

    def on_step(name: str) -> None:
        now = time.perf_counter()
        if clock:
            ((previous, started),) = clock.items()
            run.timings[f"report: {previous}"] = now - started
            clock.clear()
        clock[name] = now

    worker, run.pdf_worker = run.pdf_worker, None
    written = build_report(
        run.store,
        run.out,
        run_id=run.evaluation_run_id,
        lang="zh",
        on_step=on_step,
        pdf_worker=worker,
    )
    on_step("done")
    if worker is not None:
        run.timings.update({f"report: pdf worker: {k}": v for k, v in worker.seconds.items()})
    run.artefacts.update({f"report ({fmt})": path for fmt, path in written.items()})


FULL_STEPS: list[tuple[str, Callable[[DemoRun], None]]] = [
    ("classify the firms", classify_firms),
    ("derive the inventory indicators", derive_inventory),
    ("evaluate the cities and parks", evaluate_cities),
    ("uncertainty and sensitivity analysis", analyse_uncertainty),
    ("write the report (zh: html, pdf, xlsx)", publish_report),
]


def build_demo(
    out: str | Path,
    fresh: bool = True,
    progress: Callable[[str], None] | None = None,
    full: bool = False,
) -> DemoRun:
    """Run every demo step into ``out``/aicity.duckdb (rebuilt from scratch when ``fresh``); with ``full``
    also classify, inventory, evaluate, analyse uncertainty and write the report into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    db = out / DEFAULT_DB
    if fresh:
        for stale in (db, db.with_suffix(".duckdb.wal")):
            stale.unlink(missing_ok=True)
    run = DemoRun(out, Store.open(db))
    if (
        full
    ):  # the report's PDF renders in its own process: start it now, it loads while the data build
        from aicity.report.pdf_worker import PdfWorker

        run.pdf_worker = PdfWorker.start()
    try:
        for label, step in STEPS + (FULL_STEPS if full else []):
            if progress:
                progress(label)
            started = time.perf_counter()
            step(run)
            run.timings[label] = time.perf_counter() - started
    except BaseException:
        run.store.close()
        raise
    finally:
        if run.pdf_worker is not None:  # not handed to the report (it failed before, or no PDF)
            run.pdf_worker.close()
            run.pdf_worker = None
    return run


def coverage(store: Store, categories: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Cities x indicators: the latest current actual value and its year, or NA where missing.

    Returns a long frame (city_code, name_zh, indicator, category, value, value_text, year, kind, verified,
    n_facts).
    """
    obs = observations(store, "city")
    registry = indicators(store)
    if categories:
        registry = registry[registry["category"].isin(categories)]
    obs = obs[obs["indicator"].isin(registry["code"])]
    # actual facts before estimates before plan targets; then the latest year; then verified ones
    kind_rank = obs["kind"].map({"actual": 0, "estimate": 1, "plan_target": 2})
    obs = obs.assign(_k=kind_rank, _v=~obs["verified"].astype(bool), _y=-obs["year"].fillna(0))
    best = (
        obs.sort_values(["_k", "_y", "_v", "obs_id"])
        .groupby(["unit_key", "indicator"], as_index=False)
        .first()
    )
    counts = obs.groupby(["unit_key", "indicator"]).size().rename("n_facts").reset_index()
    best = best.merge(counts, on=["unit_key", "indicator"])
    grid = cities(store)[["code", "name_zh"]].merge(
        registry[["code", "category"]].rename(columns={"code": "indicator"}), how="cross"
    )
    table = grid.merge(
        best, left_on=["code", "indicator"], right_on=["unit_key", "indicator"], how="left"
    )
    return table.rename(columns={"code": "city_code"})[
        [
            "city_code",
            "name_zh",
            "indicator",
            "category",
            "value",
            "value_text",
            "year",
            "kind",
            "verified",
            "n_facts",
        ]
    ]
