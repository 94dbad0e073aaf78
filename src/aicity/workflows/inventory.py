"""Derive the inventory indicators (firm counts, layer shares, anchors) of every city and park from
a classify run and write them to observations. Classification is in
:mod:`aicity.workflows.classification`, the industry map in :mod:`aicity.workflows.industry_map`.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from aicity.errors import ConfigError, InputError
from aicity.inventory import derive as inv_derive
from aicity.inventory.engines import ENGINES, duckdb_backend, spark_backend, spark_session
from aicity.inventory.taxonomy import Taxonomy, load_taxonomy
from aicity.store import Store
from aicity.store import inventory as sinv


@dataclass(frozen=True)
class InventoryResult:
    run_id: int
    classify_run_id: int | None
    engine: str
    n_firms: int
    n_observations: int
    anchor_threshold: float | None
    seconds: float
    derived: pd.DataFrame = field(repr=False)
    n_ai: int = 0  # firms counted in the indicators (with a layer)
    n_non_ai: int = 0  # firms the classifier called not AI firms: counted in no indicator
    n_unclassified: int = 0  # firms with no confident classification: counted in no indicator
    city_names: dict[str, str] = field(default_factory=dict, repr=False)  # code -> 杭州
    coverage: dict[str, int] = field(
        default_factory=dict
    )  # firms per coverage kind (registry / sample)
    # per city: projects and their planned / signed / actual amounts apart, by kind, stage and the
    # layer of their firm (aicity.workflows.projects.summarise); empty without projects
    projects: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)


def inventory(
    store: Store,
    engine: str = "duckdb",
    year: int | None = None,
    anchor_share: float = 0.05,
    classify_run_id: int | None = None,
    spark_master: str = "local[2]",
    spark: Any | None = None,
    progress: Callable[[str], None] | None = None,
) -> InventoryResult:
    """Derive the cluster indicators from the latest classification and write them to observations."""
    if engine not in ENGINES:
        raise ConfigError(f"engine {engine!r} is not one of {', '.join(ENGINES)}", path="--engine")
    if not 0 < anchor_share <= 1:
        raise ConfigError(
            f"anchor share must be in (0, 1], received {anchor_share}", path="--anchor-share"
        )
    n_firms = sinv.count_enterprises(store)
    if n_firms == 0:
        raise InputError(
            "the store has no enterprises to inventory",
            fix="ingest an enterprises file (aicity ingest FILE --table enterprises) or run aicity demo",
        )
    rid = classify_run_id if classify_run_id is not None else sinv.latest_run(store, "classify")
    if rid is not None:
        tax = Taxonomy(
            segments=tuple(load_taxonomy_records(sinv.run_taxonomy(store, rid))),
            source=f"classify run {rid}",
        )
    else:
        tax = load_taxonomy()
    params = inv_derive.DeriveParams(year=year or date.today().year, anchor_share=anchor_share)
    started = time.perf_counter()
    if progress:
        progress(f"deriving on {engine}")
    if engine == "duckdb":
        view = sinv.create_firms_view(store, rid)
        con = duckdb_backend(store.connection)
        derived = inv_derive.run_derivation(con, con.table(view), tax, params)
    else:
        session = spark or spark_session(spark_master)
        with tempfile.TemporaryDirectory(prefix="aicity-inventory-") as tmp:
            path = Path(tmp) / "firms.parquet"
            sinv.export_firms_parquet(store, rid, path)
            con = spark_backend(session)
            derived = inv_derive.run_derivation(con, con.read_parquet(str(path)), tax, params)
    seconds = time.perf_counter() - started
    defs = inv_derive.indicator_definitions(tax)
    with store.transaction():
        run_id = sinv.new_run(
            store,
            "inventory",
            tax.source,
            engine=engine,
            classify_run_id=rid,
            year=params.year,
            params={
                "anchor_share": anchor_share,
                "anchor_threshold": derived.attrs.get("anchor_threshold"),
            },
            n_firms=n_firms,
            status="running",
        )
        sinv.save_taxonomy(store, run_id, tax.to_records())
        sinv.register_indicators(store, defs)
        n_obs = sinv.write_derived(
            store,
            run_id,
            derived,
            dict(zip(defs["code"], defs["unit"], strict=True)),
            sample=sinv.coverage_counts(store).get("sample", 0) > 0,
        )
        sinv.update_run(store, run_id, n_observations=n_obs, seconds=seconds, status="done")
    from aicity.io.cities import CityResolver
    from aicity.store import core as score

    # names for every code: the store's cities first, the admin-code reference for the others
    resolver = CityResolver(score.cities(store))
    codes = derived.loc[derived["unit_type"] == "city", "unit_key"].astype(str).unique()
    names = {c: (resolver.cities[c].name_zh if c in resolver.cities else c) for c in codes}
    nation = derived[derived["unit_type"] == "nation"].set_index("indicator")["value"]

    def count(code: str) -> int:
        return int(nation.get(code, 0) or 0)

    return InventoryResult(
        run_id,
        rid,
        engine,
        n_firms,
        n_obs,
        derived.attrs.get("anchor_threshold"),
        seconds,
        derived,
        n_ai=count("inv_firms_total"),
        n_non_ai=count("inv_firms_non_ai"),
        n_unclassified=count("inv_firms_unclassified"),
        city_names=names,
        coverage=sinv.coverage_counts(store),
        projects=_project_summary(store, rid),
    )


def _project_summary(store: Store, classify_run_id: int | None) -> pd.DataFrame:
    from aicity.workflows.projects import project_summary

    return project_summary(store, classify_run_id=classify_run_id)


def load_taxonomy_records(records: list[dict[str, Any]]) -> list[Any]:
    """Segments from a run's stored taxonomy (same validation as a user file)."""
    from aicity.inventory.taxonomy import _from_entries

    return list(_from_entries(records, source="stored run taxonomy").segments)
