"""The applicant's pages through their real HTTP forms (TestClient): bad input gets a Russian
message on its field and writes nothing; a draft is saved, revised, filed and given a file; a
stranger, a closed phase and a duplicate are refused in one sentence."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from domain.actors import Role, Scope
from domain.aggregates import Submission
from domain.commands.contest import Announce
from domain.commands.credentials import IssueToken
from domain.commands.reads import ReadSubmissions
from domain.phases import Phase
from domain.spec import ContestSpec
from services.konkurs import Konkurs
from store.log import topic_of
from tests.api.world import Serve, Served
from tests.factories import OPERATOR, close_phase, inn
from tests.unit.permissions import APPLICANT_INN, SLUG, World, spec

OTHER_INN = inn("75", 2)
PDF = b"%PDF-1.4 the practice's report"
GOOD = {"reference": "", "nomination": "HC-1", "title": "Запись к врачу по телефону",
        "summary": "Единый номер.",
        "applicant_name": "ГБУЗ «Поликлиника № 3»", "applicant_kind": "state_institution", "region": "75",
        "inn": APPLICANT_INN, "municipality": "", "applicant_age": "", "nominee_name": "",
        "nominee_position": "", "nominee_age": ""}
PERSON = {"nomination": "P-1", "nominee_name": "Иванова Анна Петровна",
          "nominee_position": "социальный работник"}


def applying(konkurs: Konkurs) -> World:
    """Collecting: the matrix's stage with a person nomination and tight file limits."""
    data = spec().model_dump(mode="json")
    person = {"code": "P-1", "title": "Лучший специалист", "kind": "person"}
    data["directions"][0]["nominations"].append(person)
    data["materials"] = {"max_bytes": 1024, "media_types": ["application/pdf"], "max_files": 2}
    stage = ContestSpec.model_validate(data)
    konkurs.contests.announce(Announce(spec=stage, plan=stage.phase_plan(), command_id="announce",
                                       actor=OPERATOR))
    close_phase(konkurs, SLUG, Phase.ANNOUNCED, "close:announced")
    return World(konkurs)


def csrf_of(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found, path
    return found.group(1)


def sign_in(client: TestClient, token: str | None) -> None:
    client.cookies.clear()
    answer = client.post("/signin", data={"csrf": csrf_of(client, "/signin"), "token": token or ""},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text


def applicant_token(served: Served, inn_: str = APPLICANT_INN, name: str = "school-1") -> str:
    return served.world.konkurs.credentials.issue(IssueToken(
        role=Role.APPLICANT, id=name, scope=Scope(inn=inn_), actor=OPERATOR)).token


def post_form(client: TestClient, action: str = "file", **changes: str) -> Response:
    data = GOOD | changes | {"csrf": csrf_of(client, f"/contests/{SLUG}/apply"), "action": action}
    return client.post(f"/contests/{SLUG}/apply", data=data, follow_redirects=False)


def field_error(html: str, field: str) -> str:
    """The message tied to the field by aria-describedby, as a screen reader would read it."""
    control = re.search(rf'<(?:input|select|textarea) id="{field}"[^>]*>', html)
    assert control, f"no field {field}"
    tag = control.group(0)
    assert f"{field}-error" in tag and 'aria-invalid="true"' in tag, tag
    message = re.search(rf'<p class="field-error" id="{field}-error">([^<]+)</p>', html)
    assert message
    return message.group(1)


@pytest.fixture
def served(serve: Serve) -> Served:
    made = serve(applying)
    sign_in(made.client, applicant_token(made))
    return made


CORPUS: list[tuple[str, dict[str, Any], str, str]] = [
    ("empty title", {"title": ""}, "title", "Заполните"),
    ("title over the model's cap", {"title": "Т" * 1001}, "title", "1000"),
    ("title over the spec's limit", {"title": "Т" * 301}, "title", "300"),
    ("summary over the spec's limit", {"summary": "С" * 4001}, "summary", "4000"),
    ("unknown nomination", {"nomination": "HC-9"}, "nomination", "номинацию"),
    ("no nomination", {"nomination": ""}, "nomination", "номинацию"),
    ("empty applicant name", {"applicant_name": ""}, "applicant_name", "Заполните"),
    ("bad INN", {"inn": "12345"}, "inn", "ИНН"),
    ("bad region", {"region": "abc"}, "region", "регион"),
    ("unknown kind", {"applicant_kind": "martian"}, "applicant_kind", "не допускает"),
    ("kind the contest does not admit", {"applicant_kind": "business"}, "applicant_kind", "не допускает"),
    ("too young a person", {"applicant_age": "5"}, "applicant_age", "14"),
    ("age in words", {"applicant_age": "сорок"}, "applicant_age", "цифрами"),
    ("reference too long", {"reference": "R" * 101}, "reference", "100"),
    ("person nomination without nominee", {"nomination": "P-1"}, "nominee_name", "укажите номинанта"),
    ("nominee in a practice nomination", {"nominee_name": "Иванова", "nominee_position": "врач"},
     "nominee_name", "не о человеке"),
    ("nominee without position", PERSON | {"nominee_position": ""}, "nominee_position", "Заполните"),
]


@pytest.mark.parametrize(("changes", "field", "says"), [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_bad_input_gets_a_message_on_its_field_and_writes_nothing(
    served: Served, changes: dict[str, str], field: str, says: str
) -> None:
    before = served.head()
    answer = post_form(served.client, **changes)
    assert answer.status_code == 422, answer.text
    assert says in field_error(answer.text, field)
    assert 'id="error-summary"' in answer.text and f'href="#{field}"' in answer.text
    assert served.head() == before


def test_a_draft_is_saved_revised_filed_and_given_a_file(served: Served) -> None:
    client, konkurs = served.client, served.world.konkurs
    saved = post_form(client, action="draft", reference="D-1", **PERSON)
    assert saved.headers["location"] == f"/contests/{SLUG}/applications/D-1?saved=draft"
    draft = client.get(saved.headers["location"])
    assert "черновик, не подана" in draft.text and "Изменить черновик" in draft.text

    edit = client.get(f"/contests/{SLUG}/applications/D-1/edit")
    assert "Иванова Анна Петровна" in edit.text and 'value="D-1"' in edit.text
    revised = post_form(client, action="draft", reference="D-1",
                        **PERSON | {"title": "Исправленное название"})
    assert revised.status_code == 303

    before = konkurs.store.head_position()
    too_large = client.post(f"/contests/{SLUG}/applications/D-1/materials",
                            data={"csrf": csrf_of(client, "/applications")},
                            files={"file": ("big.pdf", b"%PDF" + b"0" * 2000, "application/pdf")})
    assert too_large.status_code == 422 and "не более 1 КБ" in field_error(too_large.text, "file")
    wrong_type = client.post(f"/contests/{SLUG}/applications/D-1/materials",
                             data={"csrf": csrf_of(client, "/applications")},
                             files={"file": ("notes.txt", b"plain words", "text/plain")})
    assert wrong_type.status_code == 422 and "PDF" in field_error(wrong_type.text, "file")
    assert konkurs.store.head_position() == before

    attached = client.post(f"/contests/{SLUG}/applications/D-1/materials",
                           data={"csrf": csrf_of(client, "/applications")},
                           files={"file": ("report.pdf", PDF, "application/pdf")}, follow_redirects=False)
    assert attached.status_code == 303, attached.text
    filing = client.post(f"/contests/{SLUG}/applications/D-1/filing",
                         data={"csrf": csrf_of(client, "/applications")}, follow_redirects=False)
    assert filing.status_code == 303, filing.text

    actor = served.world.konkurs.credentials.authenticate(applicant_token(served))
    [record] = konkurs.submission_reads.submissions(ReadSubmissions(actor=actor, slug=SLUG, reference="D-1"))
    assert (record.status, record.title, [m.name for m in record.materials]) == (
        "submitted", "Исправленное название", ["report.pdf"])
    writers = {logged.state["actor"]["id"] for logged in konkurs.store.read_log(
        [topic_of(Submission.Submitted), topic_of(Submission.MaterialAttached), topic_of(Submission.Filed)])}
    assert writers == {"school-1"}
    listed = client.get("/applications")
    assert "D-1" in listed.text and "подана, ждёт проверки" in listed.text
    fetched = client.get(f"/contests/{SLUG}/applications/D-1/materials/{record.materials[0].sha256}")
    assert fetched.content == PDF


def test_a_blank_reference_is_generated(served: Served) -> None:
    answer = post_form(served.client)
    found = re.fullmatch(rf"/contests/{SLUG}/applications/(WEB-[0-9A-F]{{8}})\?saved=file",
                         answer.headers["location"])
    assert found, answer.headers["location"]
    assert found.group(1) in served.client.get("/applications").text


def test_refusals_are_one_sentence_and_write_nothing(served: Served) -> None:
    client = served.client
    assert post_form(client, reference="R-1").status_code == 303
    before = served.head()
    assert client.get(f"/contests/{SLUG}/applications/R-1/edit").status_code == 409
    duplicate = post_form(client, reference="R-1")
    assert duplicate.status_code == 409 and "submission R-1 already exists" in duplicate.text
    foreign = post_form(client, reference="R-2", inn=OTHER_INN)
    assert foreign.status_code == 403
    assert f"an applicant files only under its own INN, not {OTHER_INN}" in foreign.text
    assert served.head() == before

    sign_in(client, applicant_token(served, OTHER_INN, "school-2"))
    before = served.head()  # past the stranger's token
    for path in (f"/contests/{SLUG}/applications/R-1", f"/contests/{SLUG}/applications/R-1/edit"):
        stranger = client.get(path)
        assert stranger.status_code == 403 and "Запись к врачу по телефону" not in stranger.text
    filing = client.post(f"/contests/{SLUG}/applications/R-1/filing",
                         data={"csrf": csrf_of(client, "/applications")})
    assert filing.status_code == 403
    assert "R-1" not in client.get("/applications").text
    assert served.head() == before


def test_after_the_close_the_form_says_when_and_takes_nothing(served: Served) -> None:
    client = served.client
    assert post_form(client, action="draft", reference="L-1").status_code == 303
    csrf = csrf_of(client, f"/contests/{SLUG}/apply")
    close_phase(served.world.konkurs, SLUG, Phase.COLLECTING, "close:collecting")
    closed = client.get(f"/contests/{SLUG}/apply")
    assert "Приём заявок закрыт" in closed.text and "Подать заявку" not in closed.text
    assert re.search(r"закрыт \d{1,2} [а-я]+ \d{4} г\.", closed.text)
    before = served.head()
    late = client.post(f"/contests/{SLUG}/apply", data=GOOD | {"csrf": csrf, "action": "file"})
    assert late.status_code == 409 and "takes no submissions now" in late.text
    draft = client.get(f"/contests/{SLUG}/applications/L-1")
    assert "черновик подать уже нельзя" in draft.text
    assert served.head() == before


def test_only_a_signed_in_applicant_sees_the_pages(served: Served) -> None:
    served.client.cookies.clear()
    assert served.client.get(f"/contests/{SLUG}/apply").status_code == 401
    sign_in(served.client, served.token("expert"))
    assert served.client.get("/applications").status_code == 403
