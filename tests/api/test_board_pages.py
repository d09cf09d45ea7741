"""The operator's board without a browser: who may open it, what it counts (checked against the
judging report the CLI prints), and the extend form's bad input answered at its field before
anything is sent."""

from __future__ import annotations

import re

import pytest

from domain.commands.reads import ReadSubmissions
from projections.board_queue import screening_queue
from projections.judging_report import judging_report
from tests.api.conftest import Serve
from tests.api.test_pages_sessions import csrf_of, sign_in
from tests.api.world import issue
from tests.factories import OPERATOR
from tests.unit.permissions import SLUG, collected, collecting, judging

BOARD = f"/contests/{SLUG}/board"


@pytest.mark.parametrize(("role", "status"), [
    ("regional operator of 75", 200), ("federal operator", 200), ("auditor", 200),
    ("regional operator of 23", 403), ("expert", 403), ("applicant", 403),
])
def test_the_board_is_for_the_stages_operators_and_auditors(shared: Serve, role: str, status: int) -> None:
    served = shared(judging)
    sign_in(served.client, issue(served.world, role).token)
    answer = served.client.get(BOARD)
    assert answer.status_code == status, answer.text
    if status == 200:
        assert ("Продлить" in answer.text) == (role != "auditor")


def test_a_stranger_is_asked_to_sign_in(shared: Serve) -> None:
    served = shared(judging)
    served.client.cookies.clear()
    answer = served.client.get(BOARD)
    assert answer.status_code == 401
    assert "sign in to open a contest" in answer.text


def test_the_board_counts_judging_as_the_judging_report_does(shared: Serve) -> None:
    served = shared(judging)
    sign_in(served.client, issue(served.world, "regional operator of 75").token)
    page = served.client.get(BOARD).text
    assert "экспертная оценка" in page
    report = judging_report(served.world.konkurs, SLUG)
    assert any(e.assigned for e in report.experts)
    for expert in report.experts:
        if expert.assigned or expert.recused:
            row = re.search(rf"\({re.escape(expert.expert)}\)</span></th>(.*?)</tr>", page, re.S)
            assert row is not None, expert.expert
            cells = re.findall(r'<td class="num">(\d+)</td>', row.group(1))
            assert cells == [str(expert.done), str(expert.assigned), str(expert.recused)]


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Укажите новую дату"), ("31.02.2030", "Не удалось прочитать дату"),
    ("01.01.2020", "Эта дата уже прошла"),
])
def test_a_bad_date_is_answered_at_its_field_and_nothing_is_sent(
    serve: Serve, typed: str, message: str
) -> None:
    served = serve(collecting)
    sign_in(served.client, issue(served.world, "regional operator of 75").token)
    head = served.world.konkurs.store.head_position()
    answer = served.client.post(f"{BOARD}/extend", data={"csrf": csrf_of(served.client, BOARD),
                                                         "until": typed, "reason": "x"})
    assert answer.status_code == 422
    assert re.search(r'id="until"[^>]*aria-describedby="until-hint until-error" aria-invalid="true"',
                     answer.text)
    assert message in answer.text
    assert served.world.konkurs.store.head_position() == head


def test_a_good_date_asks_for_confirmation_and_a_form_from_elsewhere_is_refused(serve: Serve) -> None:
    served = serve(collecting)
    sign_in(served.client, issue(served.world, "regional operator of 75").token)
    confirm = served.client.post(f"{BOARD}/extend", data={"csrf": csrf_of(served.client, BOARD),
                                                          "until": "30.06.2030 18:00", "reason": ""})
    assert confirm.status_code == 200
    assert "Подтвердите: продлить приём заявок до" in confirm.text
    # Read in the contest's own zone (Moscow here), as the CLI reads --until.
    assert 'name="until" value="2030-06-30T18:00:00+03:00"' in confirm.text
    forged = served.client.post(f"{BOARD}/close/confirm", data={"csrf": "guessed", "phase": "collecting"})
    assert forged.status_code == 403


def test_the_screening_queue_lists_what_was_filed_and_not_screened_yet(shared: Serve) -> None:
    served = shared(collected)
    sign_in(served.client, issue(served.world, "regional operator of 75").token)
    page = served.client.get(BOARD).text
    filed = served.world.konkurs.submission_reads.submissions(
        ReadSubmissions(actor=OPERATOR, slug=SLUG))
    assert f"Ждут проверки: <strong>{len(filed)}</strong>" in page
    for record in filed:
        assert re.search(rf'<th scope="row">{record.reference}</th><td>{record.title}</td>'
                         rf"<td>{record.applicant.name}</td>", page), record.reference
    views = served.client.app.state.api.views()  # type: ignore[attr-defined]
    first = screening_queue(views, SLUG, shown=2)
    assert (first.total, [q.reference for q in first.first]) == (3, [r.reference for r in filed][:2])
