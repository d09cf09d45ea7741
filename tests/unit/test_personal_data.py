"""A natural person's name and INN, sealed under their own key: what the store holds, what reads
show, and what `forget` leaves behind (everything else, the same bytes, an intact chain)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent

from domain.actors import SYSTEM, Role, Scope, actor_for
from domain.aggregates import Applicant, ExpertProfile, Submission
from domain.aggregates.erasure import Erasure
from domain.aggregates.expert import expert_id
from domain.commands.contest import Announce, ReceivePromotion
from domain.commands.erasure import Forget, Forgotten
from domain.commands.intake import SubmissionForm, Submit
from domain.commands.judging import EnrollExperts
from domain.commands.order import ContestOrder
from domain.errors import Forbidden, InvalidCommand, UnknownContest
from domain.ids import submission_id
from domain.outcomes import ContestResults, Standing
from domain.personal import ERASED
from domain.phases import Phase
from domain.spec import ApplicantKind, ContestSpec
from services.konkurs import Konkurs
from store.log import topic_of
from tests.factories import OPERATOR, close_phase, spec_data

START = datetime(2031, 1, 20, 9, tzinfo=UTC)
SLUG = "test-contest"
PERSON = Applicant(name="Мельникова Дарья Сергеевна", kind=ApplicantKind.PERSON, region="75",
                   inn="772801234567", age=30)
ORGANISATION = Applicant(name="ГБУ «Доверие»", kind=ApplicantKind.STATE_INSTITUTION, region="75",
                         inn="7500000001")
EXPERT = ExpertProfile(id="e-1", name="Кузнецов Аркадий Львович", organisation="Экспертный совет",
                       inn="500100732259", region="77", level="federal", directions=["health"])


def collecting(konkurs: Konkurs, slug: str = SLUG, **changes: Any) -> None:
    data = spec_data(START, slug=slug, voting=False)
    data["eligibility"]["applicant_kinds"].append("person")
    spec = ContestSpec.model_validate({**data, **changes})
    konkurs.contests.announce(Announce(spec=spec, plan=spec.phase_plan(), command_id=f"{slug}:announce",
                                       actor=OPERATOR))
    close_phase(konkurs, slug, Phase.ANNOUNCED, f"{slug}:open")


def submit(konkurs: Konkurs, slug: str = SLUG, **applicants: Applicant) -> None:
    forms = [(reference, SubmissionForm(reference=reference, nomination="HC-1", title=f"Практика {reference}",
                                        applicant=applicant)) for reference, applicant in applicants.items()]
    konkurs.submissions.submit(Submit(slug=slug, forms=forms, actor=OPERATOR))


def recorded(konkurs: Konkurs) -> None:
    collecting(konkurs)
    submit(konkurs, P1=PERSON, O1=ORGANISATION)
    konkurs.judging.enroll_experts(EnrollExperts(slug=SLUG, profiles=[("row 1", EXPERT)], actor=OPERATOR))


def stored(konkurs: Konkurs, aggregate_id: Any) -> bytes:
    return bytes(konkurs.store.recorder.select_events(aggregate_id)[0].state)


def forget(konkurs: Konkurs, person: str, actor: Any = OPERATOR) -> Forgotten:
    return konkurs.forget.forget(Forget(person=person, reason="заявление № 12", actor=actor,
                                        command_id=f"forget {person}"))


def test_a_persons_name_and_inn_are_stored_sealed_and_read_in_clear(konkurs: Konkurs) -> None:
    recorded(konkurs)

    person = stored(konkurs, submission_id(SLUG, "P1"))
    organisation = stored(konkurs, submission_id(SLUG, "O1"))
    expert = stored(konkurs, expert_id(SLUG, "e-1"))
    for secret in (PERSON.name, PERSON.inn, EXPERT.name, EXPERT.inn):
        assert str(secret).encode() not in person + expert
    assert b'"age":30' in person and b'"region":"75"' in person and b'"kind":"person"' in person
    assert ORGANISATION.name.encode() in organisation and b"7500000001" in organisation
    assert konkurs.store.repository.get(submission_id(SLUG, "P1")).applicant == PERSON
    assert konkurs.store.repository.get(expert_id(SLUG, "e-1")).profile == EXPERT


def test_forgetting_erases_the_name_and_inn_and_keeps_the_bytes_the_rules_and_the_chain(
    konkurs: Konkurs,
) -> None:
    recorded(konkurs)
    konkurs.chain.extend()
    before = {key: stored(konkurs, key) for key in (submission_id(SLUG, "P1"), expert_id(SLUG, "e-1"))}

    for person in (f"applicant:{SLUG}/P1", f"expert:{SLUG}/e-1"):
        assert forget(konkurs, person).erased == [person]

    applicant: Applicant = konkurs.store.repository.get(submission_id(SLUG, "P1")).applicant
    assert (applicant.name, applicant.inn, applicant.age, applicant.region) == (ERASED, None, 30, "75")
    profile: ExpertProfile = konkurs.store.repository.get(expert_id(SLUG, "e-1")).profile
    assert profile == EXPERT.model_copy(update={"name": ERASED, "inn": None})
    assert konkurs.store.repository.get(submission_id(SLUG, "O1")).applicant == ORGANISATION
    assert {key: stored(konkurs, key) for key in before} == before
    assert konkurs.chain.verify() is None
    erasures = [e.state for e in konkurs.store.read_log([topic_of(Erasure.Recorded)])]
    assert [(e["person"], e["reason"], e["actor"]["id"]) for e in erasures] == [
        (f"applicant:{SLUG}/P1", "заявление № 12", OPERATOR.id),
        (f"expert:{SLUG}/e-1", "заявление № 12", OPERATOR.id)]


def test_a_second_forget_finds_nothing_left_and_records_nothing(konkurs: Konkurs) -> None:
    recorded(konkurs)
    forget(konkurs, f"expert:{SLUG}/e-1")
    head = konkurs.store.head_position()

    again = konkurs.forget.forget(Forget(person=f"expert:{SLUG}/e-1", reason="again", actor=OPERATOR,
                                         command_id="another"))

    assert again.nothing_left and again.records == [expert_id(SLUG, "e-1")]
    assert konkurs.store.head_position() == head


@pytest.mark.parametrize(("person", "error", "words"), [
    (f"applicant:{SLUG}/O1", InvalidCommand, "is an organisation"),
    (f"applicant:{SLUG}/NOPE", InvalidCommand, "has no submission 'NOPE'"),
    (f"expert:{SLUG}/nobody", InvalidCommand, "has no expert 'nobody'"),
    ("expert:elsewhere/e-1", UnknownContest, "no contest 'elsewhere'"),
    ("Мельникова Дарья", InvalidCommand, "write expert:<contest>/<expert id>"),
])
def test_what_is_not_a_person_of_this_store_is_refused(
    konkurs: Konkurs, person: str, error: type[Exception], words: str
) -> None:
    recorded(konkurs)

    with pytest.raises(error, match=words):
        forget(konkurs, person)


def test_a_person_recorded_in_clear_before_names_were_sealed_cannot_be_forgotten(konkurs: Konkurs) -> None:
    recorded(konkurs)
    [sealed] = konkurs.store.recorder.select_events(submission_id(SLUG, "P1"))
    state = konkurs.store.mapper.decode_state(sealed.state)  # type: ignore[attr-defined]
    clear = konkurs.store.mapper.encode_state({**state, "reference": "OLD"})  # type: ignore[attr-defined]
    konkurs.store.recorder.insert_events([StoredEvent(submission_id(SLUG, "OLD"), 1, sealed.topic, clear)])

    with pytest.raises(InvalidCommand, match="recorded before names were sealed"):
        forget(konkurs, f"applicant:{SLUG}/OLD")


@pytest.mark.parametrize("actor", [
    SYSTEM, actor_for(Role.AUDITOR, "auditor"),
    actor_for(Role.REGIONAL_OPERATOR, "op-23", Scope(region="23")),
    actor_for(Role.FEDERAL_OPERATOR, "other", Scope(contests=("other-contest",))),
])
def test_only_an_operator_of_the_contest_may_forget(konkurs: Konkurs, actor: Any) -> None:
    recorded(konkurs)

    with pytest.raises(Forbidden, match="lacks the right to forget personal data"):
        forget(konkurs, f"applicant:{SLUG}/P1", actor)
    assert konkurs.store.repository.get(submission_id(SLUG, "P1")).applicant == PERSON


def published_stage(konkurs: Konkurs) -> None:
    """Regional stage reg-75 of `fed`, its one entry, a person's, placed first and published."""
    collecting(konkurs, "reg-75", level="regional", region="75", promotion={"federal": "fed", "places": [1]})
    submit(konkurs, "reg-75", P1=PERSON)
    close_phase(konkurs, "reg-75", Phase.COLLECTING, "reg-75:close")
    konkurs.results.conclude_screening(ContestOrder(slug="reg-75", command_id="screen", actor=OPERATOR))
    contest = konkurs.store.get_contest("reg-75")
    contest.declare_results(ContestResults(winners=[Standing(nomination="HC-1", place=1, reference="P1",
                                                             score=9.0)]), "declare")
    konkurs.store.save(contest, actor=OPERATOR)
    konkurs.results.publish_results(ContestOrder(slug="reg-75", command_id="publish", actor=OPERATOR))


def test_a_promoted_persons_copy_in_the_federal_stage_is_forgotten_with_them(konkurs: Konkurs) -> None:
    published_stage(konkurs)
    collecting(konkurs, "fed")
    batch = konkurs.contests.promotion_batch("reg-75")
    konkurs.contests.receive_promotion(ReceivePromotion(federal="fed", batch=batch, command_id="promote",
                                                        actor=OPERATOR))
    regional_operator = actor_for(Role.REGIONAL_OPERATOR, "op-75", Scope(region="75"))

    with pytest.raises(Forbidden, match="in fed"):
        forget(konkurs, "applicant:reg-75/P1", regional_operator)
    done = forget(konkurs, "applicant:fed/75-P1")

    assert done.erased == ["applicant:fed/75-P1", "applicant:reg-75/P1"]
    for slug, reference in (("fed", "75-P1"), ("reg-75", "P1")):
        submission: Submission = konkurs.store.repository.get(submission_id(slug, reference))
        assert (submission.applicant.name, submission.applicant.age) == (ERASED, 30)


def test_a_conflict_that_rested_on_an_erased_inn_is_noted_by_the_audit_not_reported(konkurs: Konkurs) -> None:
    collecting(konkurs)
    submit(konkurs, P1=PERSON, O1=ORGANISATION)
    same_person = EXPERT.model_copy(update={"id": "e-2", "inn": PERSON.inn})
    roster = [("row 1", EXPERT), ("row 2", same_person)]
    konkurs.judging.enroll_experts(EnrollExperts(slug=SLUG, profiles=roster, actor=OPERATOR))
    close_phase(konkurs, SLUG, Phase.COLLECTING, "close-collecting")
    konkurs.results.conclude_screening(ContestOrder(slug=SLUG, command_id="screen", actor=OPERATOR))
    close_phase(konkurs, SLUG, Phase.SCREENING, "close-screening")
    konkurs.judging.assign_experts(ContestOrder(slug=SLUG, command_id="assign", actor=OPERATOR))

    forget(konkurs, f"applicant:{SLUG}/P1")

    [check] = [c for c in konkurs.audit.audit_contest(SLUG).checks if c.check == "assignment"]
    assert check.holds
    assert any("P1 to e-2: kept apart (same INN as the applicant) on particulars erased since" in note
               for note in check.notes), check.notes
