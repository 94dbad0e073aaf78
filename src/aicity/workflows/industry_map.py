"""The industry map of a city or park from the current inventory run, and the unit lookups it and
other workflows share (a city by name or code, a park within it, the cities with firms)."""

from __future__ import annotations

import pandas as pd

from aicity.errors import ConfigError, InputError
from aicity.inventory.taxonomy import Taxonomy
from aicity.languages import LANGUAGES
from aicity.layers import LAYER_NAMES_EN, LAYER_NAMES_ZH, LAYERS
from aicity.store import Store
from aicity.store import inventory as sinv
from aicity.workflows.inventory import load_taxonomy_records


def resolve_unit(store: Store, city: str, park: str | None = None) -> tuple[str, str, str, str]:
    """(unit_type, unit_key, display name zh, display name en) for a city name/code and optional park."""
    from aicity.store import core as score

    cities = score.cities(store)
    wanted = city.strip().removesuffix("市")
    match = cities[
        (cities["code"] == wanted)
        | (cities["name_zh"].str.removesuffix("市") == wanted)
        | (cities["name_en"].fillna("").str.lower() == wanted.lower())
    ]
    if cities.empty:
        raise InputError(
            "the store has no cities",
            fix="run `aicity demo`, or `aicity ingest FILE --table cities`",
        )
    if match.empty:
        raise InputError(
            f"unknown city {city!r}; the store has {', '.join(cities['name_zh'].head(8))}, ...",
            fix="pass a city name (杭州 / Hangzhou) or its 6-digit code",
        )
    row = match.iloc[0]
    if park is None:
        return "city", str(row["code"]), str(row["name_zh"]), str(row["name_en"] or row["name_zh"])
    parks = score.parks(store, str(row["code"]))
    pm = parks[(parks["park_id"] == park) | (parks["name_zh"] == park) | (parks["name_en"] == park)]
    if pm.empty:
        names = ", ".join(f"{r.park_id} ({r.name_zh})" for r in parks.itertuples()) or "none"
        raise InputError(
            f"no park {park!r} in {row['name_zh']}; its parks: {names}", fix="pass --park PARK_ID"
        )
    p = pm.iloc[0]
    return "park", str(p["park_id"]), str(p["name_zh"]), str(p["name_en"] or p["name_zh"])


def cities_with_firms(store: Store) -> list[tuple[str, str]]:
    """(code, name_zh) of every city of the current inventory run with at least one firm, most firms first."""
    obs = sinv.derived_observations(store, unit_type="city")
    totals = obs[(obs["indicator"] == "inv_firms_total") & (obs["value"] > 0)]
    from aicity.store import core as score

    names = score.cities(store).set_index("code")["name_zh"]
    ordered = totals.sort_values(["value", "unit_key"], ascending=[False, True])["unit_key"]
    return [(str(k), str(names.get(k, k))) for k in ordered]


def industry_map_data(
    store: Store,
    city: str,
    park: str | None = None,
    lang: str = "zh",
    margin: float = 0.05,
    max_firms: int = 3,
):
    """Everything the industry map of a city (or park) shows, from the current inventory run."""
    from aicity.viz.industry_map import Band, Cell, IndustryMapData, finding_sentence, layer_mix

    if lang not in LANGUAGES:
        raise ConfigError(f"lang must be zh or en, received {lang!r}", path="--lang")
    unit_type, unit_key, name_zh, name_en = resolve_unit(store, city, park)
    inv_run = sinv.latest_run(store, "inventory")
    if inv_run is None:
        raise InputError("the store has no inventory run yet", fix="run `aicity inventory` first")
    run = sinv.run_row(store, inv_run)
    tax = Taxonomy(
        segments=tuple(load_taxonomy_records(sinv.run_taxonomy(store, inv_run))),
        source=f"inventory run {inv_run}",
    )
    obs = sinv.derived_observations(store, inv_run)
    local = obs[(obs["unit_type"] == unit_type) & (obs["unit_key"] == unit_key)]
    nation = obs[obs["unit_type"] == "nation"]
    values = dict(zip(local["indicator"], local["value"], strict=True))
    nat_values = dict(zip(nation["indicator"], nation["value"], strict=True))
    cid = run["classify_run_id"]
    classify_run = None if pd.isna(cid) else int(cid)
    if unit_type == "city":
        city_key = unit_key
    else:
        from aicity.store import core as score

        parks = score.parks(store)
        city_key = str(parks.loc[parks["park_id"] == unit_key, "city_code"].iloc[0])
    firms = sinv.leading_firms(
        store, classify_run, city_key, unit_key if unit_type == "park" else None
    )
    bands = []
    for layer in LAYERS:
        cells = []
        for seg in tax.in_layer(layer):
            count = int(values.get(f"inv_firms_seg_{seg.code}", 0) or 0)
            names = tuple(firms.loc[firms["segment"] == seg.code, "name"].head(max_firms))
            cells.append(Cell(seg.code, seg.name(lang), count, names))
        bands.append(
            Band(layer, (LAYER_NAMES_ZH if lang == "zh" else LAYER_NAMES_EN)[layer], tuple(cells))
        )
    mix = layer_mix(
        {k: values[f"inv_share_{k}"] for k in LAYERS if f"inv_share_{k}" in values},
        {k: nat_values[f"inv_share_{k}"] for k in LAYERS if f"inv_share_{k}" in nat_values},
        lang,
    )
    n_firms = int(values.get("inv_firms_total", 0) or 0)
    n_seg = sum(c.count for b in bands for c in b.cells)
    unit_name = name_zh if lang == "zh" else name_en
    missing = sum(c.count == 0 for b in bands for c in b.cells)
    # values counted over a sample-kind firm list carry it in their provenance (store.inventory)
    sample = bool(local["note"].fillna("").str.contains(sinv.SAMPLE_PROVENANCE, regex=False).any())
    finding = finding_sentence(unit_name, mix, missing, len(tax), n_seg, lang, margin, sample)
    return IndustryMapData(
        unit_type=unit_type,
        unit_key=unit_key,
        unit_name=unit_name,
        lang=lang,
        bands=tuple(bands),
        mix=mix,
        finding=finding,
        n_firms=n_firms,
        # unclassified firms (no layer) plus AI firms whose segment is unknown
        n_unclassified=int(values.get("inv_firms_unclassified", 0) or 0) + n_firms - n_seg,
        inventory_run=inv_run,
        has_synthetic=bool(firms["is_synthetic"].any()) if len(firms) else False,
        margin=margin,
        sample=sample,
    )
