"""Handing one message to the SMTP server with the standard library's client.

A message counts as sent only once the server has answered 250 to its data. A temporary refusal
(4xx), a timeout or a dropped connection is worth retrying; a permanent one (5xx) is not.
"""

from __future__ import annotations

import email.policy
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, formatdate

from konkurs.mail.address_book import Address
from konkurs.mail.outbox import Message
from konkurs.mail.settings import MailSettings


class SendFailed(Exception):
    def __init__(self, error: str, permanent: bool) -> None:
        super().__init__(error)
        self.permanent = permanent


# Python's folding of long encoded headers loses the space where it splits a Russian subject
# («региона ниже» arrives as «регионаниже»); RFC 5322 allows lines up to 998 characters, so fold none.
_POLICY = email.policy.default.clone(max_line_length=998)


def email_of(message: Message, to: Address, sender: str) -> EmailMessage:
    mail = EmailMessage(policy=_POLICY)
    mail["Message-ID"] = message.message_id
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail["From"] = sender
    mail["To"] = formataddr((to.name, to.email)) if to.name else to.email
    mail["Subject"] = message.subject
    mail["X-Konkurs-Event"] = f"{message.event} {message.position}"
    mail.set_content(message.body, charset="utf-8", cte="base64")
    return mail


class SmtpSender:
    """One connection, opened when first needed and reopened after a failure."""

    def __init__(self, settings: MailSettings, timeout: float = 10.0) -> None:
        self.settings = settings
        self.timeout = timeout
        self._client: smtplib.SMTP | None = None

    def _connected(self) -> smtplib.SMTP:
        if self._client is None:
            client = smtplib.SMTP(self.settings.host, self.settings.port, timeout=self.timeout)
            if self.settings.starttls:
                client.starttls(context=ssl.create_default_context())
            if self.settings.user:
                client.login(self.settings.user, self.settings.password or "")
            self._client = client
        return self._client

    def send(self, message: Message, to: Address) -> None:
        try:
            self._connected().send_message(email_of(message, to, self.settings.sender))
        except smtplib.SMTPRecipientsRefused as refused:
            code, answer = next(iter(refused.recipients.values()))
            self.close()
            raise SendFailed(f"{code} {_text(answer)}", permanent=code >= 500) from None
        except smtplib.SMTPResponseException as error:
            self.close()
            raise SendFailed(f"{error.smtp_code} {_text(error.smtp_error)}",
                             permanent=error.smtp_code >= 500) from None
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise SendFailed(str(error) or type(error).__name__, permanent=False) from None

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()


def _text(answer: bytes | str) -> str:
    return answer.decode(errors="replace") if isinstance(answer, bytes) else answer
