"""Personal nominations name their nominee: required where the applicant is an organisation,
refused elsewhere, age-checked at screening, sealed like a person's name, forgotten on request,
and carried to the federal stage."""

from __future__ import annotations

import json
from typing import Any

import pytest

from domain.aggregates import Submission
from domain.aggregates.submission import Nominee
from domain.commands.contest import ReceivePromotion
from domain.commands.intake import SubmissionForm, Submit
from domain.commands.order import ContestOrder
from domain.errors import InvalidCommand
from domain.ids import submission_id
from domain.outcomes import ContestResults, Standing
from domain.personal import ERASED
from domain.phases import Phase
from services.konkurs import Konkurs
from store.log import topic_of
from tests.factories import OPERATOR, close_phase
from tests.unit.test_personal_data import ORGANISATION, PERSON, collecting, forget, stored

YOUNG = {"code": "YOUNG", "title": "Открытие года", "kind": "person", "max_age": 35}
NOMINEE = Nominee(name="Иванова Анна Сергеевна", position="специалист по социальной работе", age=29)


def with_young(konkurs: Konkurs, slug: str = "test-contest", **changes: Any) -> None:
    from tests.factories import spec_data
    from tests.unit.test_personal_data import START

    directions = spec_data(START, voting=False)["directions"]
    directions[0]["nominations"].append(YOUNG)
    collecting(konkurs, slug, directions=directions, **changes)


def submit(konkurs: Konkurs, reference: str, nomination: str = "YOUNG", nominee: Nominee | None = None,
           slug: str = "test-contest", applicant: Any = ORGANISATION) -> None:
    form = SubmissionForm(reference=reference, nomination=nomination, title=f"Заявка {reference}",
                          applicant=applicant, nominee=nominee)
    konkurs.submissions.submit(Submit(slug=slug, actor=OPERATOR, forms=[(f"заявки.csv:{reference}", form)]))


def test_an_organisation_in_a_personal_nomination_must_name_its_nominee(konkurs: Konkurs) -> None:
    with_young(konkurs)
    head = konkurs.store.head_position()
    with pytest.raises(InvalidCommand, match="^заявки.csv:N-1: nomination YOUNG is about a person: "
                                             r"name the nominee \(nominee_name, nominee_position, "
                                             r"nominee_age\)$"):
        submit(konkurs, "N-1")
    with pytest.raises(InvalidCommand, match="nomination HC-1 is about a practice, not a person: it takes"):
        submit(konkurs, "P-1", nomination="HC-1", nominee=NOMINEE)
    assert konkurs.store.head_position() == head
    submit(konkurs, "S-1", applicant=PERSON)  # a person applying for themselves is their own nominee
    submit(konkurs, "N-1", nominee=NOMINEE)


def test_the_nominees_age_is_checked_at_screening(konkurs: Konkurs) -> None:
    with_young(konkurs)
    submit(konkurs, "N-1", nominee=NOMINEE)
    submit(konkurs, "N-2", nominee=NOMINEE.model_copy(update={"age": 36}))
    submit(konkurs, "N-3", nominee=NOMINEE.model_copy(update={"age": None}))
    close_phase(konkurs, "test-contest", Phase.COLLECTING, "close")
    konkurs.results.conclude_screening(ContestOrder(slug="test-contest", command_id="screen", actor=OPERATOR))
    outcome = {ref: konkurs.store.repository.get(submission_id("test-contest", ref)).rejection_reason
               for ref in ("N-1", "N-2", "N-3")}
    assert outcome == {"N-1": None, "N-2": "age 36 above the maximum 35 of nomination YOUNG",
                       "N-3": "no age given for nomination YOUNG, which admits ages up to 35"}
    [audited] = [c for c in konkurs.audit.audit_contest("test-contest").checks if c.check == "screening"]
    assert audited.holds, audited.differences


def test_the_nominees_name_is_sealed_and_forgotten_with_the_submission(konkurs: Konkurs) -> None:
    with_young(konkurs)
    submit(konkurs, "N-1", nominee=NOMINEE)
    other = NOMINEE.model_copy(update={"name": "Сидоров Олег Ильич"})
    submit(konkurs, "S-1", nominee=other, applicant=PERSON)
    both = stored(konkurs, submission_id("test-contest", "S-1"))
    one = stored(konkurs, submission_id("test-contest", "N-1"))
    for secret in (NOMINEE.name, "Сидоров Олег Ильич", PERSON.name, PERSON.inn):
        assert str(secret).encode() not in one + both
    assert ORGANISATION.name.encode() in one and "специалист по социальной работе".encode() in one
    assert json.loads(both)["sealed_personal"]["holders"] == {"applicant": ["name", "inn"],
                                                              "nominee": ["name"]}
    read: Submission = konkurs.store.repository.get(submission_id("test-contest", "S-1"))
    assert (read.applicant.name, read.nominee and read.nominee.name) == (PERSON.name, "Сидоров Олег Ильич")

    done = forget(konkurs, "nominee:test-contest/N-1")
    assert done.erased == ["nominee:test-contest/N-1"]
    erased: Submission = konkurs.store.repository.get(submission_id("test-contest", "N-1"))
    assert erased.nominee == NOMINEE.model_copy(update={"name": ERASED})
    assert erased.applicant.name == ORGANISATION.name
    assert konkurs.audit.audit_contest("test-contest").holds


def test_a_draft_revised_to_another_nominee_carries_and_seals_the_new_one(konkurs: Konkurs) -> None:
    with_young(konkurs)
    form = SubmissionForm(reference="N-1", nomination="YOUNG", title="Заявка N-1", applicant=ORGANISATION,
                          nominee=NOMINEE)
    konkurs.submissions.submit(Submit(slug="test-contest", actor=OPERATOR, draft=True,
                                      forms=[("заявки.csv:N-1", form)]))
    other = NOMINEE.model_copy(update={"name": "Сидоров Олег Ильич", "age": 31})
    konkurs.submissions.submit(Submit(slug="test-contest", actor=OPERATOR,
                                      forms=[("заявки.csv:N-1", form.model_copy(update={"nominee": other}))]))
    read: Submission = konkurs.store.repository.get(submission_id("test-contest", "N-1"))
    assert read.nominee == other and not read.is_draft
    every_event = b"".join(bytes(e.state) for e in konkurs.store.recorder.select_events(read.id))
    assert "Сидоров Олег Ильич".encode() not in every_event
    assert "специалист по социальной работе".encode() in every_event


def test_a_submitted_event_recorded_before_nominees_still_reads(konkurs: Konkurs) -> None:
    with_young(konkurs)
    submit(konkurs, "P-1", nomination="HC-1")
    [event] = konkurs.store.recorder.select_events(submission_id("test-contest", "P-1"))
    state = json.loads(bytes(event.state))
    state.pop("nominee")
    old = type(event)(originator_id=event.originator_id, originator_version=event.originator_version,
                      topic=event.topic, state=json.dumps(state).encode())
    decoded = konkurs.store.mapper.to_domain_event(old)
    assert decoded.nominee is None


def test_promotion_carries_the_nominee_to_the_federal_stage(konkurs: Konkurs) -> None:
    with_young(konkurs, "reg-75", level="regional", region="75", promotion={"federal": "fed", "places": [1]})
    submit(konkurs, "N-1", nominee=NOMINEE, slug="reg-75")
    close_phase(konkurs, "reg-75", Phase.COLLECTING, "reg-75:close")
    konkurs.results.conclude_screening(ContestOrder(slug="reg-75", command_id="screen", actor=OPERATOR))
    contest = konkurs.store.get_contest("reg-75")
    contest.declare_results(ContestResults(winners=[Standing(nomination="YOUNG", place=1, reference="N-1",
                                                             score=9.0)]), "declare")
    konkurs.store.save(contest, actor=OPERATOR)
    konkurs.results.publish_results(ContestOrder(slug="reg-75", command_id="publish", actor=OPERATOR))
    with_young(konkurs, "fed")

    batch = konkurs.contests.promotion_batch("reg-75")
    assert [e.nominee for e in batch.entries] == [NOMINEE]
    order = ReceivePromotion(federal="fed", batch=batch, command_id="promote", actor=OPERATOR)
    assert konkurs.contests.receive_promotion(order).applied
    promoted: Submission = konkurs.store.repository.get(submission_id("fed", "75-N-1"))
    assert promoted.nominee == NOMINEE
    assert NOMINEE.name.encode() not in stored(konkurs, submission_id("fed", "75-N-1"))
    [received] = [e for e in konkurs.store.read_log([topic_of(Submission.Submitted)])
                  if e.state["contest"] == "fed"]
    assert received.state["nominee"]["name"] == NOMINEE.name
    for slug in ("fed", "reg-75"):
        [check] = [c for c in konkurs.audit.audit_contest(slug).checks if c.check == "promotion"]
        assert check.holds, check.differences

    forget(konkurs, "nominee:fed/75-N-1")
    for slug, reference in (("fed", "75-N-1"), ("reg-75", "N-1")):
        submission: Submission = konkurs.store.repository.get(submission_id(slug, reference))
        assert submission.nominee is not None and submission.nominee.name == ERASED
    [check] = [c for c in konkurs.audit.audit_contest("fed").checks if c.check == "promotion"]
    assert check.holds, check.differences


def test_the_submissions_file_gives_the_nominee_in_its_own_columns(tmp_path: Any) -> None:
    from konkurs.intake_files import submission_forms

    path = tmp_path / "заявки.csv"
    path.write_text(
        "reference;nomination;title;applicant_name;applicant_kind;region;nominee_name;nominee_position;nominee_age\n"
        "N-1;YOUNG;Заявка;ГБУ «Доверие»;state_institution;75;Иванова Анна Сергеевна;"
        "специалист по социальной работе;29\n"
        "P-1;HC-1;Практика;ГБУ «Доверие»;state_institution;75;;;\n", encoding="utf-8")
    forms = {form.reference: form.nominee for _, form in submission_forms(path)}
    assert forms == {"N-1": NOMINEE, "P-1": None}
