"""An applicant saves a draft through the API, revises it, and files it: the same service
commands as the CLI's `konkurs submit --draft` and `konkurs file`."""

from __future__ import annotations

from tests.api.world import Call, Serve, contest, filed, form

DRAFT = {"draft": "true"}


def test_an_applicant_saves_revises_and_files_a_draft(serve: Serve) -> None:
    served = serve(filed)
    saved = served.send(Call("POST", contest("/submissions"), json=form("D1"), params=DRAFT), "applicant")
    assert (saved.status_code, saved.json()["status"]) == (201, "draft"), saved.text

    revised = served.send(Call("POST", contest("/submissions"), params=DRAFT,
                               json=form("D1", title="Паспорт практики заполнен")), "applicant")
    assert (revised.json()["status"], revised.json()["title"]) == ("draft", "Паспорт практики заполнен")

    done = served.send(Call("POST", contest("/submissions/D1/filing")), "applicant")
    assert (done.status_code, done.json()["status"]) == (200, "submitted"), done.text
    again = served.send(Call("POST", contest("/submissions/D1/filing")), "applicant")
    assert again.status_code == 422 and again.json()["detail"] == "cannot file submission D1: it is submitted"


def test_nobody_files_another_applicants_draft(serve: Serve) -> None:
    served = serve(filed)
    served.send(Call("POST", contest("/submissions"), json=form("D2"), params=DRAFT), "applicant")
    refused = served.send(Call("POST", contest("/submissions/D2/filing")), "expert")
    assert refused.status_code == 403, refused.text
