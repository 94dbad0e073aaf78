"""Schemathesis against the OpenAPI schema: generated requests to every operation, no server error, every
response as documented (status, content type, body schema), errors in the envelope."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.config import SchemathesisConfig

from aicity.web import WebSettings, create_app

from .example_store import example_store

# Schema-invalid requests must be refused with one of these (414: a generated value can make the URL longer
# than the app accepts, and 414 is the documented answer for that).
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"negative_data_rejection": {"expected-statuses": [400, 404, 405, 414, 422]}}}
)
# Loaded at import: schemathesis parametrises one test per operation while collecting.
schema = schemathesis.openapi.from_asgi(
    "/api/v1/openapi.json", create_app(example_store(), WebSettings(warm_up=False)), config=CONFIG
)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case) -> None:
    # Every check but "schema-valid data must be accepted": some rules cannot live in the schema (a weight
    # code must name a dimension of the stored run, two codes to compare must differ, a method combination
    # must suit the data), and those answer 400 with the envelope, which the lines below check.
    response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
    if response.status_code >= 400:
        body = response.json()
        assert body["ok"] is False and body["status"] == response.status_code and body["error"]
