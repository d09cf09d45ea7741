"""Receipts of the vote: a voter's ballots found by their ids, at the positions the log holds
them, and a receipt checked against the published tally, all without writing anything."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.actors import Role, Scope, actor_for
from domain.aggregates import Ballot
from domain.commands.intake import BallotInput, CastBallots
from domain.commands.order import ContestOrder
from domain.commands.receipts import ReadReceipt, ReceiptStatus, VerifyReceipt
from domain.errors import Forbidden
from domain.phases import Phase
from services.konkurs import Konkurs
from store.log import originator_uuid, topic_of
from tests.factories import OPERATOR
from tests.unit.permissions import KEY, SLUG, close, voting

PORTAL = actor_for(Role.PORTAL, "vote-portal", Scope(contests=(SLUG,)))
VOTER = "esia-1000234"


def cast(konkurs: Konkurs, voter: str, submission: str) -> None:
    outcome = konkurs.ballots.cast_ballots(CastBallots(
        actor=PORTAL, slug=SLUG, voter_key=KEY,
        ballots=[BallotInput(voter=voter, nomination="HC-1", submission=submission, region="75")]))
    assert outcome.accepted == 1, outcome


def receipt_of(konkurs: Konkurs, voter: str = VOTER) -> list[tuple[str, str, int]]:
    found = konkurs.receipts.receipt(ReadReceipt(actor=PORTAL, slug=SLUG, voter=voter, voter_key=KEY))
    return [(line.nomination, line.ballot, line.position) for line in found.lines]


def publish(konkurs: Konkurs) -> None:
    close(konkurs, Phase.VOTING)
    results = konkurs.results
    for step in (results.tally_votes, results.declare_results, results.publish_results):
        step(ContestOrder(slug=SLUG, command_id=step.__name__, actor=OPERATOR))


def test_a_receipt_names_the_voters_ballots_where_the_log_holds_them(konkurs: Konkurs) -> None:
    world = voting(konkurs)
    assert receipt_of(konkurs) == []
    cast(konkurs, "someone-else", world.extra["shortlisted"])
    cast(konkurs, VOTER, world.extra["shortlisted"])

    [(nomination, ballot, position)] = receipt_of(konkurs)
    assert nomination == "HC-1"
    [logged] = [e for e in konkurs.store.read_log([topic_of(Ballot.Cast)]) if e.position == position]
    assert logged.originator_id.hex == ballot
    assert receipt_of(konkurs, "someone-else")[0][1] != ballot
    # The same voter, spelled as the spec's rule trims it, is the same voter.
    assert receipt_of(konkurs, f"  {VOTER} ") == [(nomination, ballot, position)]


def test_only_a_portal_of_the_contest_reads_a_voters_receipt(konkurs: Konkurs) -> None:
    voting(konkurs)
    for stranger in (actor_for(Role.PORTAL, "other", Scope(contests=("other-contest",))),
                     actor_for(Role.AUDITOR, "accounts-chamber")):
        with pytest.raises(Forbidden):
            konkurs.receipts.receipt(ReadReceipt(actor=stranger, slug=SLUG, voter=VOTER, voter_key=KEY))


def test_a_receipt_checks_out_only_after_publication_and_only_as_given(konkurs: Konkurs) -> None:
    world = voting(konkurs)
    cast(konkurs, VOTER, world.extra["shortlisted"])
    [(_, ballot, position)] = receipt_of(konkurs)
    check = konkurs.receipts.verify

    before = check(VerifyReceipt(slug=SLUG, ballot=ballot, position=position))
    assert before.status == ReceiptStatus.NOT_PUBLISHED
    assert before.nomination is None and before.sealed_head is None

    publish(konkurs)
    head = konkurs.store.head_position()
    counted = check(VerifyReceipt(slug=SLUG, ballot=ballot.upper(), position=position))
    assert counted.status == ReceiptStatus.COUNTED, counted
    published = next(e for e in konkurs.store.read_log() if e.topic.endswith("ResultsPublished"))
    assert counted.sealed_position == published.state["seal"]["chain_position"] >= position
    assert counted.sealed_head == published.state["seal"]["chain_head"]

    other_event = konkurs.store.reader.at(position + 1)
    assert other_event is not None
    for forged in (VerifyReceipt(slug=SLUG, ballot=ballot, position=position + 1),
                   VerifyReceipt(slug=SLUG, ballot=originator_uuid(other_event).hex, position=position),
                   VerifyReceipt(slug=SLUG, ballot=ballot, position=10**9)):
        answer = check(forged)
        assert answer.status == ReceiptStatus.NOT_FOUND, forged
        assert answer.reason and answer.nomination is None
    assert konkurs.store.head_position() == head, "checking a receipt writes nothing"


@pytest.mark.parametrize(("ballot", "position"), [("not-hex", 3), ("ab" * 16, 0), ("ab" * 15, 3)])
def test_a_receipt_not_of_the_form_is_refused_by_its_model(ballot: str, position: int) -> None:
    with pytest.raises(ValidationError):
        VerifyReceipt(slug=SLUG, ballot=ballot, position=position)
