"""Drafts, screening on arrival and admission conditions: a draft is neither screened nor counted
until it is filed; a filed submission is screened at once; the close and the audit agree."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from domain.aggregates import Submission, SubmissionStatus
from domain.commands.contest import Announce
from domain.commands.intake import FileDraft, SubmissionForm, Submit
from domain.commands.order import ContestOrder
from domain.commands.reads import ReadSubmissions
from domain.errors import DuplicateSubmission, InvalidCommand, KonkursError, PhaseClosed
from domain.ids import submission_id
from domain.phases import Phase
from domain.spec import ContestSpec
from services.konkurs import Konkurs
from store.log import topic_of
from tests.factories import DAY, OPERATOR, close_phase, spec_data

CONDITION = "implemented"
TITLE = "Практика уже реализована и показала измеримые результаты"


def arrival_spec(start: datetime, on_arrival: bool = True, slug: str = "arrival") -> ContestSpec:
    data: dict[str, Any] = spec_data(start, slug=slug, voting=False)
    data["eligibility"]["conditions"] = [{"code": CONDITION, "title": TITLE}]
    data["screening"] = {"on_arrival": on_arrival}
    return ContestSpec.model_validate(data)


def form(
    reference: str, confirmed: bool = True, kind: str = "ngo", title: str = ""
) -> tuple[str, SubmissionForm]:
    return f"row {reference}", SubmissionForm.model_validate({
        "reference": reference, "nomination": "HC-1", "title": title or f"Практика {reference}",
        "applicant": {"name": f"АНО «{reference}»", "kind": kind, "region": "23"},
        "conditions": [CONDITION] if confirmed else [],
    })


def collecting(konkurs: Konkurs, spec: ContestSpec) -> str:
    konkurs.contests.announce(Announce(spec=spec, plan=spec.phase_plan(), command_id="announce",
                                       actor=OPERATOR))
    close_phase(konkurs, spec.slug, Phase.ANNOUNCED, "close-announced")
    return spec.slug


def submit(konkurs: Konkurs, slug: str, *forms: tuple[str, SubmissionForm], draft: bool = False) -> None:
    konkurs.submissions.submit(Submit(slug=slug, forms=list(forms), actor=OPERATOR, draft=draft))


def read(konkurs: Konkurs, slug: str, reference: str) -> Any:
    [record] = konkurs.submission_reads.submissions(
        ReadSubmissions(actor=OPERATOR, slug=slug, reference=reference))
    return record


def conclude(konkurs: Konkurs, slug: str) -> None:
    close_phase(konkurs, slug, Phase.COLLECTING, "close-collecting")
    konkurs.results.conclude_screening(ContestOrder(slug=slug, command_id="screen", actor=OPERATOR))


def screening_check(konkurs: Konkurs, slug: str) -> Any:
    return next(c for c in konkurs.audit.audit_contest(slug).checks if c.check == "screening")


@pytest.fixture
def slug(konkurs: Konkurs) -> str:
    return collecting(konkurs, arrival_spec(datetime.now(UTC) - DAY))


def test_a_filed_submission_is_screened_on_arrival_and_its_applicant_sees_why(
    konkurs: Konkurs, slug: str
) -> None:
    submit(konkurs, slug, form("A-1"), form("A-2", confirmed=False), form("A-3", kind="business"))

    assert read(konkurs, slug, "A-1").status == SubmissionStatus.ADMITTED
    refused = read(konkurs, slug, "A-2")
    assert refused.status == SubmissionStatus.REJECTED
    assert refused.rejection_reason == f"admission condition {CONDITION} not confirmed: {TITLE}"
    assert read(konkurs, slug, "A-3").rejection_reason == "applicant kind business not admitted"
    rejected = [e.state for e in konkurs.store.read_log([topic_of(Submission.Rejected)])]
    assert sorted(state["reference"] for state in rejected) == ["A-2", "A-3"]


def test_a_draft_is_not_screened_until_filed_and_may_be_revised_meanwhile(
    konkurs: Konkurs, slug: str
) -> None:
    submit(konkurs, slug, form("D-1", confirmed=False), form("D-2"), draft=True)
    assert read(konkurs, slug, "D-1").status == SubmissionStatus.DRAFT

    submit(konkurs, slug, form("D-1", title="Паспорт практики заполнен"), draft=True)  # revised, a draft
    submit(konkurs, slug, form("D-1", title="Паспорт практики заполнен"), draft=True)  # the same: nothing
    revisions = list(konkurs.store.read_log([topic_of(Submission.Revised)]))
    assert [e.state["title"] for e in revisions] == ["Паспорт практики заполнен"]
    assert read(konkurs, slug, "D-1").status == SubmissionStatus.DRAFT

    filed = konkurs.submissions.file_draft(FileDraft(slug=slug, reference="D-1", actor=OPERATOR))
    assert (filed.status, filed.rejection_reason) == ("admitted", None)
    with pytest.raises(InvalidCommand, match="cannot file submission D-1: it is admitted"):
        konkurs.submissions.file_draft(FileDraft(slug=slug, reference="D-1", actor=OPERATOR))
    with pytest.raises(DuplicateSubmission, match="row D-1: submission D-1 already exists"):
        submit(konkurs, slug, form("D-1"))

    conclude(konkurs, slug)
    outcome = konkurs.store.get_contest(slug).screening
    assert outcome is not None and (outcome.admitted, outcome.rejected) == (1, {})
    assert read(konkurs, slug, "D-2").status == SubmissionStatus.DRAFT  # left unfiled: still a draft
    assert screening_check(konkurs, slug).holds


def test_screening_at_the_close_decides_what_arrival_did_not_and_agrees_with_it(konkurs: Konkurs) -> None:
    slug = collecting(konkurs, arrival_spec(datetime.now(UTC) - DAY, on_arrival=False, slug="batch"))
    submit(konkurs, slug, form("C-1"), form("C-2", confirmed=False))
    assert read(konkurs, slug, "C-1").status == SubmissionStatus.SUBMITTED  # the batch waits for the close

    conclude(konkurs, slug)
    reason = read(konkurs, slug, "C-2").rejection_reason
    assert reason == f"admission condition {CONDITION} not confirmed: {TITLE}"
    outcome = konkurs.store.get_contest(slug).screening
    assert outcome is not None and outcome.rejected == {"admission condition not confirmed": 1}
    assert screening_check(konkurs, slug).holds


def test_a_forged_decision_on_arrival_is_caught_by_the_recomputation(konkurs: Konkurs, slug: str) -> None:
    submit(konkurs, slug, form("F-1"), form("F-2", confirmed=False))
    forged: Submission = konkurs.store.repository.get(submission_id(slug, "F-2"))
    forged.status = SubmissionStatus.SUBMITTED  # what an insider with the aggregate in hand can do
    forged.admit()
    konkurs.store.save(forged, actor=OPERATOR)
    conclude(konkurs, slug)

    check = screening_check(konkurs, slug)
    assert [d.describe() for d in check.differences] == [
        f"screening: submission F-2: recorded admitted, recomputed rejected: admission condition "
        f"{CONDITION} not confirmed: {TITLE}"]


def test_a_decision_before_the_close_is_caught_where_screening_waits_for_it(konkurs: Konkurs) -> None:
    slug = collecting(konkurs, arrival_spec(datetime.now(UTC) - DAY, on_arrival=False, slug="early"))
    submit(konkurs, slug, form("E-1"))
    early: Submission = konkurs.store.repository.get(submission_id(slug, "E-1"))
    early.admit()
    konkurs.store.save(early, actor=OPERATOR)
    conclude(konkurs, slug)

    check = screening_check(konkurs, slug)
    assert [d.describe() for d in check.differences] == [
        "screening: submission E-1: recorded admitted, recomputed decided only when collection closes"]


def test_filing_a_draft_after_the_deadline_is_refused_like_a_late_submission(konkurs: Konkurs) -> None:
    spec = arrival_spec(datetime.now(UTC) - 61 * DAY, slug="late")  # collection closed a day ago
    slug = collecting(konkurs, spec)
    draft = Submission(contest=slug, draft=True, **dict(form("L-1")[1]))
    konkurs.store.save(draft, actor=OPERATOR)  # saved while it was open
    with pytest.raises(PhaseClosed, match="takes no submissions now: collecting closed at its deadline"):
        konkurs.submissions.file_draft(FileDraft(slug=slug, reference="L-1", actor=OPERATOR))


def test_screening_on_arrival_cannot_check_a_registry() -> None:
    data = arrival_spec(datetime(2030, 1, 1, tzinfo=UTC)).model_dump(mode="json", exclude_defaults=True)
    data["eligibility"]["registry"] = "providers"
    with pytest.raises(ValueError, match=r"screening on arrival cannot check eligibility\.registry"):
        ContestSpec.model_validate(data)


def test_events_recorded_before_drafts_and_references_still_decode() -> None:
    submission = Submission(contest="c", **dict(form("O-1")[1]))
    submission.reject("late")
    created, rejected = submission.collect_events()
    old_created = created.model_dump(exclude={"draft", "conditions"})
    old_rejected = rejected.model_dump(exclude={"reference"})
    assert type(created).model_validate(old_created).draft is False  # type: ignore[attr-defined]
    assert type(rejected).model_validate(old_rejected).reference is None  # type: ignore[attr-defined]
    with pytest.raises(KonkursError):
        Submission(contest="c", draft=True, **dict(form("O-2")[1])).admit()

