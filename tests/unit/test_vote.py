"""The public vote's write path and count: exactly once, refusals recorded, recount = view."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.aggregates import Ballot
from domain.aggregates.ballot_batch import BallotBatch
from domain.application import topic_of
from domain.ballot_intake import (
    ALREADY_VOTED,
    NOT_SHORTLISTED,
    OUTSIDE_WINDOW,
    UNKNOWN_NOMINATION,
    UNKNOWN_REGION,
    BallotInput,
)
from domain.errors import DuplicateBallot
from domain.konkurs import Konkurs
from domain.phases import Phase
from projections import ViewsDB, catch_up, default_views
from projections.vote_queries import demand, tally
from tests.factories import voting_contest
from tests.stores import Stores

SLUG = "vote-test"
KEY = b"test-voter-key"


def ballot(voter: str, nomination: str = "HC-1", submission: str = "HC-1-0", region: str = "23",
           label: str = "") -> BallotInput:
    return BallotInput(voter, nomination, submission, region, label)


def cast_log(konkurs: Konkurs) -> list[tuple[int, str]]:
    return [(e.position, e.state["voter"]) for e in konkurs.read_log([topic_of(Ballot.Cast)])]


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
    outcome = konkurs.cast_ballot_batch(SLUG, sent, KEY)
    assert outcome.accepted == 3
    assert outcome.rejected == {ALREADY_VOTED: 1, NOT_SHORTLISTED: 1, UNKNOWN_NOMINATION: 1,
                                UNKNOWN_REGION: 1}
    assert outcome.accepted + sum(outcome.rejected.values()) == len(sent)
    batches = list(konkurs.read_log([topic_of(BallotBatch.Received)]))
    assert [r["reason"] for r in batches[0].state["rejections"]] == [
        ALREADY_VOTED, NOT_SHORTLISTED, UNKNOWN_NOMINATION, UNKNOWN_REGION]


def test_a_voter_who_voted_in_an_earlier_batch_is_refused_and_the_first_ballot_stands(
    konkurs: Konkurs,
) -> None:
    voting_contest(konkurs)
    konkurs.cast_ballot_batch(SLUG, [ballot("esia-1", submission="HC-1-0")], KEY)
    later = konkurs.cast_ballot_batch(SLUG, [ballot("esia-1", submission="HC-1-2")], KEY)
    assert later.accepted == 0 and later.rejected == {ALREADY_VOTED: 1}
    tallied = konkurs.count(SLUG, konkurs.head_position())
    assert tallied.by_submission == {"HC-1": {"HC-1-0": 1}}
    assert tallied.rejected == {ALREADY_VOTED: 1}


def test_the_same_batch_handed_over_again_records_nothing(konkurs: Konkurs) -> None:
    voting_contest(konkurs)
    sent = [ballot("esia-1"), ballot("esia-2")]
    first = konkurs.cast_ballot_batch(SLUG, sent, KEY, batch="portal-0001")
    head = konkurs.head_position()
    again = konkurs.cast_ballot_batch(SLUG, sent, KEY, batch="portal-0001")
    assert again.repeated and again.accepted == first.accepted == 2
    assert konkurs.head_position() == head


def test_ballots_outside_the_voting_window_are_refused_and_late_ones_not_counted(
    konkurs: Konkurs,
) -> None:
    voting_contest(konkurs)
    konkurs.cast_ballot_batch(SLUG, [ballot("esia-1")], KEY)
    konkurs.change_phase(SLUG, Phase.VOTING, "deadline", "", "close:voting")
    closed_at = konkurs.phase_closed_at(SLUG, Phase.VOTING)
    assert closed_at is not None
    refused = konkurs.cast_ballot_batch(SLUG, [ballot("esia-2")], KEY)
    assert refused.rejected == {OUTSIDE_WINDOW: 1}
    tallied = konkurs.count(SLUG, closed_at)
    assert tallied.accepted == 1 and tallied.late == 0


def test_an_operators_file_with_a_repeat_voter_is_refused_whole(konkurs: Konkurs) -> None:
    voting_contest(konkurs)
    head = konkurs.head_position()
    with pytest.raises(DuplicateBallot, match=r"ballots\.csv:3: already voted"):
        konkurs.cast_ballot_batch(SLUG, [
            ballot("esia-1", label="ballots.csv:2"), ballot("esia-1", label="ballots.csv:3"),
        ], KEY, strict=True)
    assert konkurs.head_position() == head


@pytest.mark.only_on("sqlite", reason="reads the store's files; the PostgreSQL test below reads its table")
def test_no_raw_voter_id_appears_anywhere_in_the_store_files(tmp_path: Path) -> None:
    konkurs = Konkurs(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                           "SQLITE_DBNAME": str(tmp_path / "konkurs.db")})
    voting_contest(konkurs)
    voters = [f"esia-{n:07d}" for n in range(300)]
    konkurs.cast_ballot_batch(SLUG, [ballot(v) for v in voters] + [ballot(voters[0])], KEY)
    konkurs.close()
    stored = b"".join(path.read_bytes() for path in tmp_path.iterdir())
    assert b"esia-" not in stored
    assert all(v.encode() not in stored for v in voters)


def test_the_recount_from_the_log_equals_the_tally_view_and_demand_reads_it(
    konkurs: Konkurs, tmp_path: Path
) -> None:
    shortlist = voting_contest(konkurs)
    nominations = sorted(shortlist)
    sent = [ballot(f"esia-{n}", nominations[n % 2], shortlist[nominations[n % 2]][n % 3],
                   ("23", "75", "42")[n % 3]) for n in range(600)]
    konkurs.cast_ballot_batch(SLUG, sent[:400], KEY)
    konkurs.cast_ballot_batch(SLUG, sent[300:], KEY)  # a hundred repeat voters
    konkurs.change_phase(SLUG, Phase.VOTING, "deadline", "", "close:voting")
    closed_at = konkurs.phase_closed_at(SLUG, Phase.VOTING)
    assert closed_at is not None
    database = ViewsDB(tmp_path / "views.db")
    catch_up(konkurs, database, default_views())
    viewed, recounted = tally(database, SLUG), konkurs.count(SLUG, closed_at)
    assert recounted.accepted == viewed.accepted == 600
    assert recounted.by_submission == viewed.by_submission
    assert recounted.by_region == viewed.by_region
    assert recounted.rejected == viewed.rejected == {ALREADY_VOTED: 100}
    krasnodar = demand(database, SLUG, region="23")
    assert [d.region for d in krasnodar] == ["23"]
    assert krasnodar[0].ballots == 200
    assert krasnodar[0].wanted[0].votes == max(w.votes for w in krasnodar[0].wanted)


def test_closing_the_vote_and_declaring_results_is_deterministic(
    tmp_path: Path, stores: Stores
) -> None:
    outcomes = []
    for run in ("first", "second"):
        konkurs = Konkurs(env=stores.env(tmp_path / f"{run}.db"))
        shortlist = voting_contest(konkurs)
        sent = [ballot(f"esia-{n}", "HC-1", shortlist["HC-1"][n % 3], "23") for n in range(50)]
        konkurs.cast_ballot_batch(SLUG, sent, KEY)
        konkurs.change_phase(SLUG, Phase.VOTING, "deadline", "", "close:voting")
        konkurs.tally_votes(SLUG, "tally")
        konkurs.declare_results(SLUG, "declare")
        contest = konkurs.get_contest(SLUG)
        assert contest.tally and contest.tally.seal and contest.results and contest.results.seal
        assert contest.tally.seal.spec_hash == contest.fingerprint
        # The seals hold each store's own chain head, which the events' timestamps make differ.
        outcomes.append((contest.tally.model_copy(update={"seal": None}),
                         contest.results.model_copy(update={"seal": None})))
        konkurs.close()
    assert outcomes[0] == outcomes[1]


def test_on_postgresql_each_voter_counts_once_and_no_raw_id_is_stored(
    postgres_env: dict[str, str],
) -> None:
    import psycopg

    konkurs = Konkurs(env=postgres_env)
    shortlist = voting_contest(konkurs)
    sent = [ballot(f"esia-{n}", "HC-1", shortlist["HC-1"][n % 3], "23") for n in range(300)]
    first = konkurs.cast_ballot_batch(SLUG, sent[:200], KEY)
    second = konkurs.cast_ballot_batch(SLUG, sent[100:], KEY)
    assert (first.accepted, second.accepted, second.rejected) == (200, 100, {ALREADY_VOTED: 100})
    tallied = konkurs.count(SLUG, konkurs.head_position())
    assert tallied.accepted == 300 and tallied.rejected == {ALREADY_VOTED: 100}
    konkurs.close()
    with psycopg.connect(host=postgres_env["POSTGRES_HOST"], port=postgres_env["POSTGRES_PORT"],
                         user=postgres_env["POSTGRES_USER"],
                         password=postgres_env.get("POSTGRES_PASSWORD", ""),
                         dbname=postgres_env["POSTGRES_DBNAME"]) as connection:
        dump = b"".join(bytes(row[0]) for row in connection.execute(
            "SELECT convert_to(originator_id::text || topic, 'UTF8') || state FROM konkurs_events"))
    assert b"esia-" not in dump


def test_with_two_ballots_per_nomination_a_third_is_refused_in_any_batch(konkurs: Konkurs) -> None:
    voting_contest(konkurs, per_voter=2)
    first = konkurs.cast_ballot_batch(SLUG, [
        ballot("esia-1", submission="HC-1-0"), ballot("esia-1", submission="HC-1-1"),
        ballot("esia-1", submission="HC-1-2"), ballot("esia-2", submission="HC-1-2"),
    ], KEY)
    assert (first.accepted, first.rejected) == (3, {ALREADY_VOTED: 1})
    later = konkurs.cast_ballot_batch(SLUG, [ballot("esia-2", submission="HC-1-0"),
                                             ballot("esia-2", submission="HC-1-1")], KEY)
    assert (later.accepted, later.rejected) == (1, {ALREADY_VOTED: 1})
    tallied = konkurs.count(SLUG, konkurs.head_position())
    assert tallied.by_submission == {"HC-1": {"HC-1-0": 2, "HC-1-1": 1, "HC-1-2": 1}}


def test_without_judging_every_admitted_submission_is_on_the_ballot(konkurs: Konkurs) -> None:
    from datetime import UTC, datetime

    from domain.intake import SubmissionForm
    from domain.spec import ContestSpec
    from tests.factories import DAY, spec_data

    data = spec_data(datetime.now(UTC) + DAY, slug=SLUG, voting=True)
    data["judging"]["enabled"] = False
    spec = ContestSpec.model_validate(data)
    konkurs.announce(spec, spec.phase_plan(), "announce")
    konkurs.change_phase(SLUG, Phase.ANNOUNCED, "test", "", "open")
    konkurs.submit(SLUG, [(f"row {n}", SubmissionForm(
        reference=f"P-{n}", nomination="HC-1", title="Практика",
        applicant={"name": "ГБУ", "kind": "state_institution" if n else "business", "region": "23"},
    )) for n in range(3)])
    konkurs.change_phase(SLUG, Phase.COLLECTING, "test", "", "close:collecting")
    konkurs.conclude_screening(SLUG, "screen")  # P-0's applicant kind is not admitted
    konkurs.change_phase(SLUG, Phase.SCREENING, "test", "", "close:screening")
    assert konkurs.get_contest(SLUG).phase == Phase.VOTING

    outcome = konkurs.cast_ballot_batch(SLUG, [
        ballot("esia-1", submission="P-1"), ballot("esia-2", submission="P-2"),
        ballot("esia-3", submission="P-0"),
    ], KEY)
    assert (outcome.accepted, outcome.rejected) == (2, {NOT_SHORTLISTED: 1})
