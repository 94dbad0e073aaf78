"""The API of the users' questions (issue 16): where to locate (``/site``) and whom to attract
(``/cities/{code}/targets``). Same envelope as the rest of /api/v1/."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from aicity.web.personas import PERSONA_PATTERN, persona_choices, site_result, targets_result
from aicity.web.routes.api import CITY_CODE, ERRORS, Envelope, ok

router = APIRouter(tags=["api"])


@router.get(
    "/personas",
    response_model=Envelope,
    responses=ERRORS,
    summary="The bundled site-selection personas",
)
def personas(request: Request) -> dict[str, Any]:
    return ok(list(persona_choices()))


@router.get(
    "/site",
    response_model=Envelope,
    responses=ERRORS,
    summary="Site selection: the run's cities ranked under a persona's weights, with rank intervals, "
    "the facts behind each rank, what would move it, and the cities a hard filter removes",
)
def site(
    request: Request,
    persona: Annotated[
        str,
        Query(pattern=PERSONA_PATTERN, description="A bundled persona, e.g. chip_startup"),
    ],
) -> dict[str, Any]:
    from aicity.workflows.site_result import as_dict

    explorer = request.app.state.explorer
    return ok(as_dict(site_result(explorer, persona)))


@router.get(
    "/cities/{code}/targets",
    response_model=Envelope,
    responses=ERRORS,
    summary="招商 targeting: the city's missing or thin segments and candidate firms elsewhere "
    "(registry-kind lists only; a sample is marked illustrative)",
)
def city_targets(
    request: Request,
    code: Annotated[str, Path(pattern=CITY_CODE)],
    per_segment: Annotated[int, Query(ge=1, le=20)] = 5,
    top: Annotated[int, Query(ge=0, le=100, description="Segments (0: all)")] = 10,
) -> dict[str, Any]:
    return ok(targets_result(request.app.state.explorer, code, per_segment, top))
