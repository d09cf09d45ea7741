"""What the audit report reads of one contest: the operators' commands in log order, the seals of
its results, and the rejections counted by reason, from a contest driven through every phase."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.aggregates import Applicant, Review, Submission
from domain.ballot_intake import NOT_SHORTLISTED, OUTSIDE_WINDOW, UNKNOWN_REGION, BallotInput
from domain.errors import UnknownContest
from domain.ids import review_id
from domain.intake import SubmissionForm
from domain.konkurs import Konkurs
from domain.outcomes import ScreeningOutcome, Seal
from domain.phases import Phase
from domain.spec import ApplicantKind
from tests.factories import DAY, cards_for_assignments, expert_panel, make_spec

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
    return BallotInput(voter, nomination, submission, region, f"ballots.csv:{voter}")


def run_contest(konkurs: Konkurs) -> None:
    """Every phase, with an operator's command or a refusal in each."""
    spec = make_spec(START, SLUG)
    konkurs.announce(spec, spec.phase_plan(), "announce")
    konkurs.change_phase(SLUG, Phase.ANNOUNCED, "deadline", "", "close:announced")
    konkurs.extend_deadline(SLUG, Phase.COLLECTING, START + 65 * DAY, EXTENSION, "extend")
    konkurs.submit(SLUG, [("row 1", form("A1")), ("row 2", form("A2")),
                          ("row 3", form("A3", "HC-2")), ("row 4", form("B1", kind="business"))])
    konkurs.enroll_experts(SLUG, expert_panel())
    konkurs.change_phase(SLUG, Phase.COLLECTING, "operator", EARLY_COLLECTION, "close:collecting")
    # A writer that checked the phase just before it closed: its submission lands after the close.
    konkurs.save(Submission(contest=SLUG, **dict(form("L1"))))
    konkurs.conclude_screening(SLUG, "screen")
    konkurs.change_phase(SLUG, Phase.SCREENING, "deadline", "", "close:screening")
    konkurs.assign_experts(SLUG, "assign")
    [judging] = [j for j in konkurs.judgings(spec).values() if "A1" in j.assigned]
    recused = judging.assigned["A1"][0]
    konkurs.recuse(SLUG, "A1", recused, RECUSAL)
    konkurs.record_reviews(SLUG, cards_for_assignments(konkurs, SLUG))
    konkurs.change_phase(SLUG, Phase.JUDGING, "operator", EARLY_JUDGING, "close:judging")
    # A card revised after judging closed: recorded, never counted.
    review: Review = konkurs.repository.get(review_id(SLUG, "A2", judging.assigned["A2"][0]))
    review.rescore(scores={"impact": 1, "replicable": 1})
    konkurs.save(review)
    konkurs.conclude_judging(SLUG, "judge")
    konkurs.cast_ballot_batch(SLUG, [ballot("v1", "A1"), ballot("v2", "A2"), ballot("v3", "A2", "00"),
                                     ballot("v4", "B1"), ballot("v5", "A1", "99")], KEY, "portal-1")
    stale = konkurs.get_contest(SLUG)
    konkurs.change_phase(SLUG, Phase.VOTING, "deadline", "", "close:voting")
    # A batch checked against the contest as it stood before the close: its ballot is late.
    konkurs._record_batch(stale, [ballot("v6", "A1")], KEY, "portal-2", strict=False)
    konkurs.cast_ballot_batch(SLUG, [ballot("v7", "A1")], KEY, "portal-3")
    konkurs.tally_votes(SLUG, "tally")
    konkurs.cancel(SLUG, CANCELLATION, "cancel")


def test_operator_commands_are_listed_in_log_order_with_their_phases_reasons_and_times(
    konkurs: Konkurs,
) -> None:
    run_contest(konkurs)

    commands = konkurs.audit_record(SLUG).commands

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
    assert extension.details == {"previous": (START + 60 * DAY).isoformat(),
                                 "new": (START + 65 * DAY).isoformat()}
    assert extension.command_id == "extend"
    assert recusal.details["submission"] == "A1" and recusal.details["expert"].startswith("E")
    assert commands[3].details == {"opened": "screening", "cause": "operator"}
    assert commands[0].details == {"spec hash": make_spec(START, SLUG).fingerprint()}


def test_rejections_are_counted_by_kind_by_reason_and_late_ones_apart(konkurs: Konkurs) -> None:
    run_contest(konkurs)
    closed_at = konkurs.phase_closed_at(SLUG, Phase.COLLECTING)
    [late] = [e.position for e in konkurs.contest_events(SLUG, [Submission.Submitted])
              if e.state["reference"] == "L1"]

    counts = konkurs.audit_record(SLUG).rejections

    assert counts.submissions_by_kind == {"applicant kind not admitted": 1,
                                          "recorded after collection closed": 1}
    assert counts.submissions_by_reason == {
        "applicant kind business not admitted": 1,
        f"recorded after collection closed (position {late} > {closed_at})": 1,
    }
    assert counts.reviews_late == 1
    assert counts.ballots_by_reason == {NOT_SHORTLISTED: 1, OUTSIDE_WINDOW: 1, UNKNOWN_REGION: 2}
    assert counts.ballots_late == 1


def test_another_contest_in_the_same_store_adds_nothing_to_the_record(konkurs: Konkurs) -> None:
    other = make_spec(START, "other")
    konkurs.announce(other, other.phase_plan(), "other:announce")
    konkurs.change_phase("other", Phase.ANNOUNCED, "deadline", "", "other:close")
    konkurs.submit("other", [("row 1", form("B9", kind="business"))])
    konkurs.change_phase("other", Phase.COLLECTING, "operator", "чужой", "other:close:collecting")
    konkurs.conclude_screening("other", "other:screen")
    spec = make_spec(START, SLUG)
    konkurs.announce(spec, spec.phase_plan(), "announce")

    assert [c.kind for c in konkurs.audit_record(SLUG).commands] == ["announcement"]
    counts = konkurs.audit_record(SLUG).rejections
    assert (counts.submissions_by_kind, counts.submissions_by_reason) == (None, {})
    assert (counts.reviews_late, counts.ballots_by_reason, counts.ballots_late) == (None, {}, None)


def test_a_results_event_seal_is_read_back_with_its_event_and_position(konkurs: Konkurs) -> None:
    spec = make_spec(START, SLUG)
    konkurs.announce(spec, spec.phase_plan(), "announce")
    seal = Seal(chain_position=1, chain_head="ab" * 32, spec_hash=spec.fingerprint(),
                rules_version="1", rules_code="0123456789abcdef")
    contest = konkurs.get_contest(SLUG)
    contest.conclude_screening(ScreeningOutcome(collection_closed_at=1, admitted=0, rejected={},
                                                seal=seal), "screen")
    konkurs.save(contest)

    [recorded] = konkurs.audit_record(SLUG).seals

    assert (recorded.event, recorded.position, recorded.seal) == (
        "Contest.ScreeningConcluded", konkurs.head_position(), seal)


def test_an_unknown_contest_has_no_record(konkurs: Konkurs) -> None:
    with pytest.raises(UnknownContest, match="no contest 'nowhere'"):
        konkurs.audit_record("nowhere")
