"""An applicant's journey in a real browser: signs in through the identity provider, saves a draft,
attaches a file, meets a field's error, files the draft, sees it listed; after collection closes
the form says since when and offers no button. Checked against the store, not the pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from domain.actors import ActorKind, Role, Scope, actor_for
from domain.aggregates import Submission
from domain.commands.reads import ReadSubmissions
from domain.phases import Phase
from store.log import topic_of
from tests.e2e.conftest import Contests, Store
from tests.e2e.pages.conftest import Journey
from tests.factories import close_phase, inn

pytestmark = pytest.mark.slow

INN = inn("75", 3)
SLUG = "zdorovye-2030"
REPORT = b"%PDF-1.4\n% the practice's report\n%%EOF\n"


def test_an_applicant_saves_a_draft_attaches_a_file_and_files_it(
    contests: Contests, store: Store, journey: Journey, tmp_path: Path
) -> None:
    contests.collecting()
    journey.sign_in_as("gbuz-3", role="applicant", inn=INN)
    assert journey.path == "/applications" and "пока нет заявок" in journey.text
    journey.step("no-applications-yet")

    journey.open(f"/contests/{SLUG}/apply")
    journey.step("empty-form")
    journey.fill("reference", "ZDR-501")
    journey.fill("nomination", "HC-1")
    journey.fill("title", "Запись к врачу по телефону 122")
    journey.fill("summary", "Единый номер записи к врачу для всего края.")
    journey.fill("applicant_name", "ГБУЗ «Городская поликлиника № 3»")
    journey.fill("applicant_kind", "state_institution")
    journey.fill("region", "75")
    journey.press("Сохранить черновик")
    assert journey.path == f"/contests/{SLUG}/applications/ZDR-501"
    assert "черновик, не подана" in journey.text
    journey.step("draft-saved")

    report = tmp_path / "отчёт.pdf"
    report.write_bytes(REPORT)
    journey.find("#file").send_keys(str(report))
    journey.press("Приложить файл")
    assert "Файл приложен" in journey.text and "отчёт.pdf" in journey.text
    journey.step("file-attached")

    before = store.head()
    journey.press("Изменить черновик")
    journey.fill("title", "")
    journey.press("Подать заявку")
    assert "Заполните" in journey.field_error("title")
    journey.step("title-missing")
    assert store.head() == before
    journey.step("title-missing-phone", phone=True)

    journey.open(f"/contests/{SLUG}/applications/ZDR-501")
    journey.press("Подать заявку")
    assert "Черновик подан как заявка" in journey.text and "подана, ждёт проверки" in journey.text
    journey.step("filed")
    journey.open("/applications")
    assert "ZDR-501" in journey.text and "подана, ждёт проверки" in journey.text
    journey.step("listed-phone", phone=True)

    with store.open() as app:
        applicant = actor_for(Role.APPLICANT, "gbuz-3", Scope(inn=INN))
        assert applicant.kind == ActorKind.APPLICANT
        [record] = app.submission_reads.submissions(
            ReadSubmissions(actor=applicant, slug=SLUG, reference="ZDR-501"))
        assert (record.status, record.applicant.inn) == ("submitted", INN)
        assert [(m.name, m.size, m.media_type) for m in record.materials] == [
            ("отчёт.pdf", len(REPORT), "application/pdf")]
        topics = [topic_of(Submission.Submitted), topic_of(Submission.MaterialAttached),
                  topic_of(Submission.Filed)]
        written = [(logged.topic.rsplit(".", 1)[-1], logged.state["actor"]["id"])
                   for logged in app.store.read_log(topics)]
        assert written == [("Submitted", "gbuz-3"), ("MaterialAttached", "gbuz-3"), ("Filed", "gbuz-3")]
        close_phase(app, SLUG, Phase.COLLECTING, "close-collecting")

    journey.open(f"/contests/{SLUG}/apply")
    assert re.search(r"Приём заявок закрыт \d{1,2} [а-я]+ \d{4} г\.", journey.text), journey.text
    assert not journey.all("button[value=file]") and not journey.all("button[value=draft]")
    journey.step("collection-closed")
