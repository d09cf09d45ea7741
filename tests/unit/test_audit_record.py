"""What the audit report reads of one contest: the operators' commands in log order, the seals of
its results, and the rejections counted by reason, from a contest driven through every phase."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.aggregates import Applicant, Review, Submission
from domain.commands.contest import Announce, RecordCancellation, RecordExtension, RecordPhaseChange
from domain.commands.intake import BallotInput, CastBallots, SubmissionForm, Submit
from domain.commands.judging import EnrollExperts, Recuse
from domain.commands.order import ContestOrder
from domain.errors import UnknownContest
from domain.ids import review_id
from domain.outcomes import ScreeningOutcome, Seal
from domain.phases import Phase
from domain.spec import ApplicantKind
from services.ballots import NOT_SHORTLISTED, OUTSIDE_WINDOW, UNKNOWN_REGION
from services.konkurs import Konkurs
from tests.factories import (
    DAY,
    OPERATOR,
    cards_for_assignments,
    close_phase,
    expert_panel,
    make_spec,
    record_cards,
)

SLUG = "audited"
START = datetime(2030, 1, 1, tzinfo=UTC)
KEY = b"audit-voter-key"
EXTENSION = "Продление по письму Минтруда № 12-3/456"
EARLY_COLLECTION = "Закрыто досрочно: заявок достаточно"
RECUSAL = "Работал в организации заявителя"
EARLY_JUDGING = "Все карточки сданы"
CANCELLATION = "Отменён решением оргкомитета"


def form(reference: str, nomination: str = "HC-1", kind: str = "ngo") -> SubmissionForm:
    return SubmissionForm(
        reference=reference, nomination=nomination, title=f"Практика {reference}",
        applicant=Applicant(name=f"Заявитель {reference}", kind=ApplicantKind(kind), region="23"))


def ballot(voter: str, submission: str, region: str = "23", nomination: str = "HC-1") -> BallotInput:
    return BallotInput(
        voter=voter, nomination=nomination, submission=submission, region=region, label=f"ballots.csv:{voter}"
    )


def run_contest(konkurs: Konkurs) -> None:
    """Every phase, with an operator's command or a refusal in each."""
    spec = make_spec(START, SLUG)
    konkurs.contests.announce(
        Announce(spec=spec, plan=spec.phase_plan(), command_id="announce", actor=OPERATOR)
    )
    close_phase(konkurs, SLUG, Phase.ANNOUNCED, "close:announced")
    konkurs.contests.extend_deadline(
        RecordExtension(
            slug=SLUG,
            phase=Phase.COLLECTING,
            closes_at=START + 65 * DAY,
            reason=EXTENSION,
            command_id="extend",
            actor=OPERATOR,
        )
    )
    konkurs.submissions.submit(
        Submit(
            slug=SLUG,
            forms=[
                ("row 1", form("A1")),
                ("row 2", form("A2")),
                ("row 3", form("A3", "HC-2")),
                ("row 4", form("B1", kind="business")),
            ],
            actor=OPERATOR,
        )
    )
    konkurs.judging.enroll_experts(EnrollExperts(slug=SLUG, profiles=expert_panel(), actor=OPERATOR))
    konkurs.contests.change_phase(
        RecordPhaseChange(
            slug=SLUG,
            closed=Phase.COLLECTING,
            cause="operator",
            reason=EARLY_COLLECTION,
            command_id="close:collecting",
            actor=OPERATOR,
        )
    )
    # A writer that checked the phase just before it closed: its submission lands after the close.
    konkurs.store.save(Submission(contest=SLUG, **dict(form("L1"))), actor=OPERATOR)
    konkurs.results.conclude_screening(ContestOrder(slug=SLUG, command_id="screen", actor=OPERATOR))
    close_phase(konkurs, SLUG, Phase.SCREENING, "close:screening")
    konkurs.judging.assign_experts(ContestOrder(slug=SLUG, command_id="assign", actor=OPERATOR))
    [judging] = [j for j in konkurs.reads.judgings(spec).values() if "A1" in j.assigned]
    recused = judging.assigned["A1"][0]
    konkurs.judging.recuse(Recuse(slug=SLUG, submission="A1", expert=recused, reason=RECUSAL, actor=OPERATOR))
    record_cards(konkurs, SLUG, cards_for_assignments(konkurs, SLUG))
    konkurs.contests.change_phase(
        RecordPhaseChange(
            slug=SLUG,
            closed=Phase.JUDGING,
            cause="operator",
            reason=EARLY_JUDGING,
            command_id="close:judging",
            actor=OPERATOR,
        )
    )
    # A card revised after judging closed: recorded, never counted.
    review: Review = konkurs.store.repository.get(review_id(SLUG, "A2", judging.assigned["A2"][0]))
    review.rescore(scores={"impact": 1, "replicable": 1})
    konkurs.store.save(review, actor=OPERATOR)
    konkurs.results.conclude_judging(ContestOrder(slug=SLUG, command_id="judge", actor=OPERATOR))
    konkurs.ballots.cast_ballots(
        CastBallots(
            slug=SLUG,
            ballots=[
                ballot("v1", "A1"),
                ballot("v2", "A2"),
                ballot("v3", "A2", "00"),
                ballot("v4", "B1"),
                ballot("v5", "A1", "99"),
            ],
            voter_key=KEY,
            batch="portal-1",
            actor=OPERATOR,
        )
    )
    stale = konkurs.store.get_contest(SLUG)
    close_phase(konkurs, SLUG, Phase.VOTING, "close:voting")
    # A batch checked against the contest as it stood before the close: its ballot is late.
    late = CastBallots(slug=SLUG, ballots=[ballot("v6", "A1")], voter_key=KEY, actor=OPERATOR)
    konkurs.ballots._record_batch(stale, late, "portal-2")
    konkurs.ballots.cast_ballots(
        CastBallots(slug=SLUG, ballots=[ballot("v7", "A1")], voter_key=KEY, batch="portal-3", actor=OPERATOR)
    )
    konkurs.results.tally_votes(ContestOrder(slug=SLUG, command_id="tally", actor=OPERATOR))
    konkurs.contests.cancel(
        RecordCancellation(slug=SLUG, reason=CANCELLATION, command_id="cancel", actor=OPERATOR)
    )


def test_operator_commands_are_listed_in_log_order_with_their_phases_reasons_and_times(
    konkurs: Konkurs,
) -> None:
    run_contest(konkurs)

    commands = konkurs.audit_records.audit_record(SLUG).commands

    assert [(c.kind, c.phase, c.reason) for c in commands] == [
        ("announcement", None, None),
        ("deadline", "announced", None),
        ("extension", "collecting", EXTENSION),
        ("early close", "collecting", EARLY_COLLECTION),
        ("deadline", "screening", None),
        ("recusal", None, RECUSAL),
        ("early close", "judging", EARLY_JUDGING),
        ("deadline", "voting", None),
        ("cancellation", "results", CANCELLATION),
    ]
    positions = [c.position for c in commands]
    assert positions == sorted(set(positions))
    moments = [c.at for c in commands]
    assert moments == sorted(moments) and all(m.tzinfo is not None for m in moments)
    extension, recusal = commands[2], commands[5]
    assert extension.details == {
        "previous": (START + 60 * DAY).isoformat(),
        "new": (START + 65 * DAY).isoformat(),
    }
    assert extension.command_id == "extend"
    assert recusal.details["submission"] == "A1" and recusal.details["expert"].startswith("E")
    assert commands[3].details == {"opened": "screening", "cause": "operator"}
    assert commands[0].details == {"spec hash": make_spec(START, SLUG).fingerprint()}


def test_rejections_are_counted_by_kind_by_reason_and_late_ones_apart(konkurs: Konkurs) -> None:
    run_contest(konkurs)
    closed_at = konkurs.store.phase_closed_at(SLUG, Phase.COLLECTING)
    [late] = [
        e.position
        for e in konkurs.store.contest_events(SLUG, [Submission.Submitted])
        if e.state["reference"] == "L1"
    ]

    counts = konkurs.audit_records.audit_record(SLUG).rejections

    assert counts.submissions_by_kind == {
        "applicant kind not admitted": 1,
        "recorded after collection closed": 1,
    }
    assert counts.submissions_by_reason == {
        "applicant kind business not admitted": 1,
        f"recorded after collection closed (position {late} > {closed_at})": 1,
    }
    assert counts.reviews_late == 1
    assert counts.ballots_by_reason == {NOT_SHORTLISTED: 1, OUTSIDE_WINDOW: 1, UNKNOWN_REGION: 2}
    assert counts.ballots_late == 1


def test_another_contest_in_the_same_store_adds_nothing_to_the_record(konkurs: Konkurs) -> None:
    other = make_spec(START, "other")
    konkurs.contests.announce(
        Announce(spec=other, plan=other.phase_plan(), command_id="other:announce", actor=OPERATOR)
    )
    close_phase(konkurs, "other", Phase.ANNOUNCED, "other:close")
    konkurs.submissions.submit(
        Submit(slug="other", forms=[("row 1", form("B9", kind="business"))], actor=OPERATOR)
    )
    konkurs.contests.change_phase(
        RecordPhaseChange(
            slug="other",
            closed=Phase.COLLECTING,
            cause="operator",
            reason="чужой",
            command_id="other:close:collecting",
            actor=OPERATOR,
        )
    )
    konkurs.results.conclude_screening(ContestOrder(slug="other", command_id="other:screen", actor=OPERATOR))
    spec = make_spec(START, SLUG)
    konkurs.contests.announce(
        Announce(spec=spec, plan=spec.phase_plan(), command_id="announce", actor=OPERATOR)
    )

    assert [c.kind for c in konkurs.audit_records.audit_record(SLUG).commands] == ["announcement"]
    counts = konkurs.audit_records.audit_record(SLUG).rejections
    assert (counts.submissions_by_kind, counts.submissions_by_reason) == (None, {})
    assert (counts.reviews_late, counts.ballots_by_reason, counts.ballots_late) == (None, {}, None)


def test_a_results_event_seal_is_read_back_with_its_event_and_position(konkurs: Konkurs) -> None:
    spec = make_spec(START, SLUG)
    konkurs.contests.announce(
        Announce(spec=spec, plan=spec.phase_plan(), command_id="announce", actor=OPERATOR)
    )
    seal = Seal(
        chain_position=1,
        chain_head="ab" * 32,
        spec_hash=spec.fingerprint(),
        rules_version="1",
        rules_code="0123456789abcdef",
    )
    contest = konkurs.store.get_contest(SLUG)
    contest.conclude_screening(
        ScreeningOutcome(collection_closed_at=1, admitted=0, rejected={}, seal=seal), "screen"
    )
    konkurs.store.save(contest, actor=OPERATOR)

    [recorded] = konkurs.audit_records.audit_record(SLUG).seals

    assert (recorded.event, recorded.position, recorded.seal) == (
        "Contest.ScreeningConcluded",
        konkurs.store.head_position(),
        seal,
    )


def test_an_unknown_contest_has_no_record(konkurs: Konkurs) -> None:
    with pytest.raises(UnknownContest, match="no contest 'nowhere'"):
        konkurs.audit_records.audit_record("nowhere")
