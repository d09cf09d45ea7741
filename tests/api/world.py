"""The HTTP API's world: the permissions matrix's stage of region 75 (tests/unit/permissions.py)
served by the app, callers holding bearer tokens for each of its roles, and requests as the API
takes them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from fastapi.testclient import TestClient
from httpx import Response

from domain.commands.credentials import IssuedToken, IssueToken, RevokeToken
from domain.commands.intake import Submit
from domain.commands.order import ContestOrder
from services.konkurs import Konkurs
from tests.factories import OPERATOR
from tests.unit.permissions import APPLICANT_INN, ROLES, SLUG, World, collecting, submission, voted

NOBODY = "nobody"
FORGED = "forged token"
REVOKED = "revoked token"
UNAUTHENTICATED = (NOBODY, FORGED, REVOKED)
CALLERS = (*ROLES, *UNAUTHENTICATED)
"""Every role of the matrix, and three callers the API does not know: one without a credential,
one whose token's secret is not the one issued, and one whose token was revoked."""


@dataclass(frozen=True)
class Call:
    """One HTTP request, without its credential."""

    method: str
    path: str
    json: Any = None
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes, str]] | None = None
    content: bytes | Callable[[], Iterator[bytes]] | None = None
    """Raw bytes for the body, or a maker of the chunks it streams in (no Content-Length)."""


def contest(tail: str = "") -> str:
    return f"/v1/contests/{SLUG}{tail}"


def issue(world: World, role: str) -> IssuedToken:
    """A token acting as `role` of the matrix, issued by the federal operator."""
    actor = ROLES[role](world)
    assert actor.role is not None
    return world.konkurs.credentials.issue(IssueToken(role=actor.role, id=actor.id, scope=actor.scope,
                                                      actor=OPERATOR))


def token_for(world: World, caller: str) -> str | None:
    """The bearer credential `caller` presents: None for nobody."""
    if caller == NOBODY:
        return None
    issued = issue(world, "federal operator" if caller in UNAUTHENTICATED else caller)
    if caller == FORGED:
        return issued.token[:-4] + "XXXX"
    if caller == REVOKED:
        world.konkurs.credentials.revoke(RevokeToken(token_id=issued.token_id, reason="утерян",
                                                     actor=OPERATOR))
    return issued.token


def bearer(token: str | None) -> dict[str, str]:
    return {} if token is None else {"Authorization": f"Bearer {token}"}


def send(client: TestClient, call: Call, token: str | None) -> Response:
    content = call.content() if callable(call.content) else call.content
    return client.request(call.method, call.path, json=call.json, content=content, params=call.params,
                          files=call.files, headers=call.headers | bearer(token))


@dataclass
class Served:
    """A world, the app over it, and the tokens its callers were issued (on first use)."""

    world: World
    client: TestClient
    tokens: dict[str, str | None] = field(default_factory=dict)

    def token(self, caller: str) -> str | None:
        if caller not in self.tokens:
            self.tokens[caller] = token_for(self.world, caller)
        return self.tokens[caller]

    def send(self, call: Call, caller: str) -> Response:
        return send(self.client, call, self.token(caller))

    def head(self) -> int:
        """The log's last position: unchanged by a call that writes nothing."""
        return self.world.konkurs.store.head_position()


State = Callable[[Konkurs], World]
Prepare = Callable[[World], Call]


class Serve(Protocol):
    """A world brought to `state`, then `prepare`'s call made by the federal operator, served."""

    def __call__(self, state: State, prepare: Prepare | None = None) -> Served: ...


def serve_in(konkurs: Konkurs, client: TestClient, state: State, prepare: Prepare | None) -> Served:
    made = Served(state(konkurs), client)
    if prepare is not None:
        answer = made.send(prepare(made.world), "federal operator")
        assert answer.is_success, answer.text
    return made


# States and requests beyond tests/unit/permissions.py's


def filed(konkurs: Konkurs) -> World:
    """Collection open, with the matrix applicant's submission B1 filed."""
    world = collecting(konkurs)
    konkurs.submissions.submit(Submit(slug=SLUG, forms=[submission("B1", APPLICANT_INN)], actor=OPERATOR))
    world.submission = "B1"
    return world


def published(konkurs: Konkurs) -> World:
    """The vote counted, the results declared and published."""
    world = voted(konkurs)
    results = konkurs.results
    for step in (results.tally_votes, results.declare_results, results.publish_results):
        step(ContestOrder(slug=SLUG, command_id=step.__name__, actor=OPERATOR))
    return world


def form(reference: str, **changes: Any) -> dict[str, Any]:
    """A submission form as JSON, under the matrix applicant's INN."""
    data: dict[str, Any] = submission(reference, APPLICANT_INN)[1].model_dump(mode="json")
    return data | changes


REPORT = b"%PDF-1.4 the practice's report"
REPORT_SHA256 = hashlib.sha256(REPORT).hexdigest()


def attach_report(world: World) -> Call:
    return Call("POST", contest(f"/submissions/{world.submission}/materials"),
                files={"file": ("report.pdf", REPORT, "application/pdf")})


def ballot(world: World, voter: str = "citizen-1") -> dict[str, str]:
    return {"voter": voter, "nomination": "HC-1", "submission": world.extra["shortlisted"], "region": "75"}
