"""`konkurs mailer run`: compose the events' messages into the outbox, then send what is due.

Composing is the `mailer` view subscriber (exactly once per event); sending looks each recipient up
in the address book at that moment and marks a row sent only after the server's 250. A kill between
the two sends that one message again, with the same Message-ID.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

from konkurs.mail.address_book import AddressBook
from konkurs.mail.composer import EVENTS, Composer
from konkurs.mail.outbox import Message, Outbox
from konkurs.mail.smtp import SendFailed, SmtpSender
from projections.subscriber import ViewSubscriber
from projections.views_db import ViewsDB
from projections.webhook_delivery import RetryPolicy
from services.konkurs import Konkurs

log = structlog.get_logger("konkurs.mailer")
CONSUMER = "mailer"


@dataclass
class Batch:
    """What one pass did."""

    composed: int = 0
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    dead_ids: list[str] = field(default_factory=list)

    def add(self, other: Batch) -> None:
        self.composed += other.composed
        self.sent += other.sent
        self.retrying += other.retrying
        self.dead += other.dead
        self.dead_ids += other.dead_ids

    def __bool__(self) -> bool:
        return bool(self.composed or self.sent or self.retrying or self.dead)


def consumer(contest: str | None) -> str:
    return CONSUMER if contest is None else f"{CONSUMER}:{contest}"


class MailRunner:
    def __init__(self, konkurs: Konkurs, views_db: ViewsDB, composer: Composer, sender: SmtpSender,
                 policy: RetryPolicy, contest: str | None = None, interval: float = 0.5,
                 progress: Callable[[Batch], None] | None = None) -> None:
        self.outbox = Outbox(views_db)
        self.addresses = AddressBook(views_db)
        self.sender = sender
        self.policy = policy
        self.contest = contest
        self.interval = interval
        self.progress = progress or (lambda batch: None)
        self.outbox.counts()  # the outbox table exists before the subscriber's first transaction
        self.feed = ViewSubscriber(consumer(contest), composer, store=konkurs.store, views_db=views_db,
                                   names=EVENTS, contest=contest)

    def compose(self) -> int:
        before = sum(self.outbox.counts(self.contest).values())
        self.feed.catch_up()
        return sum(self.outbox.counts(self.contest).values()) - before

    def send_due(self, stop: threading.Event) -> Batch:
        batch = Batch()
        for message in self.outbox.due(self.contest):
            if stop.is_set():
                break
            self._send(message, batch)
        return batch

    def _send(self, message: Message, batch: Batch) -> None:
        to = self.addresses.find(message.kind, message.key)
        if to is None:
            error = f"no address for {message.recipient}"
            self.outbox.bury(message, error, attempted=False)
        else:
            try:
                self.sender.send(message, to)
            except SendFailed as failure:
                error = str(failure)
                attempts = message.attempts + 1
                if not failure.permanent and attempts < self.policy.attempts:
                    log.info("mail not sent; retrying", message=message.message_id, attempt=attempts,
                             error=error)
                    self.outbox.retry(message, error, self.policy.wait(attempts))
                    batch.retrying += 1
                    return
                self.outbox.bury(message, error)
            else:
                self.outbox.sent(message)
                batch.sent += 1
                return
        (log.info if to is None else log.warning)("mail gave up", message=message.message_id,
                                                  recipient=message.recipient, error=error)
        batch.dead += 1
        batch.dead_ids.append(message.message_id)

    def once(self, stop: threading.Event | None = None) -> Batch:
        """Compose what is recorded, send it, retrying under the policy; return when nothing is pending."""
        stop = stop or threading.Event()
        total = Batch(composed=self.compose())
        while not stop.is_set():
            batch = self.send_due(stop)
            total.add(batch)
            if batch:
                self.progress(batch)
            wait = self.outbox.next_wait(self.contest)
            if wait is None or stop.wait(wait):
                break
        self.sender.close()
        return total

    def follow(self, stop: threading.Event) -> Batch:
        """Compose and send as events are recorded until `stop` is set."""
        total = Batch()
        while not stop.is_set():
            batch = self.send_due(stop)
            batch.composed = self.compose() if not stop.is_set() else 0
            total.add(batch)
            if batch:
                self.progress(batch)
                continue
            wait = self.outbox.next_wait(self.contest)
            stop.wait(self.interval if wait is None else min(self.interval, wait))
        self.sender.close()
        return total
