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
