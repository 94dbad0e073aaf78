"""Schemathesis against the OpenAPI schema: generated requests to every operation, no server error, every
response as documented (status, content type, body schema), errors in the envelope."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance
from schemathesis.config import SchemathesisConfig

from aicity.web import WebSettings, create_app

from .example_store import example_store

# Schema-invalid requests must be refused with one of these (414: a generated value can make the URL longer
# than the app accepts, and 414 is the documented answer for that).
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"negative_data_rejection": {"expected-statuses": [400, 404, 405, 414, 422]}}}
)
# Loaded at import: the test cases below are built from it while pytest collects.
schema = schemathesis.openapi.from_asgi(
    "/api/v1/openapi.json", create_app(example_store(), WebSettings(warm_up=False)), config=CONFIG
)


OPERATIONS = [result.ok() for result in schema.get_all_operations()]
# One case per operation and generation mode, each with its own id (schemathesis' own parametrize gives every
# operation the same node id, which pytest-xdist collapses into one). Negative cases need a parameter.
CASES = [(op, GenerationMode.POSITIVE) for op in OPERATIONS] + [
    (op, GenerationMode.NEGATIVE) for op in OPERATIONS if len(op.query) or len(op.path_parameters)
]


@pytest.mark.parametrize(
    ("operation", "mode"), CASES, ids=[f"{op.label} {mode.value}" for op, mode in CASES]
)
def test_api_conforms_to_its_schema(operation, mode) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case) -> None:
        # Every check but "schema-valid data must be accepted": some rules cannot live in the schema (a
        # weight code must name a dimension of the stored run, two codes to compare must differ, a method
        # combination must suit the data), and those answer 400 with the envelope, checked below.
        response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
        if response.status_code >= 400:
            body = response.json()
            assert body["ok"] is False and body["status"] == response.status_code and body["error"]

    check()
