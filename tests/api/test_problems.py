"""Errors as the API answers them: RFC 9457 problem details (application/problem+json with type,
title, status and a one-sentence detail) with the status each deserves, and nothing written; and
retries, which are answered as the first time and write nothing more."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import pytest
from fastapi import FastAPI

from konkurs.api.limits import JSON_BODY_LIMIT
from konkurs.api.problems import PROBLEM_JSON
from tests.api.world import FORGED, NOBODY, REVOKED, Call, Serve, ballot, contest, filed, form
from tests.unit.permissions import SLUG, voting

OPERATOR = "federal operator"
CAP = f"over the limit of {JSON_BODY_LIMIT:,} bytes"
HUGE = form("C1", title="x" * JSON_BODY_LIMIT)
"""A form whose title alone is 1 MiB: its body is over the cap."""


@dataclass(frozen=True)
class Refused:
    """A request the API refuses: who sends it, the status it gets, and words its detail holds."""

    call: Call
    caller: str
    status: int
    detail: str


def submit(body: dict[str, Any], slug: str = SLUG) -> Call:
    return Call("POST", f"/v1/contests/{slug}/submissions", json=body)


def submit_raw(body: bytes) -> Call:
    return Call("POST", contest("/submissions"), content=body, headers={"Content-Type": "application/json"})


def streamed(body: dict[str, Any]) -> Call:
    """The body in chunks, without a Content-Length: the cap must hold while it is read."""
    data = json.dumps(body).encode()

    def chunks() -> Iterator[bytes]:
        yield from (data[start:start + 65_536] for start in range(0, len(data), 65_536))

    return Call("POST", contest("/submissions"), content=chunks, headers={"Content-Type": "application/json"})


BOARD = Call("GET", contest("/status"))

REFUSALS: dict[str, Refused] = {
    "no credential": Refused(BOARD, NOBODY, 401, "this request needs a bearer credential"),
    "a forged token": Refused(BOARD, FORGED, 401, "it was not issued here, or its secret is wrong"),
    "a revoked token": Refused(BOARD, REVOKED, 401, "was revoked: утерян"),
    "a role without the right": Refused(BOARD, "applicant", 403, "lacks the right to read the board"),
    "an unknown contest, read by anyone": Refused(
        Call("GET", "/v1/contests/no-such/schedule"), NOBODY, 404, "no contest 'no-such' has been announced"),
    "an unknown contest, written to": Refused(
        submit(form("C1"), slug="no-such"), OPERATOR, 404, "no contest 'no-such' has been announced"),
    "an unknown submission": Refused(
        Call("GET", contest("/submissions/NO-SUCH")), OPERATOR, 404, "no submission 'NO-SUCH'"),
    "a reference another submission holds": Refused(
        submit(form("B1", title="Другая практика")), OPERATOR, 409, "submission B1 already exists"),
    "a phase that is not open": Refused(
        Call("PUT", contest("/cards/B1"), json={"scores": {"impact": 8}}), "expert", 409,
        "takes no reviews now"),
    "an operator's Update with no Temporal server": Refused(
        Call("POST", contest("/close"), json={"phase": "collecting"}), OPERATOR, 503,
        "cannot reach the Temporal server"),
    "a body over the cap, declared": Refused(submit(HUGE), OPERATOR, 413, CAP),
    "a body over the cap, streamed": Refused(streamed(HUGE), OPERATOR, 413, CAP),
    "a title over 1000 characters": Refused(
        submit(form("C1", title="я" * 1001)), OPERATOR, 422, "body.title: String should have at most 1000"),
    "a title over the spec's limit": Refused(
        submit(form("C1", title="я" * 512)), OPERATOR, 422,
        "title is 512 characters, the contest allows 300"),
    "malformed JSON": Refused(submit_raw(b'{"reference": "C1", "title": '), OPERATOR, 422, "JSON"),
    "JSON that is not UTF-8": Refused(submit_raw(b'{"reference": "C\xff1"}'), OPERATOR, 422, "body"),
    "a broken multipart body": Refused(Call(
        "POST", contest("/submissions/B1/materials"), content=b"--cut\r\n--cut--\r\n",
        headers={"Content-Type": "multipart/form-data; boundary=cut"}), OPERATOR, 422, "multipart"),
    "a form without its applicant": Refused(
        submit({k: v for k, v in form("C1").items() if k != "applicant"}), OPERATOR, 422,
        "body.applicant: Field required"),
}




@pytest.mark.parametrize("refusal", REFUSALS)
def test_each_refusal_is_a_problem_with_its_status_and_one_sentence_and_writes_nothing(
    serve: Serve, refusal: str
) -> None:
    case = REFUSALS[refusal]
    served = serve(filed)
    served.token(case.caller)
    before = served.head()

    answer = served.send(case.call, case.caller)

    assert answer.status_code == case.status, answer.text
    assert answer.headers["content-type"] == PROBLEM_JSON
    problem = answer.json()
    assert problem["status"] == case.status
    assert problem["title"] == HTTPStatus(case.status).phrase
    assert problem["type"]
    assert case.detail in problem["detail"]
    assert "\n" not in problem["detail"]
    if case.status == 401:
        assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert served.head() == before


def test_a_ballot_replayed_with_its_idempotency_key_is_answered_as_the_first_time(serve: Serve) -> None:
    served = serve(voting)
    cast = Call("POST", contest("/ballots"), json=ballot(served.world),
                headers={"Idempotency-Key": "click-1"})
    first = served.send(cast, "portal")
    after_first = served.head()

    again = served.send(cast, "portal")

    assert first.status_code == again.status_code == 200
    assert first.json() | {"repeated": True} == again.json()
    assert (first.json()["status"], first.json()["repeated"]) == ("accepted", False)
    assert served.head() == after_first


def test_a_key_sent_again_with_another_voters_ballot_is_another_request_and_that_ballot_counts(
    serve: Serve,
) -> None:
    served = serve(voting)
    keyed = {"Idempotency-Key": "click-1"}
    first = served.send(Call("POST", contest("/ballots"), json=ballot(served.world), headers=keyed), "portal")
    other = ballot(served.world) | {"voter": "citizen-2"}

    second = served.send(Call("POST", contest("/ballots"), json=other, headers=keyed), "portal")

    assert [a.json()["status"] for a in (first, second)] == ["accepted", "accepted"]
    assert second.json()["repeated"] is False and second.json()["batch"] != first.json()["batch"]


def test_a_submission_replayed_with_its_idempotency_key_gets_the_first_record(serve: Serve) -> None:
    served = serve(filed)
    keyed = {"Idempotency-Key": "form-c1"}
    first = served.send(Call("POST", contest("/submissions"), json=form("C1"), headers=keyed), "applicant")
    after_first = served.head()

    again = served.send(Call("POST", contest("/submissions"), json=form("C1"), headers=keyed), "applicant")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert again.json() == first.json()
    assert served.head() == after_first


@pytest.mark.parametrize(("body", "headers"), [
    (form("C1", title="Другая практика"), {"Idempotency-Key": "form-c1"}),
    (form("C1"), {}),
], ids=["another body under the same key", "the same body without a key"])
def test_a_reference_sent_again_other_than_as_a_replay_is_a_conflict(
    serve: Serve, body: dict[str, Any], headers: dict[str, str]
) -> None:
    served = serve(filed)
    created = served.send(Call("POST", contest("/submissions"), json=form("C1"),
                               headers={"Idempotency-Key": "form-c1"}), "applicant")
    assert created.status_code == 201, created.text
    after_first = served.head()

    again = served.send(Call("POST", contest("/submissions"), json=body, headers=headers), "applicant")

    assert again.status_code == 409, again.text
    assert again.json()["detail"].endswith("submission C1 already exists")
    assert served.head() == after_first


def problem_schema(response: dict[str, Any]) -> object:
    """The schema a documented error answer has, if it is described as problem+json only."""
    content = response.get("content", {})
    return content[PROBLEM_JSON].get("schema") if set(content) == {PROBLEM_JSON} else None


def test_the_document_describes_every_problem_as_problem_json_with_its_schema(app: FastAPI) -> None:
    """What a client (and the fuzz's schema check) reads of an error answer is what it gets."""
    undescribed = [
        f"{method.upper()} {path} {status}: {sorted(response.get('content', {}))}"
        for path, operations in app.openapi()["paths"].items()
        for method, operation in operations.items()
        for status, response in operation["responses"].items()
        if status[0] in "45" and not problem_schema(response)
    ]
    assert not undescribed, "\n".join(undescribed)
