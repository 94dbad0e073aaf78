"""What the web explorer reads from a store at start-up: the core tables, the registry-kind firm counts,
the stored runs and the latest city run. ``aicity.web`` calls these, never the store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from aicity.store import Store
    from aicity.store.runs import StoredRun


@dataclass(frozen=True)
class StoreFrames:
    cities: pd.DataFrame
    parks: pd.DataFrame
    enterprises: pd.DataFrame
    sources: pd.DataFrame
    indicators: pd.DataFrame
    observations: pd.DataFrame
    registry: (
        pd.DataFrame
    )  # registry-kind firms by city, park and layer (the layer-mix verdict's basis)
    runs: pd.DataFrame  # every stored evaluation run, newest first


def store_frames(store: Store) -> StoreFrames:
    """Every table the explorer holds in memory, read once."""
    from aicity.store import core
    from aicity.store import inventory as store_inventory
    from aicity.store.runs import list_runs

    return StoreFrames(
        cities=core.cities(store),
        parks=core.parks(store),
        enterprises=core.enterprises(store),
        sources=core.sources(store),
        indicators=core.indicators(store),
        observations=core.observations(store),
        registry=store_inventory.registry_layer_counts(
            store, store_inventory.latest_run(store, "classify")
        ),
        runs=list_runs(store),
    )


def latest_city_run(store: Store) -> StoredRun | None:
    """The newest city evaluation run; None when the store holds none yet."""
    from aicity.errors import StoreError
    from aicity.store.runs import latest_run_id, load_run

    try:
        run_id = latest_run_id(store, unit_type="city")
    except StoreError:
        return None
    return None if run_id is None else load_run(store, run_id)
