"""The JSON API under /api/v1/. Every success is ``{"ok": true, "data": ...}``; every error the envelope."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel
from starlette.responses import JSONResponse, Response

from aicity.layers import LAYERS
from aicity.web.errors import ApiError, BadRequest
from aicity.web.explorer import Explorer
from aicity.web.live import AGGREGATIONS, NORMALISATIONS, WEIGHTINGS, LiveRanking

router = APIRouter(tags=["api"])

Layer = Literal[LAYERS]  # type: ignore[valid-type]
Normalisation = Literal[NORMALISATIONS]  # type: ignore[valid-type]
Weighting = Literal[WEIGHTINGS]  # type: ignore[valid-type]
Aggregation = Literal[AGGREGATIONS]  # type: ignore[valid-type]

CITY_CODE = r"^[0-9]{6}$"
SLUG = r"^[A-Za-z0-9_.\-]{1,100}$"
CODE = r"^[A-Za-z0-9_.\-]{1,64}$"
_PAIR = r"[A-Za-z0-9_]{1,64}:[0-9]{1,6}(\.[0-9]{1,6})?"
WEIGHTS = rf"^{_PAIR}(,{_PAIR}){{0,63}}$"


class ErrorEnvelope(BaseModel):
    ok: bool = False
    error: str
    status: int
    errors: list[dict[str, Any]] | None = None


class Envelope(BaseModel):
    ok: bool = True
    data: Any


class Page(BaseModel):
    ok: bool = True
    data: list[dict[str, Any]]
    total: int
    page: int
    size: int
    pages: int


class RankingRow(BaseModel):
    rank: int | None
    unit_key: str
    name_zh: str
    name_en: str
    score: float | None
    baseline_rank: int | None
    rank_change: int | None
    rank_low: float | None
    rank_high: float | None


class Ranking(BaseModel):
    ok: bool = True
    run_id: str
    normalisation: str
    weighting: str
    aggregation: str
    weights: dict[str, float]
    data: list[RankingRow]


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorEnvelope, "description": "A parameter has a bad value"},
    404: {"model": ErrorEnvelope, "description": "No such item"},
    414: {"model": ErrorEnvelope, "description": "URL too long"},
    422: {"model": ErrorEnvelope, "description": "A parameter fails validation"},
    503: {"model": ErrorEnvelope, "description": "No evaluation in the store"},
}


def _explorer(request: Request) -> Explorer:
    return request.app.state.explorer


def _live(request: Request) -> LiveRanking:
    live = _explorer(request).live
    if live is None:
        raise ApiError(
            503,
            "no evaluation in the store: run `aicity demo` or `aicity evaluate`, then restart "
            "`aicity serve`",
        )
    return live


def ok(data: Any) -> dict[str, Any]:
    return {"ok": True, "data": data}


# First route of the router: the one under load (routes are matched in order).
@router.get(
    "/rankings",
    response_model=Ranking,
    responses=ERRORS,
    summary="The index ranking recomputed with new dimension weights and methods",
)
async def rankings(
    request: Request,
    weights: Annotated[
        str | None,
        Query(
            max_length=2000,
            pattern=WEIGHTS,
            description="Dimension weights on a 0-100 scale as CODE:WEIGHT pairs, e.g. TECH:60,TALENT:40; "
            "dimensions not named keep their default share x 100",
        ),
    ] = None,
    normalisation: Annotated[Normalisation | None, Query()] = None,
    weighting: Annotated[Weighting | None, Query()] = None,
    aggregation: Annotated[Aggregation | None, Query()] = None,
) -> Response:
    explorer = _explorer(request)
    live = _live(request)
    settings = request.app.state.settings
    parsed = live.parse_weights(
        parse_weights_text(weights, settings.max_weights), settings.max_weight
    )
    methods = live.methods(normalisation, weighting, aggregation)
    body = explorer.ranking_payload(methods, parsed)
    return JSONResponse(body)


@router.get("/", response_model=Envelope, responses=ERRORS, summary="The API's routes")
def index(request: Request) -> dict[str, Any]:
    routes = sorted(
        request.app.openapi()["paths"]
    )  # the schema is built once and cached by FastAPI
    return ok({"routes": routes, "openapi": "/api/v1/openapi.json"})


@router.get("/cities", response_model=Envelope, responses=ERRORS, summary="Every city")
def cities(request: Request) -> dict[str, Any]:
    return ok(_explorer(request).city_list())


@router.get(
    "/cities/{code}",
    response_model=Envelope,
    responses=ERRORS,
    summary="One city: its facts, parks, observations with sources, and its place in the ranking",
)
def city(request: Request, code: Annotated[str, Path(pattern=CITY_CODE)]) -> dict[str, Any]:
    return ok(city_detail(_explorer(request), code))


def city_detail(explorer: Explorer, code: str) -> dict[str, Any]:
    detail = explorer.city(code)
    detail["parks"] = explorer.park_list(city_code=code)
    detail["observations"] = explorer.observations_of("city", code)
    detail["evaluation"] = explorer.city_evaluation(code)
    detail["projects"] = explorer.projects(code)  # issue 16: the city's AI projects, amounts apart
    return detail


@router.get(
    "/parks", response_model=Envelope, responses=ERRORS, summary="Every park, optionally one city's"
)
def parks(
    request: Request, city: Annotated[str | None, Query(pattern=CITY_CODE)] = None
) -> dict[str, Any]:
    return ok(_explorer(request).park_list(city_code=city))


@router.get("/parks/{park_id}", response_model=Envelope, responses=ERRORS, summary="One park")
def park(request: Request, park_id: Annotated[str, Path(pattern=SLUG)]) -> dict[str, Any]:
    explorer = _explorer(request)
    detail = explorer.park(park_id)
    detail["observations"] = explorer.observations_of("park", park_id)
    rows, total = explorer.search_enterprises(park=park_id, size=500)
    detail["enterprises"] = rows
    detail["n_enterprises"] = total
    return ok(detail)


@router.get(
    "/enterprises",
    response_model=Page,
    responses=ERRORS,
    summary="Search enterprises by name, city, park, layer and segment (paginated)",
)
def enterprises(
    request: Request,
    q: Annotated[
        str | None, Query(max_length=100, description="Text in the name or business scope")
    ] = None,
    city: Annotated[str | None, Query(pattern=CITY_CODE)] = None,
    park: Annotated[str | None, Query(pattern=SLUG)] = None,
    layer: Annotated[Layer | None, Query()] = None,
    segment: Annotated[str | None, Query(pattern=CODE)] = None,
    synthetic: Annotated[bool, Query(description="Include synthetic registry rows")] = True,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    size: Annotated[int | None, Query(ge=1, le=500, description="Rows a page (default 50)")] = None,
) -> dict[str, Any]:
    settings = request.app.state.settings
    if q is not None and len(q) > settings.max_query_length:
        raise BadRequest(
            f"q: at most {settings.max_query_length} characters expected, got {len(q)}"
        )
    size = size or settings.default_page_size
    if size > settings.max_page_size:
        raise BadRequest(f"size: at most {settings.max_page_size} expected, got {size}")
    rows, total = _explorer(request).search_enterprises(
        q=q,
        city=city,
        park=park,
        layer=layer,
        segment=segment,
        include_synthetic=synthetic,
        page=page,
        size=size,
    )
    return {
        "ok": True,
        "data": rows,
        "total": total,
        "page": page,
        "size": size,
        "pages": max(1, math.ceil(total / size)),
    }


@router.get(
    "/framework",
    response_model=Envelope,
    responses=ERRORS,
    summary="The framework of the current evaluation: nodes, weights, methods",
)
def framework(request: Request) -> dict[str, Any]:
    return ok(_explorer(request).framework_info())


@router.get(
    "/runs", response_model=Envelope, responses=ERRORS, summary="Evaluation runs in the store"
)
def runs(request: Request) -> dict[str, Any]:
    return ok(_explorer(request).run_list())


def parse_weights_text(text: str | None, max_weights: int) -> dict[str, float]:
    """``TECH:2,TALENT:1.5`` -> {"TECH": 2.0, "TALENT": 1.5}; every problem is a one-line 400."""
    if not text:
        return {}
    parts = [p for p in text.split(",") if p.strip()]
    if len(parts) > max_weights:
        raise BadRequest(f"weights: at most {max_weights} entries expected, got {len(parts)}")
    weights: dict[str, float] = {}
    for part in parts:
        code, sep, value = part.partition(":")
        code = code.strip()
        if not sep or not code:
            raise BadRequest(
                f"weights: expected CODE:NUMBER pairs separated by commas, got {part!r}"
            )
        try:
            number = float(value)
        except ValueError:
            raise BadRequest(f"weights: {code} needs a number, got {value!r}") from None
        if not math.isfinite(number):
            raise BadRequest(f"weights: {code} needs a finite number, got {value!r}")
        if code in weights:
            raise BadRequest(f"weights: {code} given twice")
        weights[code] = number
    return weights


@router.get(
    "/compare",
    response_model=Envelope,
    responses=ERRORS,
    summary="2 to 4 cities side by side: index and dimension scores and ranks, key facts",
)
def compare(
    request: Request,
    cities: Annotated[
        str,
        Query(
            max_length=200,
            description="City codes separated by commas",
            pattern=r"^[0-9]{6}(,[0-9]{6}){1,3}$",
        ),
    ],
) -> dict[str, Any]:
    settings = request.app.state.settings
    codes = list(dict.fromkeys(c for c in cities.split(",") if c))
    if not 2 <= len(codes) <= settings.max_compare:
        raise BadRequest(
            f"cities: 2 to {settings.max_compare} different city codes expected, got {len(codes)}"
        )
    return ok(_explorer(request).compare(codes))
