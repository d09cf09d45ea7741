"""The mailer's settings, from the environment (docs/mail.md, "Settings")."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from domain.errors import KonkursError

DEFAULT_FROM = "konkurs@localhost"


@dataclass(frozen=True)
class MailSettings:
    host: str = "127.0.0.1"
    port: int = 25
    starttls: bool = False
    user: str | None = None
    password: str | None = None
    sender: str = DEFAULT_FROM
    templates: Path | None = None
    domain: str = "localhost"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> MailSettings:
        env = os.environ if env is None else env
        port_text = env.get("KONKURS_SMTP_PORT", "25").strip() or "25"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise KonkursError(f"KONKURS_SMTP_PORT={port_text!r} is not a port number (1-65535)")
        starttls = env.get("KONKURS_SMTP_STARTTLS", "0").strip()
        if starttls not in ("", "0", "1"):
            raise KonkursError(f"KONKURS_SMTP_STARTTLS={starttls!r}: write 1 to use STARTTLS or 0 not to")
        sender = env.get("KONKURS_MAIL_FROM", "").strip() or DEFAULT_FROM
        folder = env.get("KONKURS_MAIL_TEMPLATES", "").strip()
        domain = env.get("KONKURS_MAIL_DOMAIN", "").strip() or sender.rpartition("@")[2].strip("> ")
        return cls(
            host=env.get("KONKURS_SMTP_HOST", "").strip() or "127.0.0.1", port=int(port_text),
            starttls=starttls == "1", user=env.get("KONKURS_SMTP_USER") or None,
            password=env.get("KONKURS_SMTP_PASSWORD") or None, sender=sender,
            templates=Path(folder) if folder else None, domain=domain or "localhost")
