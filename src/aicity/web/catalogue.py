"""The store's core tables as read at start-up, and the lookups the pages and the API make over them:
names, cities, parks, firms, observations, sources, data gaps and the download tables.

The first floor of the explorer (``aicity.web.explorer.Explorer``): nothing here reads an evaluation run.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from aicity.layers import LAYER_NAMES_EN, LAYER_NAMES_ZH, LAYERS
from aicity.web.errors import BadRequest, NotFound
from aicity.web.records import records, text

if TYPE_CHECKING:
    from aicity.store import Store
    from aicity.workflows.explore import StoreFrames

SEGMENT_COLUMNS = ["code", "layer", "name_zh", "name_en"]
CORE_TABLES = ("cities", "parks", "enterprises", "sources", "indicators", "observations")


@dataclass
class Tables:
    """The store's core tables as read at start-up."""

    cities: pd.DataFrame
    parks: pd.DataFrame
    enterprises: pd.DataFrame
    sources: pd.DataFrame
    indicators: pd.DataFrame
    observations: pd.DataFrame
    segments: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SEGMENT_COLUMNS))
    # layer counts of registry-kind firms (store.inventory.registry_layer_counts): the only firms a
    # layer-mix verdict reads
    registry: pd.DataFrame | None = None

    @classmethod
    def from_frames(cls, frames: StoreFrames) -> Tables:
        return cls(
            registry=frames.registry,
            cities=frames.cities,
            parks=frames.parks,
            enterprises=frames.enterprises,
            sources=frames.sources,
            indicators=frames.indicators,
            observations=frames.observations,
            segments=_taxonomy_frame(),
        )


def _taxonomy_frame() -> pd.DataFrame:
    try:
        from aicity.inventory.taxonomy import load_taxonomy
    except ImportError:  # the inventory package is optional for the explorer
        return pd.DataFrame(columns=SEGMENT_COLUMNS)
    taxonomy = load_taxonomy()
    return pd.DataFrame(
        [
            {"code": s.code, "layer": s.layer, "name_zh": s.name_zh, "name_en": s.name_en}
            for s in taxonomy.segments
        ]
    )


def _names(frame: pd.DataFrame, key: str) -> dict[str, tuple[str, str]]:
    """key -> (Chinese name, English name or the Chinese one)."""
    return {
        getattr(row, key): (
            row.name_zh,
            row.name_en if isinstance(row.name_en, str) else row.name_zh,
        )
        for row in frame.itertuples()
    }


class Catalogue:
    """The core tables, indexed once, and every lookup over them."""

    def __init__(self, tables: Tables, store: Store | None = None) -> None:
        self.tables = tables
        # kept (read-only) for what is read on demand (industry maps, projects, targets, the yearly table)
        self.store = store
        self.store_lock = threading.Lock()  # one reader of the store at a time
        self.cities = tables.cities.set_index("code", drop=False)
        self.parks = tables.parks.set_index("park_id", drop=False)
        self.city_names = _names(tables.cities, "code")
        self.park_names = _names(tables.parks, "park_id")
        self.segment_names = {
            row.code: (row.name_zh, row.name_en) for row in tables.segments.itertuples()
        }
        ent = tables.enterprises.copy()
        # lower-cased search text prepared once so a search is one vectorised `str.contains`
        description = ent.get("description", pd.Series("", index=ent.index))
        ent["_search"] = (text(ent["name"]) + " " + text(description)).str.lower()
        self.enterprises = ent
        from aicity.io.outlets import grade

        graded = [grade(u) for u in tables.sources["url"]]
        # outlet type graded from the outlet behind the URL (aicity/data/outlets.csv), shown per source
        self.sources = tables.sources.assign(
            outlet_type=[g.outlet_type for g in graded], outlet_name=[g.name for g in graded]
        ).set_index("source_id", drop=False)
        self._gaps: list[dict[str, Any]] | None = None
        # the downloads, built on first request (the data never change while the app runs)
        self.workbook: bytes | None = None
        self.template: bytes | None = None

    # ----- names ---------------------------------------------------------------------------------
    def city_name(self, code: str | None, lang: str) -> str:
        if code is None:
            return ""
        names = self.city_names.get(code)
        return (names[0] if lang == "zh" else names[1]) if names else str(code)

    def park_name(self, park_id: str | None, lang: str) -> str:
        if park_id is None:
            return ""
        names = self.park_names.get(park_id)
        return (names[0] if lang == "zh" else names[1]) if names else str(park_id)

    def segment_name(self, code: str | None, lang: str) -> str:
        if not code:
            return ""
        names = self.segment_names.get(code)
        return (names[0] if lang == "zh" else names[1]) if names else str(code)

    @staticmethod
    def layer_name(layer: str | None, lang: str) -> str:
        if not layer:
            return ""
        names = LAYER_NAMES_ZH if lang == "zh" else LAYER_NAMES_EN
        return names.get(layer, layer)

    # ----- cities, parks, firms, observations, sources --------------------------------------------
    def city_list(self) -> list[dict[str, Any]]:
        return records(self.tables.cities)

    def city(self, code: str) -> dict[str, Any]:
        if code not in self.cities.index:
            raise NotFound(
                f"city {code!r} not found: expected one of the {len(self.cities)} city codes "
                "listed at /api/v1/cities"
            )
        return records(self.cities.loc[[code]])[0]

    def park_list(self, city_code: str | None = None) -> list[dict[str, Any]]:
        frame = self.tables.parks
        if city_code is not None:
            frame = frame[frame["city_code"] == city_code]
        return records(frame)

    def park(self, park_id: str) -> dict[str, Any]:
        if park_id not in self.parks.index:
            raise NotFound(
                f"park {park_id!r} not found: expected one of the {len(self.parks)} park ids "
                "listed at /api/v1/parks"
            )
        return records(self.parks.loc[[park_id]])[0]

    def search_enterprises(
        self,
        *,
        q: str | None = None,
        city: str | None = None,
        park: str | None = None,
        layer: str | None = None,
        segment: str | None = None,
        include_synthetic: bool = True,
        page: int = 1,
        size: int = 50,
    ) -> tuple[list[dict[str, Any]], int]:
        """Filter enterprises (all filters combine); return one page of rows and the total count."""
        if layer is not None and layer not in LAYERS:
            raise BadRequest(f"layer must be one of {', '.join(LAYERS)}; got {layer!r}")
        frame = self.enterprises
        mask = pd.Series(True, index=frame.index)
        if q:
            mask &= frame["_search"].str.contains(q.lower(), regex=False)
        for column, wanted in (
            ("city_code", city),
            ("park_id", park),
            ("layer", layer),
            ("segment", segment),
        ):
            if wanted:
                mask &= frame[column] == wanted
        if not include_synthetic:
            mask &= ~frame["is_synthetic"].fillna(False).astype(bool)
        hits = frame[mask.fillna(False).astype(bool)]
        start = (page - 1) * size
        return records(hits.iloc[start : start + size].drop(columns=["_search"])), len(hits)

    def industry_map(self, enterprises: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Layers -> segments -> firms, in taxonomy order; firms without a segment go under "other"."""
        segments = self.tables.segments
        layers = []
        for layer in LAYERS:
            firms = [e for e in enterprises if e.get("layer") == layer]
            if not firms:
                continue
            cells = []
            known = list(segments.loc[segments["layer"] == layer, "code"])
            for code in [*known, None]:
                members = [
                    e
                    for e in firms
                    if (e.get("segment") if e.get("segment") in known else None) == code
                ]
                if members:
                    cells.append({"segment": code, "firms": members})
            layers.append({"layer": layer, "segments": cells, "count": len(firms)})
        return layers

    def observations_of(self, unit_type: str, unit_key: str) -> list[dict[str, Any]]:
        obs = self.tables.observations
        rows = obs[(obs["unit_type"] == unit_type) & (obs["unit_key"] == unit_key)]
        names = self.tables.indicators.set_index("code")
        out = records(rows.drop(columns=[c for c in ("valid_from", "valid_to") if c in rows]))
        for row in out:
            code = row.get("indicator")
            if code in names.index:
                row["indicator_zh"] = names.at[code, "name_zh"]
                row["indicator_en"] = names.at[code, "name_en"]
        return out

    def source(self, source_id: Any) -> dict[str, Any] | None:
        if source_id is None or source_id not in self.sources.index:
            return None
        return records(self.sources.loc[[source_id]])[0]

    def sources_of(
        self, observations: list[dict[str, Any]], evaluation: dict[str, Any] | None
    ) -> list[dict[str, Any]]:
        """Every source behind a city's numbers, with how many of its numbers each one backs."""
        counts: dict[Any, int] = {}
        for row in observations:
            counts[row.get("source_id")] = counts.get(row.get("source_id"), 0) + 1
        for row in (evaluation or {}).get("cells", []):
            if row.get("source_id") is not None and row.get("source_id") not in counts:
                counts[row.get("source_id")] = 1
        out = []
        for source_id, n in counts.items():
            source = self.source(source_id)
            if source is not None:
                out.append({**source, "n_numbers": n})
        return sorted(out, key=lambda s: (-s["n_numbers"], str(s.get("url"))))

    # ----- data gaps and downloads -----------------------------------------------------------------
    def data_gaps(self) -> list[dict[str, Any]]:
        """Per indicator: how many cities have a current value, which are missing, how many unverified."""
        if self._gaps is None:
            self._gaps = self._data_gaps()
        return self._gaps

    def _data_gaps(self) -> list[dict[str, Any]]:
        obs = self.tables.observations
        city_obs = obs[obs["unit_type"] == "city"]
        all_cities = list(self.tables.cities["code"])
        gaps = []
        for row in self.tables.indicators.itertuples():
            have = city_obs[city_obs["indicator"] == row.code]
            present = set(have.loc[have["value"].notna(), "unit_key"])
            gaps.append(
                {
                    "indicator": row.code,
                    "name_zh": row.name_zh,
                    "name_en": row.name_en,
                    "covered": len(present),
                    "cities": len(all_cities),
                    "missing": [c for c in all_cities if c not in present],
                    "unverified": int((~have["verified"].fillna(True).astype(bool)).sum()),
                    "estimates": int((have["kind"] != "actual").sum()),
                }
            )
        return gaps

    def download_tables(self) -> dict[str, pd.DataFrame]:
        """The tables offered for CSV download, by name (the same rows the pages show)."""
        return {name: getattr(self.tables, name) for name in CORE_TABLES}

    def table_frame(self, name: str) -> pd.DataFrame:
        """A named table for CSV download."""
        frames = self.download_tables()
        if name not in frames:
            raise NotFound(f"table {name!r} not found: expected one of {', '.join(sorted(frames))}")
        return frames[name]

    def table_names(self) -> list[str]:
        return list(self.download_tables())
