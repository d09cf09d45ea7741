"""The expert's pages in process: the desk, the score form and its bad input, the recusal form,
refusals of what is not the expert's, and a read-only card after judging closes. What the pages
did is checked in the store, through the services, never in the page code."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from domain.aggregates import Judging, Material
from domain.commands.contest import Announce
from domain.commands.intake import AttachMaterial, RecordReviews, ReviewForm, Submit
from domain.commands.judging import EnrollExperts
from domain.commands.order import ContestOrder
from domain.commands.reads import ReadAssignments
from domain.ids import review_id
from domain.phases import Phase
from domain.spec import ContestSpec
from konkurs.blobs import Blobs
from konkurs.bootstrap import Bootstrap
from services.konkurs import Konkurs
from store.log import topic_of
from tests.api.world import Serve, Served
from tests.factories import OPERATOR, expert_actor, expert_panel
from tests.unit.permissions import SLUG, World, close, judged, judging, spec, submission

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def signed_in(served: Served) -> TestClient:
    """The served client with the world's expert signed in by token, as the sign-in page does."""
    client = served.client
    page = client.get("/signin")
    answer = client.post("/signin", data={"csrf": csrf_of(page), "token": served.token("expert"), "next": ""},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return client


def csrf_of(page: Response) -> str:
    found = CSRF.search(page.text)
    assert found, page.text
    return found.group(1)


def card_of(served: Served, reference: str, expert: str) -> dict[str, float] | None:
    review = served.world.konkurs.store.existing(review_id(SLUG, reference, expert))
    return None if review is None else dict(review.scores)


def test_the_desk_lists_the_experts_assignments_with_progress_and_deadline(serve: Serve) -> None:
    served = serve(judging)
    client = signed_in(served)
    expected = served.world.konkurs.expert_desk.assignments(
        ReadAssignments(actor=expert_actor(SLUG, served.world.expert), slug=SLUG))
    page = client.get("/expert")
    assert page.status_code == 200
    assert f'href="/expert/{SLUG}"' in page.text
    desk = client.get(f"/expert/{SLUG}")
    assert desk.status_code == 200
    assert f'<progress id="desk-progress" max="{len(expected)}" value="0"' in desk.text
    for assignment in expected:
        assert f"/expert/{SLUG}/{assignment.submission.reference}" in desk.text
    assert "2030 г." in desk.text  # the judging deadline, in Russian


def test_a_card_is_recorded_revised_and_shown_only_to_its_expert(serve: Serve) -> None:
    served = serve(judging)
    world, client = served.world, signed_in(served)
    # A colleague's card on the same submission, with scores nobody else would type.
    colleague = next(e for j in world.konkurs.reads.judgings(spec()).values()
                     for e in j.assigned.get("A1", []) if e != world.expert)
    theirs = ReviewForm(submission="A1", expert=colleague, scores={"impact": 9.25, "replicable": 4.75})
    world.konkurs.submissions.record_reviews(RecordReviews(
        actor=expert_actor(SLUG, colleague), slug=SLUG, forms=[("colleague", theirs)]))
    page = client.get(f"/expert/{SLUG}/A1")
    assert "9,25" not in page.text and "9.25" not in page.text and "4,75" not in page.text
    answer = client.post(f"/expert/{SLUG}/A1", data={"csrf": csrf_of(page), "score-impact": "7,5",
                                                    "score-replicable": "3"}, follow_redirects=False)
    assert answer.status_code == 303
    assert card_of(served, "A1", world.expert) == {"impact": 7.5, "replicable": 3.0}
    revised = client.post(f"/expert/{SLUG}/A1", data={"csrf": csrf_of(page), "score-impact": "6",
                                                     "score-replicable": "2"})
    assert revised.status_code == 200 and "Оценка сохранена" in revised.text
    assert 'value="6"' in revised.text
    assert card_of(served, "A1", world.expert) == {"impact": 6.0, "replicable": 2.0}
    assert card_of(served, "A1", colleague) == {"impact": 9.25, "replicable": 4.75}


@pytest.mark.parametrize(("impact", "replicable", "field", "message"), [
    ("", "3", "score-impact", "Поставьте оценку от 0 до 10"),
    ("семь", "3", "score-impact", "Введите число"),
    ("11", "3", "score-impact", "Оценка должна быть от 0 до 10"),
    ("nan", "3", "score-impact", "Оценка должна быть от 0 до 10"),
    ("7", "0", "score-replicable", "Оценка должна быть от 1 до 5"),
    ("7", None, "score-replicable", "Нет оценки по критерию «Тиражируемость»"),
])
def test_bad_input_gets_a_message_on_its_field_and_writes_nothing(
    serve: Serve, impact: str, replicable: str | None, field: str, message: str
) -> None:
    served = serve(judging)
    client = signed_in(served)
    page = client.get(f"/expert/{SLUG}/A1")
    head = served.head()
    data = {"csrf": csrf_of(page), "score-impact": impact}
    if replicable is not None:
        data["score-replicable"] = replicable
    answer = client.post(f"/expert/{SLUG}/A1", data=data)
    assert answer.status_code == 422
    assert served.head() == head
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', answer.text)
    assert error and message in error.group(1)
    assert re.search(rf'id="{field}"[^>]*aria-describedby="[^"]*{field}-error"[^>]*aria-invalid="true"',
                     answer.text)


def test_a_recusal_needs_a_reason_and_hands_the_submission_to_a_colleague(serve: Serve) -> None:
    served = serve(judging)
    world, client = served.world, signed_in(served)
    page = client.get(f"/expert/{SLUG}/A1")
    head = served.head()
    empty = client.post(f"/expert/{SLUG}/A1/recusal", data={"csrf": csrf_of(page), "reason": "  "})
    assert empty.status_code == 422 and served.head() == head
    assert 'id="reason-error"' in empty.text
    done = client.post(f"/expert/{SLUG}/A1/recusal", data={"csrf": csrf_of(page), "reason": "консультировал"})
    assert done.status_code == 200 and "Конфликт интересов по заявке A1 записан" in done.text
    recusals = [e.state for e in world.konkurs.store.read_log([topic_of(Judging.Recused)])]
    assert [(r["submission"], r["expert"], r["reason"]) for r in recusals] == [
        ("A1", world.expert, "консультировал")]
    assert world.expert not in next(j for j in world.konkurs.reads.judgings(spec()).values()
                                    if j.nomination == "HC-1").assigned["A1"]
    assert client.get(f"/expert/{SLUG}/A1").status_code == 403


def test_an_unassigned_submission_and_a_forged_form_are_refused_without_content(serve: Serve) -> None:
    served = serve(judging)
    client = signed_in(served)
    unassigned = next(r for r in ("A1", "A2", "B1")
                      if served.world.expert not in _assigned(served).get(r, []))
    head = served.head()
    refused = client.get(f"/expert/{SLUG}/{unassigned}")
    assert refused.status_code == 403
    assert f"Практика {unassigned}" not in refused.text and f"Школа {unassigned}" not in refused.text
    assert client.get(f"/expert/{SLUG}/{unassigned}/materials/1").status_code == 403
    forged = client.post(f"/expert/{SLUG}/A1", data={"csrf": "guessed", "score-impact": "5",
                                                    "score-replicable": "3"})
    assert forged.status_code == 403 and served.head() == head
    client.cookies.clear()
    assert client.get(f"/expert/{SLUG}").status_code == 401


def test_after_judging_closes_the_card_is_read_only(serve: Serve) -> None:
    served = serve(judged)
    client = signed_in(served)
    page = client.get(f"/expert/{SLUG}/A1")
    assert "Экспертная оценка закрыта" in page.text
    assert "Сохранить оценку" not in page.text
    head = served.head()
    late = client.post(f"/expert/{SLUG}/A1", data={"csrf": csrf_of(page), "score-impact": "5",
                                                  "score-replicable": "3"})
    assert late.status_code == 409 and served.head() == head


def _assigned(served: Served) -> dict[str, list[str]]:
    return {r: e for j in served.world.konkurs.reads.judgings(spec()).values() for r, e in j.assigned.items()}


REPORT = b"%PDF-1.4 the practice's report"


def blind_judging(konkurs: Konkurs) -> World:
    """The permissions stage with blind judging, A1 carrying a file named after its applicant."""
    data = spec().model_dump(mode="json")
    stage = ContestSpec.model_validate(data | {"judging": data["judging"] | {"blind": True}})
    konkurs.contests.announce(Announce(spec=stage, plan=stage.phase_plan(), command_id="announce",
                                       actor=OPERATOR))
    close(konkurs, Phase.ANNOUNCED)
    konkurs.submissions.submit(Submit(slug=SLUG, forms=[submission("A1"), submission("A2")], actor=OPERATOR))
    report = Material(name="Отчёт Школа A1.pdf", sha256=hashlib.sha256(REPORT).hexdigest(), size=len(REPORT),
                      media_type="application/pdf")
    konkurs.submissions.attach_material(
        AttachMaterial(slug=SLUG, reference="A1", actor=OPERATOR, material=report))
    close(konkurs, Phase.COLLECTING)
    konkurs.judging.enroll_experts(EnrollExperts(slug=SLUG, profiles=expert_panel(5), actor=OPERATOR))
    konkurs.results.conclude_screening(ContestOrder(slug=SLUG, command_id="screen", actor=OPERATOR))
    close(konkurs, Phase.SCREENING)
    konkurs.judging.assign_experts(ContestOrder(slug=SLUG, command_id="assign", actor=OPERATOR))
    return World(konkurs, expert=konkurs.reads.judgings(stage)["HC-1"].assigned["A1"][0])


def test_blind_judging_hides_the_applicant_and_the_file_names(serve: Serve, wiring: Bootstrap) -> None:
    served = serve(blind_judging)
    Blobs(wiring.settings.materials_path).put(io.BytesIO(REPORT))
    client = signed_in(served)
    page = client.get(f"/expert/{SLUG}/A1")
    assert page.status_code == 200 and "Практика A1" in page.text
    assert "Школа" not in page.text and "регион 75" not in page.text
    assert "material-1.pdf" in page.text
    file = client.get(f"/expert/{SLUG}/A1/materials/1")
    assert file.status_code == 200 and file.content == REPORT
    assert "Школа" not in file.headers["content-disposition"]
    assert "material-1.pdf" in file.headers["content-disposition"]
