"""Server-rendered pages (Jinja2 + htmx). Data reach templates as plain values; Jinja escapes all of them."""

from __future__ import annotations

import json
import math
from pathlib import Path as FsPath
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import FileResponse, Response

from aicity.io.export import csv_text, write_workbook
from aicity.layers import LAYERS
from aicity.web.errors import BadRequest, NotFound
from aicity.web.explorer import Explorer
from aicity.web.live import AGGREGATIONS, NORMALISATIONS, WEIGHTINGS, Methods
from aicity.web.personas import persona_choices, persona_context, view_for
from aicity.web.rendering import page_context, render
from aicity.web.routes.api import CITY_CODE, CODE, SLUG, city_detail, parse_weights_text

router = APIRouter(include_in_schema=False)


def _or_empty(pattern: str) -> str:
    """An API route's pattern that also accepts "" (a form's "any")."""
    return f"^({pattern.removeprefix('^').removesuffix('$')})?$"


def _explorer(request: Request) -> Explorer:
    return request.app.state.explorer


# ----- overview and live re-weighting -------------------------------------------------------------
def _controls(request: Request) -> tuple[Methods, dict[str, float] | None, bool]:
    """Methods and weights from the overview form (``w_CODE`` sliders) or a shared URL (``weights=``)."""
    explorer = view_for(request)  # the persona's view when ?persona= names one
    live = explorer.live
    assert live is not None
    settings = request.app.state.settings
    params = request.query_params
    for name in ("normalisation", "weighting", "aggregation"):
        if len(params.get(name, "")) > 40:
            raise BadRequest(f"{name}: a method name expected, got {len(params[name])} characters")
    methods = live.methods(
        params.get("normalisation") or None,
        params.get("weighting") or None,
        params.get("aggregation") or None,
    )
    manual = params.get("manual", "1") != "0"
    weights: dict[str, float] = parse_weights_text(params.get("weights"), settings.max_weights)
    sliders = [(k[2:], v) for k, v in params.multi_items() if k.startswith("w_")]
    if len(sliders) > settings.max_weights:
        raise BadRequest(f"at most {settings.max_weights} weights expected, got {len(sliders)}")
    for code, text in sliders:
        try:
            weights[code] = float(text)
        except ValueError:
            raise BadRequest(f"weight of {code}: a number expected, got {text[:20]!r}") from None
    if not manual:
        weights = {}
    parsed = live.parse_weights(weights, settings.max_weight) if weights else None
    return methods, parsed, bool(parsed)


def _ranking_context(request: Request) -> dict[str, Any]:
    explorer = view_for(request)
    live = explorer.live
    assert live is not None
    methods, weights, manual = _controls(request)
    rows, used = explorer.ranking_rows(methods, weights)
    lang = page_context(request)["lang"]
    ordered = sorted((r for r in rows if r["score"] is not None), key=lambda r: r["score"])
    label = "name_zh" if lang == "zh" else "name_en"
    by_unit = {r["unit_key"]: r["score"] for r in rows}
    chart = {
        "bar": {
            "x": [r["score"] for r in ordered],
            "y": [r[label] for r in ordered],
            "text": [round(r["score"], 1) for r in ordered],
        },
        "map": explorer.map_update([by_unit.get(code) for code in explorer.map_order()]),
    }
    # the shareable URL: the settings that matter (slider values only when they were set by hand)
    kept = [
        (k, v)
        for k, v in request.query_params.multi_items()
        if k != "manual" and (manual or not k.startswith("w_")) and v != ""
    ]
    share = "/?" + urlencode(kept) if kept else "/"
    return {
        "rows": rows,
        "methods": methods,
        "weights": used,
        "manual": manual,
        "chart_json": json.dumps(chart, ensure_ascii=False),
        "share_url": share,
        "live": live,
        "persona": persona_context(explorer, lang),
        "personas": persona_choices(),
        "choices": {
            "normalisation": NORMALISATIONS,
            "weighting": WEIGHTINGS,
            "aggregation": AGGREGATIONS,
        },
    }


@router.get("/")
def overview(request: Request) -> Response:
    explorer = _explorer(request)
    if explorer.live is None:
        return render(request, "overview.html", live=None, charts=False)
    context = _ranking_context(request)
    lang = page_context(request)["lang"]
    return render(
        request,
        "overview.html",
        charts=True,
        **context,
        bar_json=explorer.ranking_bar_json(lang),
        map_json=explorer.map_json(lang),
    )


@router.get("/fragments/ranking")
def ranking_fragment(request: Request) -> Response:
    if _explorer(request).live is None:
        raise NotFound("no evaluation in the store: run `aicity demo` first")
    context = _ranking_context(request)
    response = render(request, "fragments/ranking.html", **context)
    response.headers["HX-Replace-Url"] = context["share_url"]
    return response


# ----- cities, parks, compare ---------------------------------------------------------------------
@router.get("/cities/{code}")
def city_page(request: Request, code: Annotated[str, Path(pattern=CITY_CODE)]) -> Response:
    explorer = _explorer(request)
    detail = city_detail(explorer, code)
    lang = page_context(request)["lang"]
    enterprises, _ = explorer.search_enterprises(city=code, size=500)
    return render(
        request,
        "city.html",
        charts=True,
        city=detail,
        evaluation=detail["evaluation"],
        radar_json=explorer.radar_json(code, lang),
        industry=explorer.industry_map(enterprises),
        industry_data=explorer.industry_map_data(code, None, lang),
        sources=explorer.sources_of(detail["observations"], detail["evaluation"]),
    )


@router.get("/parks")
def parks_page(request: Request) -> Response:
    explorer = _explorer(request)
    return render(request, "parks.html", parks=explorer.park_list())


@router.get("/parks/{park_id}")
def park_page(request: Request, park_id: Annotated[str, Path(pattern=SLUG)]) -> Response:
    explorer = _explorer(request)
    park = explorer.park(park_id)
    lang = page_context(request)["lang"]
    enterprises, total = explorer.search_enterprises(park=park_id, size=500)
    observations = explorer.observations_of("park", park_id)
    return render(
        request,
        "park.html",
        park=park,
        enterprises=enterprises,
        n_enterprises=total,
        observations=observations,
        industry=explorer.industry_map(enterprises),
        industry_data=explorer.industry_map_data(park["city_code"], park_id, lang),
        source=explorer.source(park.get("source_id")),
    )


@router.get("/compare")
def compare_page(
    request: Request,
    c: Annotated[list[str] | None, Query(max_length=10)] = None,
) -> Response:
    explorer = _explorer(request)
    settings = request.app.state.settings
    codes = list(dict.fromkeys(c or []))
    if len(codes) > settings.max_compare:
        raise BadRequest(f"pick at most {settings.max_compare} cities to compare, got {len(codes)}")
    for code in codes:
        explorer.city(code)  # 404 for unknown codes
    items = explorer.compare(codes) if len(codes) >= 2 else []
    lang = page_context(request)["lang"]
    return render(
        request,
        "compare.html",
        charts=bool(items),
        selected=codes,
        items=items,
        cities=explorer.city_list(),
        radar_json=explorer.compare_radar_json(codes, lang) if items else None,
    )


# ----- enterprises ---------------------------------------------------------------------------------
@router.get("/enterprises")
def enterprises_page(
    request: Request,
    q: Annotated[str | None, Query(max_length=100)] = None,
    city: Annotated[str | None, Query(pattern=_or_empty(CITY_CODE))] = None,
    park: Annotated[str | None, Query(pattern=_or_empty(SLUG))] = None,
    layer: Annotated[str | None, Query(pattern=_or_empty("|".join(LAYERS)))] = None,
    segment: Annotated[str | None, Query(pattern=_or_empty(CODE))] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    size: Annotated[int | None, Query(ge=1, le=500, description="Rows a page (default 50)")] = None,
) -> Response:
    size = size or request.app.state.settings.default_page_size
    explorer = _explorer(request)
    rows, total = explorer.search_enterprises(
        q=q or None,
        city=city or None,
        park=park or None,
        layer=layer or None,
        segment=segment or None,
        page=page,
        size=size,
    )
    pages = max(1, math.ceil(total / size))
    base = {k: v for k, v in request.query_params.items() if k != "page" and v}
    return render(
        request,
        "enterprises.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        size=size,
        filters={
            "q": q or "",
            "city": city or "",
            "park": park or "",
            "layer": layer or "",
            "segment": segment or "",
        },
        base_query=base,
        cities=explorer.city_list(),
        parks=explorer.park_list(),
        layers=LAYERS,
        segments=explorer.tables.segments.to_dict(orient="records"),
    )


# ----- methodology, sources, downloads -------------------------------------------------------------
@router.get("/methodology")
def methodology_page(request: Request) -> Response:
    explorer = _explorer(request)
    return render(
        request,
        "methodology.html",
        framework=explorer.framework_info(),
        runs=explorer.run_list(),
        yearly=explorer.yearly(),
    )


@router.get("/sources")
def sources_page(request: Request) -> Response:
    explorer = _explorer(request)
    return render(
        request,
        "sources.html",
        gaps=explorer.data_gaps(),
        coverage=explorer.coverage_table(page_context(request)["lang"]),
        sources=explorer.sources.to_dict(orient="records"),
    )


@router.get("/downloads")
def downloads_page(request: Request) -> Response:
    explorer = _explorer(request)
    return render(
        request,
        "downloads.html",
        tables=explorer.table_names(),
        report=_report_path(request) is not None,
    )


@router.get("/downloads/{name}.csv")
def download_csv(request: Request, name: Annotated[str, Path(pattern=CODE)]) -> Response:
    frame = _explorer(request).table_frame(name)
    # utf-8-sig so Excel opens Chinese text correctly; formula-like text is guarded (aicity.io.export)
    text = csv_text(frame)
    return Response(
        ("\ufeff" + text).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@router.get("/downloads/template.xlsx")
def download_template(request: Request) -> Response:
    """The panel template of the run's framework (``aicity template``): the user's own data, the
    headers ingest reads, the framework's indicators and weights."""
    import tempfile

    from aicity.workflows.panel_template import write_template

    explorer = _explorer(request)
    if explorer.template is None:  # built once, like the Excel download
        framework = (explorer.live.meta.get("framework_name") if explorer.live else None) or None
        with tempfile.TemporaryDirectory(prefix="aicity-template-") as tmp:
            path = write_template(FsPath(tmp) / "panel.xlsx", framework=framework)
            explorer.template = path.read_bytes()
    return Response(
        explorer.template,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="panel-template.xlsx"'},
    )


@router.get("/fragments/cities/{code}/targets")
def targets_fragment(request: Request, code: Annotated[str, Path(pattern=CITY_CODE)]) -> Response:
    """The city's missing or thin segments and candidate firms (补链招商), loaded after the page."""
    from aicity.web.personas import targets_result

    found = targets_result(_explorer(request), code, per_segment=3, top=5)
    return render(request, "fragments/targets.html", targets=found)


@router.get("/downloads/aicity.xlsx")
def download_excel(request: Request) -> Response:
    explorer = _explorer(request)
    if explorer.workbook is None:  # the data never change while the app runs: build it once
        explorer.workbook = _workbook(explorer)
    return Response(
        explorer.workbook,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="aicity.xlsx"'},
    )


def _workbook(explorer: Explorer) -> bytes:
    """Every download table as a sheet, written by the guarded writer: text is never a formula."""
    sheets = {}
    for name in explorer.table_names():
        frame = explorer.table_frame(name)
        sheets[name[:31]] = frame.drop(columns=[c for c in frame.columns if str(c).startswith("_")])
    workbook = write_workbook(sheets)  # no target: the bytes
    assert isinstance(workbook, bytes)
    return workbook


def _report_path(request: Request) -> FsPath | None:
    folder = request.app.state.settings.report_dir
    if not folder:
        return None
    candidates = sorted(FsPath(folder).glob("*.pdf"))
    return candidates[0] if candidates else None


@router.get("/downloads/report.pdf")
def download_report(request: Request) -> Response:
    path = _report_path(request)
    if path is None:
        raise NotFound(
            "no report PDF: run `aicity report` (or `aicity demo`) and start `aicity serve` with "
            "--reports pointing at its output folder"
        )
    return FileResponse(path, media_type="application/pdf", filename=path.name)
