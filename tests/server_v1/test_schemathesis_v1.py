"""Schemathesis over the v1 endpoints: no server errors, and every response as the OpenAPI document says."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.server.live import LiveServer
from tests.server_v1.conftest import new_v1

V1_PATHS = r"^/api/(assets|persons)"
OPERATIONS = [
    ("GET", "/api/assets"),
    ("POST", "/api/assets"),
    ("GET", "/api/assets/bucket/{name}"),
    ("GET", "/api/assets/{asset_id}"),
    ("DELETE", "/api/assets/{asset_id}"),
    ("GET", "/api/assets/{asset_id}/file"),
    ("GET", "/api/persons"),
    ("POST", "/api/persons"),
    ("GET", "/api/persons/{person_id}"),
    ("DELETE", "/api/persons/{person_id}"),
]
# A body can match the schema and still be refused: the bytes of `base64`/`file` decide whether
# they are an image, and `imageIds` must name the caller's face assets. Those answers are 400s.
REFUSES_SCHEMA_VALID = {("POST", "/api/assets"), ("POST", "/api/persons")}


@pytest.fixture(scope="module")
def v1_key(v1_server: LiveServer) -> str:
    return new_v1(v1_server).key or ""


@pytest.fixture(scope="module")
def v1_schema(v1_server: LiveServer) -> Any:
    return schemathesis.openapi.from_url(f"{v1_server.base_url}/openapi.json").include(
        path_regex=V1_PATHS
    )


def test_every_v1_operation_is_covered(v1_schema: Any) -> None:
    found = {(op.ok().method.upper(), op.ok().path) for op in v1_schema.get_all_operations()}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_v1_operation_conforms(v1_schema: Any, v1_key: str, method: str, path: str) -> None:
    operation = v1_schema[path][method]
    excluded = [positive_data_acceptance] if (method, path) in REFUSES_SCHEMA_VALID else []

    @given(case=operation.as_strategy())
    @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        case.call_and_validate(headers={"x-api-key": v1_key}, excluded_checks=excluded, timeout=30)

    run()
