"""Every role against every state-changing command, through the services: each allowed call
succeeds, each forbidden one is refused in one line naming the missing right, and nothing is
written."""

from __future__ import annotations

import pytest

from domain.commands.reads import ReadSubmissions
from domain.errors import Forbidden
from services.konkurs import Konkurs
from tests.unit.permissions import ROLES, SERVICE_CASES, SLUG, judging, spec

# The policy decides the same on every store; hundreds of fresh databases would add nothing.
pytestmark = pytest.mark.only_on("memory", reason="the rights policy does not depend on the store")

MATRIX = [(command, role) for command in SERVICE_CASES for role in ROLES]


@pytest.mark.parametrize(("command", "role"), MATRIX, ids=[f"{c} as {r}" for c, r in MATRIX])
def test_each_role_may_do_only_what_its_scope_allows(konkurs: Konkurs, command: str, role: str) -> None:
    case = SERVICE_CASES[command]
    world = case.state(konkurs)
    actor = ROLES[role](world)
    before = konkurs.store.head_position()

    if role in case.allowed:
        case.call(world, actor)
        return
    with pytest.raises(Forbidden) as refused:
        case.call(world, actor)

    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"{actor.describe()} lacks the right to ")
    assert konkurs.store.head_position() == before


def test_the_matrix_names_every_role_at_least_once_as_allowed_and_as_refused() -> None:
    allowed = {role for case in SERVICE_CASES.values() for role in case.allowed}
    assert allowed == {"federal operator", "regional operator of 75", "expert", "applicant", "portal"}
    assert all(len(case.allowed) < len(ROLES) for case in SERVICE_CASES.values())


EVERY_SUBMISSION = {"federal operator", "regional operator of 75", "auditor"}


@pytest.mark.parametrize("role", list(ROLES))
def test_each_reader_sees_only_the_submissions_its_role_allows(konkurs: Konkurs, role: str) -> None:
    world = judging(konkurs)
    actor = ROLES[role](world)
    mine = {"applicant": ["B1"], "expert": sorted(
        ref for j in konkurs.reads.judgings(spec()).values() for ref, experts in j.assigned.items()
        if world.expert in experts)}
    read = konkurs.submission_reads.submissions

    if role in EVERY_SUBMISSION:
        assert [r.reference for r in read(ReadSubmissions(actor=actor, slug=SLUG))] == ["A1", "A2", "B1"]
        assert read(ReadSubmissions(actor=actor, slug=SLUG, reference="A2"))[0].status == "admitted"
    elif role in mine:
        assert [r.reference for r in read(ReadSubmissions(actor=actor, slug=SLUG))] == mine[role]
        assert read(ReadSubmissions(actor=actor, slug=SLUG, reference=mine[role][0]))
        hidden = next(ref for ref in ("A1", "A2", "B1") if ref not in mine[role])
        for reference in (hidden, "NO-SUCH"):
            with pytest.raises(Forbidden, match=f"lacks the right to read submission {reference} "):
                read(ReadSubmissions(actor=actor, slug=SLUG, reference=reference))
    else:
        with pytest.raises(Forbidden, match="lacks the right to read submissions in stage-75"):
            read(ReadSubmissions(actor=actor, slug=SLUG))
