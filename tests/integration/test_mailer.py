"""The mailer against a real SMTP server on loopback (aiosmtpd): composed once, sent once, retried
on a temporary refusal, dead-lettered when the server keeps refusing or the address is gone, and
delivered after `resend`."""

from __future__ import annotations

import email
import email.policy
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from konkurs.devserver import free_port
from konkurs.mail.address_book import Address, AddressBook
from konkurs.mail.composer import Composer
from konkurs.mail.runner import MailRunner
from konkurs.mail.settings import MailSettings
from konkurs.mail.smtp import SmtpSender
from konkurs.mail.templates import Templates
from projections import ViewsDB
from projections.webhook_delivery import RetryPolicy
from services.konkurs import Konkurs
from tests.feeds import collecting, submit

TINY = RetryPolicy(attempts=3, backoff=0.01, cap=0.02)
SLUG = "alpha"


@dataclass
class MailSink:
    """An SMTP server on loopback that keeps what it accepted; `answer(n)` may refuse the n-th
    DATA (counting from 1) by returning an SMTP reply other than None."""

    answer: Callable[[int], str | None] = lambda n: None
    received: list[EmailMessage] = field(default_factory=list)
    attempts: int = 0
    port: int = field(default_factory=free_port)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.attempts += 1
            refusal = self.answer(self.attempts)
            if refusal is not None:
                return refusal
            message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            self.received.append(message)
        return "250 OK"

    def __enter__(self) -> MailSink:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._controller.stop()

    def ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.received]


@pytest.fixture
def views_db(tmp_path: Path) -> ViewsDB:
    return ViewsDB(tmp_path / "views.db")


def runner(konkurs: Konkurs, views_db: ViewsDB, sink: MailSink) -> MailRunner:
    settings = MailSettings(port=sink.port, sender="konkurs@minsport.example", domain="minsport.example")
    composer = Composer(konkurs, Templates(), settings.domain)
    return MailRunner(konkurs, views_db, composer, SmtpSender(settings, timeout=5), TINY)


def three_applicants(konkurs: Konkurs, views_db: ViewsDB) -> None:
    collecting(konkurs, SLUG)
    submit(konkurs, SLUG, range(3))
    AddressBook(views_db).put([Address(kind="applicant", key=f"{SLUG}/{SLUG}-{k}", email=f"a{k}@example.org",
                                       name=f"Заявитель {k}") for k in range(3)])


@pytest.fixture
def sink() -> Iterator[MailSink]:
    with MailSink() as running:
        yield running


def test_each_receipt_is_sent_once_with_its_message_id_and_russian_text(
    konkurs: Konkurs, views_db: ViewsDB, sink: MailSink
) -> None:
    three_applicants(konkurs, views_db)
    first = runner(konkurs, views_db, sink).once()
    again = runner(konkurs, views_db, sink).once()

    assert (first.composed, first.sent, again.composed, again.sent) == (3, 3, 0, 0)
    assert sorted(str(m["To"]) for m in sink.received) == [
        f"Заявитель {k} <a{k}@example.org>" for k in range(3)]
    positions = sorted(int(i.strip("<").split(".")[0]) for i in sink.ids())
    assert sink.ids() == [f"<{p}.0.konkurs@minsport.example>" for p in positions]
    letter = next(m for m in sink.received if "a1@" in str(m["To"]))
    assert str(letter["Subject"]) == f"Тестовый конкурс: заявка {SLUG}-1 принята"
    assert "«Практика 1» (АНО «Участник 1») в номинации «Запись к врачу»" in letter.get_content()
    assert str(letter["From"]) == "konkurs@minsport.example"


def test_a_temporary_refusal_is_retried_and_the_message_delivered(
    konkurs: Konkurs, views_db: ViewsDB
) -> None:
    three_applicants(konkurs, views_db)
    with MailSink(answer=lambda n: "451 4.3.0 try again later" if n % 2 else None) as sink:
        done = runner(konkurs, views_db, sink).once()

    assert (done.sent, done.dead) == (3, 0)
    assert sink.attempts == 6
    assert len(set(sink.ids())) == 3


def test_a_server_that_keeps_refusing_leaves_dead_letters_that_resend_delivers(
    konkurs: Konkurs, views_db: ViewsDB
) -> None:
    three_applicants(konkurs, views_db)
    with MailSink(answer=lambda n: "451 4.3.0 mailbox busy") as refusing:
        done = runner(konkurs, views_db, refusing).once()
    mailer = runner(konkurs, views_db, refusing)
    dead = mailer.outbox.dead()

    assert (done.sent, done.dead, refusing.attempts) == (0, 3, 3 * TINY.attempts)
    assert [(m.attempts, m.last_error) for m in dead] == [(3, "451 4.3.0 mailbox busy")] * 3

    assert mailer.outbox.resend([dead[0].message_id]) == 1
    with MailSink() as healthy:
        runner(konkurs, views_db, healthy).once()
        assert healthy.ids() == [dead[0].message_id]
        assert runner(konkurs, views_db, healthy).outbox.resend() == 2
        runner(konkurs, views_db, healthy).once()
    assert sorted(healthy.ids()) == sorted(m.message_id for m in dead)


def test_a_permanent_refusal_is_not_retried(konkurs: Konkurs, views_db: ViewsDB) -> None:
    three_applicants(konkurs, views_db)
    with MailSink(answer=lambda n: "550 5.1.1 no such user" if n == 1 else None) as sink:
        done = runner(konkurs, views_db, sink).once()

    assert (done.sent, done.dead, sink.attempts) == (2, 1, 3)


def test_an_erased_address_dead_letters_its_message_until_an_address_is_imported(
    konkurs: Konkurs, views_db: ViewsDB, sink: MailSink
) -> None:
    three_applicants(konkurs, views_db)
    book = AddressBook(views_db)
    book.forget("applicant", f"{SLUG}/{SLUG}-2")
    done = runner(konkurs, views_db, sink).once()
    mailer = runner(konkurs, views_db, sink)
    [dead] = mailer.outbox.dead()

    assert (done.sent, done.dead) == (2, 1)
    assert dead.last_error == f"no address for applicant {SLUG}/{SLUG}-2"
    book.put([Address(kind="applicant", key=f"{SLUG}/{SLUG}-2", email="new@example.org")])
    mailer.outbox.resend()
    mailer.once()
    assert str(sink.received[-1]["To"]) == "new@example.org"
    assert sink.received[-1]["Message-ID"] == dead.message_id
