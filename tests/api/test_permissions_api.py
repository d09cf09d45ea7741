"""Every caller against every endpoint of the API: each allowed call succeeds, each refused one is
a 403 problem naming the missing right (401 for a caller without a valid credential), and a
refusal writes nothing. An endpoint the app serves without an entry here fails the suite.

The services decide (domain/access.py); this matrix says what the API makes of their decisions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi import FastAPI
from httpx import Response

from domain.phases import Phase
from konkurs.api.problems import PROBLEM_JSON
from services.konkurs import Konkurs
from tests.api.world import (
    CALLERS,
    REPORT_SHA256,
    UNAUTHENTICATED,
    Call,
    Serve,
    attach_report,
    ballot,
    contest,
    filed,
    form,
    published,
)
from tests.unit.permissions import OPERATORS, ROLES, World, collecting, judging, reporting, spec, voting

# The policy decides the same on every store, and the services' matrix (tests/unit) runs it on each.
pytestmark = pytest.mark.only_on("sqlite", reason="the rights policy does not depend on the store")

READERS = OPERATORS | {"auditor"}
PUBLIC = frozenset(CALLERS)
SUBSCRIBERS = frozenset({"federal operator", "federal operator of another contest", "auditor",
                         "portal", "portal of another contest"})
"""The event stream is the whole log's: federal operators, auditors and portals, whatever contests
their scope names (konkurs/api/routes/events.py)."""


@dataclass(frozen=True)
class Endpoint:
    """One endpoint: the state it is called in, the request, and the callers that may make it.
    `temporal`: the allowed call sends an Update to the contest's workflow, which needs a server;
    `prepared`: a call the federal operator makes first."""

    route: str
    state: Callable[[Konkurs], World]
    call: Callable[[World], Call]
    allowed: frozenset[str]
    temporal: bool = False
    prepared: Callable[[World], Call] | None = None

    @property
    def method(self) -> str:
        return self.route.split()[0]


def get(tail: str, **params: str) -> Callable[[World], Call]:
    return lambda _: Call("GET", contest(tail), params=params)


EXTENDED = spec().phase_plan().window(Phase.COLLECTING).closes_at + timedelta(days=5)

ENDPOINTS: dict[str, Endpoint] = {
    "list contests": Endpoint("GET /v1/contests", voting, lambda _: Call("GET", "/v1/contests"), PUBLIC),
    "read the schedule": Endpoint("GET /v1/contests/{slug}/schedule", voting, get("/schedule"), PUBLIC),
    "read the published results": Endpoint("GET /v1/contests/{slug}/results", published, get("/results"),
                                           PUBLIC),
    "read the results before publication": Endpoint("GET /v1/contests/{slug}/results", voting,
                                                    get("/results"), READERS),
    "read the chain head": Endpoint("GET /v1/contests/{slug}/head", voting, get("/head"), PUBLIC),
    "read the board": Endpoint("GET /v1/contests/{slug}/status", voting, get("/status"), READERS),
    "read the tally": Endpoint("GET /v1/contests/{slug}/tally", voting, get("/tally"), READERS),
    "read the vote's demand": Endpoint("GET /v1/contests/{slug}/demand", voting, get("/demand"), READERS),
    "read the judging report": Endpoint("GET /v1/contests/{slug}/judging", voting, get("/judging"), READERS),
    "read the participation league": Endpoint("GET /v1/contests/{slug}/participation", voting,
                                              get("/participation"), READERS),
    "record a municipal report": Endpoint(
        "POST /v1/contests/{slug}/participation/reports", reporting, lambda _: Call(
            "POST", contest("/participation/reports"),
            json={"reports": [{"oktmo": "76601000", "received": "30.01.2030"}]}), OPERATORS),
    "read the municipal reports": Endpoint("GET /v1/contests/{slug}/participation/reports", reporting,
                                           get("/participation/reports"), READERS),
    "ask who I am": Endpoint("GET /v1/whoami", voting, lambda _: Call("GET", "/v1/whoami"), frozenset(ROLES)),
    "file a submission": Endpoint(
        "POST /v1/contests/{slug}/submissions", collecting,
        lambda _: Call("POST", contest("/submissions"), json=form("C1")), OPERATORS | {"applicant"}),
    "file a draft": Endpoint(
        "POST /v1/contests/{slug}/submissions/{reference}/filing", collecting,
        lambda _: Call("POST", contest("/submissions/D1/filing")), OPERATORS | {"applicant"},
        prepared=lambda _: Call("POST", contest("/submissions"), json=form("D1"), params={"draft": "true"})),
    "list submissions": Endpoint("GET /v1/contests/{slug}/submissions", judging, get("/submissions"),
                                 READERS | {"applicant", "expert"}),
    "read an assigned submission": Endpoint(
        "GET /v1/contests/{slug}/submissions/{reference}", judging, lambda w: Call(
            "GET", contest(f"/submissions/{w.submission}")), READERS | {"expert"}),
    "attach a file": Endpoint("POST /v1/contests/{slug}/submissions/{reference}/materials", filed,
                              attach_report, OPERATORS | {"applicant"}),
    "fetch a file": Endpoint(
        "GET /v1/contests/{slug}/submissions/{reference}/materials/{sha256}", filed, lambda w: Call(
            "GET", contest(f"/submissions/{w.submission}/materials/{REPORT_SHA256}")),
        READERS | {"applicant"}, prepared=attach_report),
    "read my assignments": Endpoint("GET /v1/contests/{slug}/assignments", judging, get("/assignments"),
                                    frozenset({"expert"})),
    "read my progress": Endpoint("GET /v1/contests/{slug}/progress", judging, get("/progress"),
                                 frozenset({"expert"})),
    "record my card": Endpoint(
        "PUT /v1/contests/{slug}/cards/{submission}", judging, lambda w: Call(
            "PUT", contest(f"/cards/{w.submission}"), json={"scores": {"impact": 8, "replicable": 3}}),
        frozenset({"expert"})),
    "declare my conflict": Endpoint(
        "POST /v1/contests/{slug}/recusals", judging, lambda w: Call(
            "POST", contest("/recusals"), json={"submission": w.submission, "reason": "консультировал"}),
        frozenset({"expert"})),
    "cast a ballot": Endpoint("POST /v1/contests/{slug}/ballots", voting, lambda w: Call(
        "POST", contest("/ballots"), json=ballot(w)), OPERATORS | {"portal"}),
    "cast a batch": Endpoint("POST /v1/contests/{slug}/ballot-batches", voting, lambda w: Call(
        "POST", contest("/ballot-batches"), json={"ballots": [ballot(w)]}), OPERATORS | {"portal"}),
    "extend a deadline": Endpoint("POST /v1/contests/{slug}/extend", collecting, lambda _: Call(
        "POST", contest("/extend"), json={"until": EXTENDED.isoformat(), "reason": "просьба регионов"}),
        OPERATORS, temporal=True),
    "close a phase": Endpoint("POST /v1/contests/{slug}/close", collecting, lambda _: Call(
        "POST", contest("/close"), json={"phase": "collecting"}), OPERATORS, temporal=True),
    "cancel": Endpoint("POST /v1/contests/{slug}/cancel", collecting, lambda _: Call(
        "POST", contest("/cancel"), json={"reason": "отменён"}), OPERATORS, temporal=True),
    "follow the events": Endpoint("GET /v1/events", voting, lambda _: Call(
        "GET", "/v1/events", params={"follow": "false"}), SUBSCRIBERS),
    "read the signed chain heads": Endpoint("GET /v1/checkpoints", voting, lambda _: Call(
        "GET", "/v1/checkpoints"), PUBLIC),
}

MATRIX = [pytest.param(endpoint, caller, id=f"{endpoint} as {caller}")
          for endpoint in ENDPOINTS for caller in CALLERS]


@pytest.mark.parametrize(("endpoint", "caller"), MATRIX)
def test_each_caller_may_call_only_what_its_role_allows(
    request: pytest.FixtureRequest, shared: Serve, endpoint: str, caller: str
) -> None:
    case = ENDPOINTS[endpoint]
    allowed = caller in case.allowed
    if allowed and case.temporal:
        pytest.skip("an operator's Update needs a Temporal server; here only the refusals before it")
    writes = allowed and case.method != "GET"
    served = (request.getfixturevalue("serve") if writes else shared)(case.state, case.prepared)
    call = case.call(served.world)
    served.token(caller)
    before = served.head()

    answer = served.send(call, caller)

    if allowed:
        assert answer.is_success, answer.text
    else:
        assert_refused(answer, 401 if caller in UNAUTHENTICATED else 403)
    if not writes:
        assert served.head() == before


def assert_refused(answer: Response, status: int) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM_JSON
    if status == 403:
        assert " lacks the right to " in answer.json()["detail"]


def test_every_endpoint_of_the_app_has_a_row(app: FastAPI) -> None:
    served = {f"{method.upper()} {path}" for path, operations in app.openapi()["paths"].items()
              for method in operations}
    assert served == {case.route for case in ENDPOINTS.values()}, "each endpoint needs a row in ENDPOINTS"


def test_every_role_is_allowed_somewhere_and_refused_somewhere_and_strangers_only_read_the_public() -> None:
    for role in ROLES:
        cells = [role in case.allowed for case in ENDPOINTS.values()]
        assert any(cells) and not all(cells), role
    for case in ENDPOINTS.values():
        assert case.allowed == PUBLIC or not case.allowed & set(UNAUTHENTICATED), case.route


EVERY_SUBMISSION = ["A1", "A2", "B1"]


def visible_to(world: World, caller: str) -> list[str] | None:
    """The submissions `caller` sees in the list; None when it may not read the list at all."""
    if caller in READERS:
        return EVERY_SUBMISSION
    if caller == "applicant":
        return ["B1"]
    if caller == "expert":
        return sorted(reference for judging_ in world.konkurs.reads.judgings(spec()).values()
                      for reference, experts in judging_.assigned.items() if world.expert in experts)
    return None


@pytest.mark.parametrize("caller", list(ROLES))
def test_each_reader_sees_only_the_submissions_its_role_allows(shared: Serve, caller: str) -> None:
    served = shared(judging)
    mine = visible_to(served.world, caller)

    listed = served.send(Call("GET", contest("/submissions")), caller)

    if mine is None:
        assert_refused(listed, 403)
        return
    assert [record["reference"] for record in listed.json()] == mine
    for reference in EVERY_SUBMISSION:
        one = served.send(Call("GET", contest(f"/submissions/{reference}")), caller)
        assert one.status_code == (200 if reference in mine else 403), (reference, one.text)
