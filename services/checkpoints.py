"""Signed chain heads, appended to a file kept away from the store, and the log checked against them.

The file is JSON Lines, one signed head a line, and is only ever appended to. It must live outside
the store's reach (another machine, or copied off as it grows): an insider who can rewrite the
database and relink the chain cannot sign, and cannot reach the heads published earlier.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from domain.errors import InputFileError, KonkursError
from domain.rules.chain import GENESIS, link_rows
from domain.rules.checkpoints import (
    CheckpointReport,
    HeadsRead,
    SignedHead,
    check_heads,
    head_message,
    parse_heads,
)
from services.chain import Chain
from services.signing import SigningKey, signature_holds
from store.chain_links import ChainHead

SEAL = "seal"
PROMOTION = "promotion"
CHECKPOINT = "checkpoint"
MANUAL = "manual"

FETCH_TIMEOUT = 30
TAIL_BYTES = 16 * 1024
"""How much of the file's end `last` reads: many heads' worth."""


def utc_now() -> datetime:
    return datetime.now(UTC)


class Checkpoints:
    """`publish` signs the chain head and appends it to the file at `path`; `verify` checks the log
    against heads read from a file or a URL. Without a `path` nothing is published."""

    def __init__(self, chain: Chain, signing: SigningKey, path: Path | None,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.chain = chain
        self.signing = signing
        self.path = path
        self.clock = clock

    def sign(self, head: ChainHead, reason: str) -> SignedHead:
        if head.position < 1:
            raise KonkursError("the log is empty: there is no chain head to sign")
        signed_at = self.clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        message = head_message(head.position, head.hex, signed_at, reason)
        return SignedHead(position=head.position, link=head.hex, signed_at=signed_at, reason=reason,
                          public_key=self.signing.public_hex, signature=self.signing.sign(message))

    def publish(self, reason: str = MANUAL) -> SignedHead:
        """Extend the chain, sign its head and append it to the file."""
        self._file()
        return self._append(self.sign(self.chain.extend(), reason))

    def promoted(self) -> None:
        """A federal stage took a regional stage's winners: publish the head that holds them."""
        if self.path is not None:
            self.publish(PROMOTION)

    def sealed(self, head: ChainHead) -> None:
        """`Chain.on_seal`: a results event is being sealed with `head`; publish it."""
        if self.path is not None:
            self._append(self.sign(head, SEAL))

    def publish_if_grown(self, reason: str = CHECKPOINT) -> SignedHead | None:
        """The worker's periodic head: published only when the chain moved since the file's last head."""
        head = self.chain.extend()
        last = self.last()
        unmoved = last is not None and (last.position, last.link) == (head.position, head.hex)
        if head.position == 0 or unmoved:
            return None
        return self._append(self.sign(head, reason))

    def check_ready(self) -> None:
        """Refuse now, in one line, what would otherwise fail the first seal: no file configured,
        no signing key, or a file that cannot be appended to."""
        path = self._file()
        _ = self.signing.public_hex  # reads the key, or raises
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644))
        except OSError as error:
            raise KonkursError(f"cannot append signed heads to {path}: {error.strerror}") from None

    def last(self) -> SignedHead | None:
        """The last head in the file, read from its end."""
        if self.path is None or not self.path.is_file():
            return None
        with self.path.open("rb") as file:
            size = file.seek(0, os.SEEK_END)
            file.seek(max(0, size - TAIL_BYTES))
            tail = file.read().decode("utf-8", errors="replace").splitlines()
        for line in reversed(tail):
            found = parse_heads([line], str(self.path)).heads
            if found:
                return found[0]
        return None

    def heads(self, after: int = 0) -> list[SignedHead]:
        """The heads in this deployment's file, at positions after `after`: what subscribers fetch."""
        if self.path is None or not self.path.is_file():
            return []
        return [head for head in self.read(self.path).heads if head.position > after]

    def read(self, source: str | Path) -> HeadsRead:
        """Heads from a file (JSON Lines) or an http(s) URL (JSON Lines, or the API's JSON array)."""
        text = str(source)
        if text.startswith(("http://", "https://")):
            return parse_heads(_fetch(text).splitlines(), text)
        path = Path(source)
        try:
            with path.open(encoding="utf-8", errors="replace") as file:
                return parse_heads(file, str(path))
        except FileNotFoundError:
            raise InputFileError(f"no checkpoint file at {path}") from None
        except OSError as error:
            raise InputFileError(f"cannot read {path}: {error.strerror}") from None

    def verify(self, source: str | Path, public_key: str | None = None) -> CheckpointReport:
        """Check every head read from `source` under `public_key` (default: this deployment's), and
        that the log, its links recomputed from the rows themselves (not the stored links, which
        an insider can rewrite), still extends each one."""
        key = (public_key or self.signing.public_hex).strip().lower()
        if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
            raise InputFileError(f"--public-key {public_key!r} is not an Ed25519 public key "
                                 "(64 hex digits)")
        read = self.read(source)
        return check_heads(read.heads, self.recomputed_links(), key, signature_holds, read.unreadable)

    def recomputed_links(self) -> Iterator[tuple[int, bytes]]:
        """(position, link) of every row, hashed afresh from GENESIS, a page at a time."""
        return link_rows(GENESIS, self.chain.rows())

    def _file(self) -> Path:
        if self.path is None:
            raise KonkursError("no checkpoint file is configured (KONKURS_CHECKPOINTS)")
        return self.path

    def _append(self, head: SignedHead) -> SignedHead:
        """One line, written with one call in append mode and synced before returning; a line left
        unfinished by a crash is closed first, so it never swallows the next head."""
        path = self._file()
        path.parent.mkdir(parents=True, exist_ok=True)
        line = head.model_dump_json().encode() + b"\n"
        descriptor = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            size = os.fstat(descriptor).st_size
            if size and os.pread(descriptor, 1, size - 1) != b"\n":
                line = b"\n" + line
            written = os.write(descriptor, line)
            while written < len(line):
                written += os.write(descriptor, line[written:])
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        return head


def _fetch(url: str) -> str:
    request = urllib.request.Request(url, headers={"Accept": "application/json, application/jsonl, */*"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as answer:
            body: bytes = answer.read()
    except urllib.error.HTTPError as error:
        raise InputFileError(f"cannot fetch {url}: HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise InputFileError(f"cannot fetch {url}: {reason}") from None
    return body.decode("utf-8", errors="replace")
