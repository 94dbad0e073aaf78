"""What a store holds, for ``aicity info`` and the web explorer."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from aicity.store import Store, ingests, rejected_rows
from aicity.store import core as store_core


@dataclass
class StoreSummary:
    schema_version: int
    counts: dict[str, int]
    observations: pd.DataFrame  # unit_type, current, history, indicators, first_year, last_year
    kinds: dict[str, int]
    unverified: int
    n_sources: int
    source_grades: dict[str, int]
    ingests: pd.DataFrame
    n_rejected: int
    rejected: pd.DataFrame


def store_summary(store: Store, last_ingests: int = 10) -> StoreSummary:
    obs = store_core.observation_summary(store)
    current = store_core.observations(store)
    sources = store_core.sources(store)
    rejected = rejected_rows(store)
    return StoreSummary(
        schema_version=store.schema_version(),
        counts=store.table_counts(),
        observations=obs,
        kinds=current["kind"].value_counts().to_dict(),
        unverified=int((~current["verified"].astype(bool)).sum()),
        n_sources=len(sources),
        source_grades=sources["reliability"].value_counts().sort_index().to_dict(),
        ingests=ingests(store).head(last_ingests),
        n_rejected=len(rejected),
        rejected=rejected,
    )


def city_names(store: Store, lang: str = "zh") -> dict[str, str]:
    """City code -> name (zh or en, falling back to zh) of the store's cities."""
    cities = store_core.cities(store)
    names = cities["name_zh" if lang == "zh" else "name_en"].fillna(cities["name_zh"])
    return dict(zip(cities["code"].astype(str), names.astype(str), strict=True))


def evaluation_runs(store: Store) -> pd.DataFrame:
    """Every stored evaluation run, newest first (``aicity runs list``)."""
    from aicity.store.runs import list_runs

    return list_runs(store)


def stored_run(store: Store, run_id: str | None = None, unit_type: str = "city"):  # -> StoredRun
    """A stored evaluation run (default: the latest of ``unit_type``), as one typed object."""
    from aicity.errors import InputError
    from aicity.store.runs import latest_run_id, load_run

    run_id = run_id or latest_run_id(store, unit_type)
    if run_id is None:
        raise InputError(
            "the store has no evaluation run", fix="run `aicity evaluate` (or `aicity demo`) first"
        )
    return load_run(store, run_id)


def inventory_runs(store: Store) -> pd.DataFrame:
    """The classify and inventory runs (``aicity inventory --list``)."""
    from aicity.store import inventory as sinv

    return sinv.runs(store)


def append_synthetic_registry(store: Store, path) -> int:  # path: a Parquet file from aicity synth
    """Append the firms of a synthetic registry Parquet file; returns how many were added."""
    from aicity.store import inventory as sinv

    return sinv.load_enterprises_parquet(store, path)
