"""A property-based fuzz of the whole OpenAPI, in process: no answer is a 5xx, and every answer
matches the schema (its status is documented, its content type and body are the ones declared).

What is fuzzed: every operation the app's /openapi.json declares, each over a world of its own:
the permissions matrix's stage of region 75 in its voting phase (submissions screened, experts
assigned and scored, a shortlist), with valid credentials: a portal's for ballots, an expert's
for the expert's desk, a federal operator's for everything else. The contest's slug is always
the stage's (a random one is only a 404, which tests/api/test_problems.py covers); references are
mostly the stage's submissions. Everything else (bodies, queries, headers, other path
parameters) is generated from the schema: valid data, and invalid data, which must be refused
with a documented 4xx problem.

How it is bounded: schemathesis's example and fuzzing phases only (its coverage and stateful
phases enumerate far more), at most MAX_EXAMPLES cases an operation, a fixed seed; the event
stream is asked for with follow=false (with follow=true it never ends). The operators' Updates
find no Temporal server (tests/api/conftest.py) and answer 503 engine-unavailable at once: the
one 5xx the check lets through. About 15 s on
SQLite; KONKURS_FUZZ_EXAMPLES raises the bound for a deeper search.
"""

from __future__ import annotations

import os
from unittest.mock import create_autospec

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case, CheckContext, Response
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.schemas import BaseSchema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from konkurs.api import create_app
from konkurs.bootstrap import Bootstrap
from tests.api.world import Serve, Served, bearer
from tests.unit.permissions import SLUG, voting

MAX_EXAMPLES = int(os.environ.get("KONKURS_FUZZ_EXAMPLES", "25"))
ENGINE_DOWN = "urn:konkurs:problem:engine-unavailable"


@schemathesis.check
def not_a_server_error_but_the_engine_down(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """No 5xx, but the documented 503 of an operators' Update while the engine is down: here it
    always is, so those operations are fuzzed up to the Update (tests/e2e/test_api_operators.py
    sends real ones)."""
    if response.status_code == 503 and response.json().get("type") == ENGINE_DOWN:
        return None
    return not_a_server_error(ctx, response, case)


CHECKS = [not_a_server_error_but_the_engine_down, status_code_conformance, content_type_conformance,
          response_schema_conformance]

CONFIG = {
    "seed": 20300110,
    "generation": {"max-examples": MAX_EXAMPLES, "mode": "all", "deterministic": True},
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    "dictionaries": {"references": {"values": ["A1", "A2", "B1"]}},
    "parameters": {
        "path.slug": SLUG,
        "query.follow": False,
        "path.reference": {"dictionary": "references", "probability": 0.7},
        "path.submission": {"dictionary": "references", "probability": 0.7},
    },
}

CALLER_OF_TAG = {"ballots": "portal", "experts": "expert"}
DEFAULT_CALLER = "federal operator"
"""Who calls an operation, by its tag; the federal operator calls the others."""


def document_schema() -> BaseSchema:
    """The operations to fuzz, read at collection from an app over no store: the document does
    not depend on one. Each test calls the app over its own world instead (schemathesis's
    fixture-loaded schemas do not run on pytest 9)."""
    app = create_app(create_autospec(Bootstrap, instance=True), with_pages=False)
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=SchemathesisConfig.from_dict(CONFIG))


schema = document_schema()


@pytest.fixture
def voting_world(serve: Serve) -> Served:
    """A world of its own for each operation: schemathesis ends the app's lifespan after each."""
    return serve(voting)


BOUNDS = settings(max_examples=MAX_EXAMPLES, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def call_and_validate(case: Case, served: Served) -> None:
    caller = next((CALLER_OF_TAG[tag] for tag in case.operation.tags or () if tag in CALLER_OF_TAG),
                  DEFAULT_CALLER)
    case.call_and_validate(app=served.client.app, headers=bearer(served.token(caller)), checks=CHECKS)


@schema.parametrize()
@BOUNDS
def test_no_answer_is_a_server_error_and_every_answer_matches_the_schema(
    case: Case, voting_world: Served
) -> None:
    call_and_validate(case, voting_world)
