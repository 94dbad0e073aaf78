"""``aicity report``: load a stored run and everything around it from the store, then render the report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from aicity.profiles import build_profiles
from aicity.report.model import ReportData
from aicity.report.render import FORMATS, check_request, write_report
from aicity.store import Store
from aicity.store import core as store_core
from aicity.store.runs import latest_run_id, list_runs, load_run


def _firms(store: Store) -> pd.DataFrame:
    """Real (non-synthetic) firms with their final layer/segment: the latest classification, else the label."""
    firms = store_core.enterprises(store, include_synthetic=False)
    try:
        from aicity.store.classifications import classifications

        classified = classifications(store)
    except Exception:
        classified = pd.DataFrame()
    if len(classified):
        final = classified.set_index("enterprise_id")
        firms["layer"] = firms["enterprise_id"].map(final["layer"]).fillna(firms["layer"])
        firms["segment"] = firms["enterprise_id"].map(final["segment"]).fillna(firms["segment"])
    return firms


def _registry(store: Store) -> pd.DataFrame:
    """Layer counts of registry-kind firms (synthetic ones included: their clauses say so)."""
    from aicity.store.inventory import latest_run, registry_layer_counts

    return registry_layer_counts(store, latest_run(store, "classify"))


def _external_rankings(store: Store, unit_type: str) -> pd.DataFrame:
    """Published rankings in the store (registry category external_ranking, rank or tier values)."""
    registry = store_core.indicators(store)
    codes = registry.loc[
        (registry["category"] == "external_ranking") & registry["value_type"].isin(["rank"])
        | registry["code"].str.startswith("tier_"),
        "code",
    ].tolist()
    if not codes:
        return pd.DataFrame(columns=["ranking", "year", "unit_key", "rank"])
    obs = store_core.observations(store, unit_type=unit_type, indicators=codes)
    obs = obs[obs["kind"] == "actual"].dropna(subset=["value"])
    return pd.DataFrame(
        {
            "ranking": obs["indicator"],
            "year": obs["year"],
            "unit_key": obs["unit_key"],
            "rank": obs["value"],
        }
    ).drop_duplicates(["ranking", "year", "unit_key"])


def load_report_data(store: Store, run_id: str | None = None) -> ReportData:
    """Everything the renderers need for one run (default: the latest city run)."""
    run_id = run_id or latest_run_id(store, "city")
    run = load_run(store, run_id)
    meta = run.meta
    firms = _firms(store)
    parks = store_core.parks(store)
    registry = _registry(store)
    profiles = build_profiles(run, enterprises=firms, parks=parks, registry=registry)
    park_run = None
    park_profiles: dict = {}
    runs = list_runs(store)
    park_runs = runs[
        (runs["unit_type"] == "park") & (runs["reference_year"] == meta["reference_year"])
    ]
    if meta["unit_type"] == "city" and len(park_runs):
        park_run = load_run(store, str(park_runs.iloc[0]["run_id"]))
        park_profiles = build_profiles(park_run, enterprises=firms, registry=registry)
    try:
        from aicity.inventory.taxonomy import load_taxonomy

        segment_names = {s.code: (s.layer, s.name_zh, s.name_en) for s in load_taxonomy()}
    except Exception:
        segment_names = {}
    return ReportData(
        run=run,
        profiles=profiles,
        sources=store_core.sources(store),
        external_rankings=_external_rankings(store, meta["unit_type"]),
        park_run=park_run,
        park_profiles=park_profiles,
        segment_names=segment_names,
        projects=_projects(store, list(profiles)) if meta["unit_type"] == "city" else {},
    )


def _projects(store: Store, codes: list[str]) -> dict[str, dict]:
    """The projects of the report's cities that have any (issue 16)."""
    from aicity.store.projects import count_projects
    from aicity.workflows.projects import projects_by_city

    if not count_projects(store):
        return {}
    return {code: data for code, data in projects_by_city(store).items() if code in codes}


def build_report(
    store: Store,
    out: str | Path,
    run_id: str | None = None,
    lang: str = "zh",
    formats: list[str] | tuple[str, ...] = FORMATS,
    on_step: Callable[[str], None] | None = None,
    pdf_worker=None,
) -> dict[str, Path]:
    """Render the report of a run into ``out``; returns format -> written path. ``pdf_worker``: a
    :class:`~aicity.report.pdf_worker.PdfWorker` started earlier (else one is started here)."""
    check_request(lang, list(formats))
    if pdf_worker is None and "pdf" in formats:
        from aicity.report.pdf_worker import PdfWorker

        pdf_worker = PdfWorker.start()  # it loads WeasyPrint and matplotlib while the run is read
    try:
        if on_step:
            on_step("load")
        data = load_report_data(store, run_id)
    except BaseException:
        if pdf_worker is not None:
            pdf_worker.close()
        raise
    return write_report(
        data, Path(out), lang, list(formats), on_step=on_step, pdf_worker=pdf_worker
    )


def map_points(
    store: Store, run_id: str | None = None, dimension: str | None = None, lang: str = "zh"
) -> tuple[pd.DataFrame, str]:
    """Bubble-map points (label, longitude, latitude, value) of a run's index or one dimension, and a title."""
    from aicity.errors import ConfigError

    run_id = run_id or latest_run_id(store, "city")
    run = load_run(store, run_id)
    nodes = run.nodes
    code = dimension or str(nodes.loc[nodes["level"] == nodes["level"].max(), "code"].iloc[0])
    if code not in set(nodes["code"]):
        raise ConfigError(
            f"unknown code {code!r}; codes: {', '.join(nodes['code'])}", path="--dimension"
        )
    results = run.results
    scores = results[(results["scheme"] == "default") & (results["code"] == code)].set_index(
        "unit_key"
    )["score"]
    units = run.units
    name_col = "name_zh" if lang == "zh" else "name_en"
    points = pd.DataFrame(
        {
            "label": units[name_col].fillna(units["name_zh"]).to_numpy(),
            "longitude": units["longitude"].to_numpy(),
            "latitude": units["latitude"].to_numpy(),
            "value": units["unit_key"].map(scores).to_numpy(),
        }
    ).dropna(subset=["longitude", "latitude", "value"])
    node = nodes.set_index("code").loc[code]
    title = (
        f"{node[name_col] or node['name_zh']}（{run.reference_year}）"
        if lang == "zh"
        else (f"{node['name_en'] or code} ({run.reference_year})")
    )
    return points, title
