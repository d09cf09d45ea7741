"""The letters' templates: the shipped ones render, an operator's broken one is named with its file
and line before anything is sent, and `konkurs mailer templates check` exits 2 on it."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest

from konkurs.cli import run
from konkurs.mail.address_book import Address
from konkurs.mail.outbox import Message, message_id
from konkurs.mail.settings import MailSettings
from konkurs.mail.smtp import email_of
from konkurs.mail.templates import SAMPLES, SHIPPED, TemplateError, Templates


def test_every_shipped_template_renders_its_sample_with_a_russian_subject() -> None:
    templates = Templates()
    assert templates.check() == list(SAMPLES)
    assert sorted(path.stem for path in SHIPPED.glob("*.txt")) == sorted(SAMPLES)
    rejected = templates.render("rejected", SAMPLES["rejected"])
    assert rejected.subject == "Лучшие практики 2023: заявка SD-1 не допущена к конкурсу"
    assert "Причина: нет согласия." in rejected.body


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "line", "says"), [
    ("Тема: {{ contest }}\n\nТекст\n{% if reason %}\n", 4, "Unexpected end of template"),
    ("Тема: {{ contest }}\n\nЗаявка {{ reference }}\nПричина: {{ reasn }}\n", 4, "'reasn' is undefined"),
    ("Заявка {{ reference }}\n", 1, "the first line must be «Тема: …»"),
])
def test_a_broken_override_is_named_by_file_and_line(tmp_path: Path, text: str, line: int, says: str) -> None:
    path = write(tmp_path / "mine", "rejected", text)
    with pytest.raises(TemplateError) as caught:
        Templates(tmp_path / "mine").check()
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert says in str(caught.value)


def test_an_override_replaces_only_its_own_template(tmp_path: Path) -> None:
    write(tmp_path / "mine", "receipt", "Тема: Получено {{ reference }}\n\nСпасибо, {{ applicant }}.\n")
    templates = Templates(tmp_path / "mine")
    assert templates.check() == list(SAMPLES)
    assert templates.render("receipt", SAMPLES["receipt"]).body == "Спасибо, АНО «Забота».\n"
    assert "допущена к участию" in templates.render("admitted", SAMPLES["admitted"]).body


def test_the_check_command_exits_2_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "mine", "reminder", "Тема: {{ contest }}\n\n{{ cards | nonesuch }}\n")
    monkeypatch.setenv("KONKURS_MAIL_TEMPLATES", str(tmp_path / "mine"))
    assert run(["mailer", "templates", "check"]) == 2
    error = capsys.readouterr().err
    assert len(error.strip().splitlines()) == 1, error
    assert f"{path}:3" in error and "nonesuch" in error


def test_show_prints_the_shipped_template(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["mailer", "templates", "show", "announcement"]) == 0
    assert capsys.readouterr().out == (SHIPPED / "announcement.txt").read_text(encoding="utf-8")
    assert run(["mailer", "templates", "show", "nonesuch"]) == 1


def test_message_ids_are_made_of_the_position_and_the_index() -> None:
    assert message_id(412, 3, "minsport.example") == "<412.3.konkurs@minsport.example>"


def test_settings_come_from_the_environment_and_refuse_a_bad_port() -> None:
    settings = MailSettings.from_env({"KONKURS_SMTP_PORT": "2525", "KONKURS_SMTP_STARTTLS": "1",
                                      "KONKURS_MAIL_FROM": "Конкурс <konkurs@minsport.example>"})
    assert (settings.port, settings.starttls, settings.domain) == (2525, True, "minsport.example")
    with pytest.raises(Exception, match="KONKURS_SMTP_PORT='smtp' is not a port number"):
        MailSettings.from_env({"KONKURS_SMTP_PORT": "smtp"})


def test_a_long_russian_subject_arrives_with_its_spaces() -> None:
    subject = "Марафон «Муниципальный диалог» и его очень длинное название: участие региона ниже целевого"
    message = Message(message_id="<7.0.konkurs@example.org>", position=7, seq=0, contest="c", event="e",
                      kind="coordinator", key="03", subject=subject, body="Текст письма.\n")
    sent = email_of(message, Address(kind="coordinator", key="03", email="c@example.org", name="Куратор"),
                    "Конкурс <konkurs@example.org>")
    received = email.message_from_bytes(sent.as_bytes(), policy=email.policy.default)
    assert str(received["Subject"]) == subject
    assert str(received["To"]) == "Куратор <c@example.org>"
    assert received["Message-ID"] == "<7.0.konkurs@example.org>"
    assert received.get_content() == "Текст письма.\n"
