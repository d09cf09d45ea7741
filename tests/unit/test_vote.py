"""The public vote's write path and count: exactly once, refusals recorded, recount = view."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.aggregates import Ballot
from domain.aggregates.ballot_batch import BallotBatch
from domain.commands.contest import Announce
from domain.commands.intake import BallotInput, CastBallots, Submit
from domain.commands.order import ContestOrder
from domain.errors import DuplicateBallot
from domain.phases import Phase
from services.ballots import (
    ALREADY_VOTED,
    NOT_SHORTLISTED,
    OUTSIDE_WINDOW,
    UNKNOWN_NOMINATION,
    UNKNOWN_REGION,
    voter_pseudonym,
)
from services.konkurs import Konkurs
from store.log import topic_of
from tests.factories import OPERATOR, close_phase, voting_contest
from tests.stores import Stores

SLUG = "vote-test"
KEY = b"test-voter-key"


def ballot(voter: str, nomination: str = "HC-1", submission: str = "HC-1-0", region: str = "23",
           label: str = "") -> BallotInput:
    return BallotInput(voter=voter, nomination=nomination, submission=submission, region=region, label=label)


def cast_log(konkurs: Konkurs) -> list[tuple[int, str]]:
    return [(e.position, e.state["voter"]) for e in konkurs.store.read_log([topic_of(Ballot.Cast)])]


def test_a_batch_accepts_good_ballots_and_records_each_refusal_with_its_reason(
    konkurs: Konkurs,
) -> None:
    voting_contest(konkurs)
    sent = [
        ballot("esia-1"), ballot("esia-2", "HC-2", "HC-2-1", "75"),
        ballot("esia-1", submission="HC-1-2"),  # second ballot of esia-1 in HC-1
        ballot("esia-3", submission="HC-1-9"), ballot("esia-4", nomination="XX-9"),
        ballot("esia-5", region="00"), ballot("esia-1", "HC-2", "HC-2-0"),
    ]
    outcome = konkurs.ballots.cast_ballots(
        CastBallots(slug=SLUG, ballots=sent, voter_key=KEY, actor=OPERATOR)
    )
    assert outcome.accepted == 3
    assert outcome.rejected == {ALREADY_VOTED: 1, NOT_SHORTLISTED: 1, UNKNOWN_NOMINATION: 1,
                                UNKNOWN_REGION: 1}
    assert outcome.accepted + sum(outcome.rejected.values()) == len(sent)
    batches = list(konkurs.store.read_log([topic_of(BallotBatch.Received)]))
    assert [r["reason"] for r in batches[0].state["rejections"]] == [
        ALREADY_VOTED, NOT_SHORTLISTED, UNKNOWN_NOMINATION, UNKNOWN_REGION]


def test_a_voter_who_voted_in_an_earlier_batch_is_refused_and_the_first_ballot_stands(
    konkurs: Konkurs,
) -> None:
    voting_contest(konkurs)
    konkurs.ballots.cast_ballots(
        CastBallots(slug=SLUG, ballots=[ballot("esia-1", submission="HC-1-0")], voter_key=KEY, actor=OPERATOR)
    )
    later = konkurs.ballots.cast_ballots(
        CastBallots(slug=SLUG, ballots=[ballot("esia-1", submission="HC-1-2")], voter_key=KEY, actor=OPERATOR)
    )
    assert later.accepted == 0 and later.rejected == {ALREADY_VOTED: 1}
    tallied = konkurs.results.count(SLUG, konkurs.store.head_position())
    assert tallied.by_submission == {"HC-1": {"HC-1-0": 1}}
    assert tallied.rejected == {ALREADY_VOTED: 1}


def test_the_same_batch_handed_over_again_records_nothing(konkurs: Konkurs) -> None:
    voting_contest(konkurs)
    sent = [ballot("esia-1"), ballot("esia-2")]
    first = konkurs.ballots.cast_ballots(
        CastBallots(slug=SLUG, ballots=sent, voter_key=KEY, batch="portal-0001", actor=OPERATOR)
    )
    head = konkurs.store.head_position()
    again = konkurs.ballots.cast_ballots(
        CastBallots(slug=SLUG, ballots=sent, voter_key=KEY, batch="portal-0001", actor=OPERATOR)
    )
    assert again.repeated and again.accepted == first.accepted == 2
    assert konkurs.store.head_position() == head


def test_ballots_outside_the_voting_window_are_refused_and_late_ones_not_counted(
    konkurs: Konkurs,
) -> None:
    voting_contest(konkurs)
    konkurs.ballots.cast_ballots(
        CastBallots(slug=SLUG, ballots=[ballot("esia-1")], voter_key=KEY, actor=OPERATOR)
    )
    close_phase(konkurs, SLUG, Phase.VOTING, "close:voting")
    closed_at = konkurs.store.phase_closed_at(SLUG, Phase.VOTING)
    assert closed_at is not None
    refused = konkurs.ballots.cast_ballots(
        CastBallots(slug=SLUG, ballots=[ballot("esia-2")], voter_key=KEY, actor=OPERATOR)
    )
    assert refused.rejected == {OUTSIDE_WINDOW: 1}
    tallied = konkurs.results.count(SLUG, closed_at)
    assert tallied.accepted == 1 and tallied.late == 0


def test_an_operators_file_with_a_repeat_voter_is_refused_whole(konkurs: Konkurs) -> None:
    voting_contest(konkurs)
    head = konkurs.store.head_position()
    with pytest.raises(DuplicateBallot, match=r"ballots\.csv:3: already voted"):
        konkurs.ballots.cast_ballots(
            CastBallots(
                slug=SLUG,
                ballots=[
                    ballot("esia-1", label="ballots.csv:2"),
                    ballot("esia-1", label="ballots.csv:3"),
                ],
                voter_key=KEY,
                strict=True,
                actor=OPERATOR,
            )
        )
    assert konkurs.store.head_position() == head


def test_closing_the_vote_and_declaring_results_is_deterministic(tmp_path: Path, stores: Stores) -> None:
    outcomes = []
    for run in ("first", "second"):
        konkurs = Konkurs(env=stores.env(tmp_path / f"{run}.db"))
        shortlist = voting_contest(konkurs)
        sent = [ballot(f"esia-{n}", "HC-1", shortlist["HC-1"][n % 3], "23") for n in range(50)]
        konkurs.ballots.cast_ballots(CastBallots(slug=SLUG, ballots=sent, voter_key=KEY, actor=OPERATOR))
        close_phase(konkurs, SLUG, Phase.VOTING, "close:voting")
        konkurs.results.tally_votes(ContestOrder(slug=SLUG, command_id="tally", actor=OPERATOR))
        konkurs.results.declare_results(ContestOrder(slug=SLUG, command_id="declare", actor=OPERATOR))
        contest = konkurs.store.get_contest(SLUG)
        assert contest.tally and contest.tally.seal and contest.results and contest.results.seal
        assert contest.tally.seal.spec_hash == contest.fingerprint
        # The seals hold each store's own chain head, which the events' timestamps make differ.
        outcomes.append(
            (
                contest.tally.model_copy(update={"seal": None}),
                contest.results.model_copy(update={"seal": None}),
            )
        )
        konkurs.close()
    assert outcomes[0] == outcomes[1]


def test_with_two_ballots_per_nomination_a_third_is_refused_in_any_batch(konkurs: Konkurs) -> None:
    voting_contest(konkurs, per_voter=2)
    first = konkurs.ballots.cast_ballots(
        CastBallots(
            slug=SLUG,
            ballots=[
                ballot("esia-1", submission="HC-1-0"),
                ballot("esia-1", submission="HC-1-1"),
                ballot("esia-1", submission="HC-1-2"),
                ballot("esia-2", submission="HC-1-2"),
            ],
            voter_key=KEY,
            actor=OPERATOR,
        )
    )
    assert (first.accepted, first.rejected) == (3, {ALREADY_VOTED: 1})
    later = konkurs.ballots.cast_ballots(
        CastBallots(
            slug=SLUG,
            ballots=[ballot("esia-2", submission="HC-1-0"), ballot("esia-2", submission="HC-1-1")],
            voter_key=KEY,
            actor=OPERATOR,
        )
    )
    assert (later.accepted, later.rejected) == (1, {ALREADY_VOTED: 1})
    tallied = konkurs.results.count(SLUG, konkurs.store.head_position())
    assert tallied.by_submission == {"HC-1": {"HC-1-0": 2, "HC-1-1": 1, "HC-1-2": 1}}


def test_without_judging_every_admitted_submission_is_on_the_ballot(konkurs: Konkurs) -> None:
    from datetime import UTC, datetime

    from domain.commands.intake import SubmissionForm
    from domain.spec import ContestSpec
    from tests.factories import DAY, spec_data

    data = spec_data(datetime.now(UTC) + DAY, slug=SLUG, voting=True)
    data["judging"]["enabled"] = False
    spec = ContestSpec.model_validate(data)
    konkurs.contests.announce(
        Announce(spec=spec, plan=spec.phase_plan(), command_id="announce", actor=OPERATOR)
    )
    close_phase(konkurs, SLUG, Phase.ANNOUNCED, "open", cause="test")
    konkurs.submissions.submit(
        Submit(
            slug=SLUG,
            forms=[
                (
                    f"row {n}",
                    SubmissionForm(
                        reference=f"P-{n}",
                        nomination="HC-1",
                        title="Практика",
                        applicant={
                            "name": "ГБУ",
                            "kind": "state_institution" if n else "business",
                            "region": "23",
                        },
                    ),
                )
                for n in range(3)
            ],
            actor=OPERATOR,
        )
    )
    close_phase(konkurs, SLUG, Phase.COLLECTING, "close:collecting", cause="test")
    konkurs.results.conclude_screening(
        ContestOrder(slug=SLUG, command_id="screen", actor=OPERATOR)
    )  # P-0's applicant kind is not admitted
    close_phase(konkurs, SLUG, Phase.SCREENING, "close:screening", cause="test")
    assert konkurs.store.get_contest(SLUG).phase == Phase.VOTING

    outcome = konkurs.ballots.cast_ballots(
        CastBallots(
            slug=SLUG,
            ballots=[
                ballot("esia-1", submission="P-1"),
                ballot("esia-2", submission="P-2"),
                ballot("esia-3", submission="P-0"),
            ],
            voter_key=KEY,
            actor=OPERATOR,
        )
    )
    assert (outcome.accepted, outcome.rejected) == (2, {NOT_SHORTLISTED: 1})


def test_a_ballot_written_in_bulk_is_the_event_the_ballot_aggregate_would_record(
    konkurs: Konkurs,
) -> None:
    """The bulk path serialises `Ballot.Cast` without building it; what it stores must read
    back as that event, field for field, as if the aggregate had been saved."""
    voting_contest(konkurs)
    konkurs.ballots.cast_ballots(
        CastBallots(slug=SLUG, ballots=[ballot("esia-1")], voter_key=KEY, actor=OPERATOR)
    )
    [stored] = list(konkurs.store.read_log([topic_of(Ballot.Cast)]))
    [batch] = list(konkurs.store.read_log([topic_of(BallotBatch.Received)]))
    voter = voter_pseudonym(KEY, "esia-1")
    saved = Ballot(contest=SLUG, nomination="HC-1", voter=voter, submission="HC-1-0", region="23",
                   batch=batch.state["batch"])
    [expected] = konkurs.store.stored([saved], OPERATOR)
    assert stored.originator_id == saved.id and stored.topic == expected.topic
    written = dict(stored.state)
    decoded = konkurs.store.mapper.decode_state(expected.state, expected.topic)  # type: ignore[attr-defined]
    assert list(written) == list(decoded)
    assert {**written, "timestamp": None} == {**decoded, "timestamp": None}
    recorded: Ballot = konkurs.store.repository.get(saved.id)
    assert (recorded.contest, recorded.nomination, recorded.voter, recorded.submission, recorded.region) == (
        SLUG, "HC-1", voter, "HC-1-0", "23")
    assert recorded.created_on.isoformat().replace("+00:00", "Z") == written["timestamp"]
