"""Signed chain heads, and the check of a log against heads published earlier.

A chain on its own cannot catch a tail cut off together with its links, or rewritten with every
later link recomputed. A head signed with the deployment's key and kept outside the store can:
the log as it stands must still extend every head, that is, the links recomputed from its rows
must give the head's link at the head's position.

Pure: the signature check comes in as a function, the links as a stream, the heads as values.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from pydantic import Field, ValidationError, computed_field

from domain.model import Value

HEAD_MESSAGE_TAG = b"konkurs chain head v1"
"""The first field of every signed message: a signature over a head is never one over anything else."""

HEX_KEY = r"^[0-9a-f]{64}$"
UTC_MOMENT = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$"

_LENGTH = struct.Struct(">Q")
_POSITION = struct.Struct(">Q")

SignatureCheck = Callable[[str, bytes, str], bool]
"""(public key hex, message, signature hex) → whether the signature holds."""


def head_message(position: int, link: str, signed_at: str, reason: str) -> bytes:
    """The bytes a head's signature covers: the tag, the position (8 bytes, big-endian), the link's
    32 bytes, then `signed_at` and `reason` in UTF-8; each field preceded by its length (8 bytes,
    big-endian), as the chain's links are."""
    fields = (HEAD_MESSAGE_TAG, _POSITION.pack(position), bytes.fromhex(link), signed_at.encode(),
              reason.encode())
    return b"".join(_LENGTH.pack(len(field)) + field for field in fields)


class SignedHead(Value):
    """The chain head at one position, signed: what is published for anyone to check the log with."""

    position: int = Field(ge=1, description="The last log position the head covers")
    link: str = Field(pattern=HEX_KEY, description="The chain's link at that position (hex)")
    signed_at: str = Field(pattern=UTC_MOMENT, description="When it was signed (UTC, ISO 8601)")
    reason: str = Field(min_length=1, max_length=200,
                        description="Why: `seal` (a result was recorded), `checkpoint` (the worker's "
                                    "periodic head), `manual` (`konkurs audit head --sign`)")
    public_key: str = Field(pattern=HEX_KEY, description="The Ed25519 public key that signed it (hex)")
    signature: str = Field(pattern=r"^[0-9a-f]{128}$",
                           description="Ed25519 signature of the head's canonical message (hex)")

    @property
    def message(self) -> bytes:
        return head_message(self.position, self.link, self.signed_at, self.reason)

    @property
    def moment(self) -> datetime:
        return datetime.fromisoformat(self.signed_at)

    def named(self) -> str:
        return f"the head at position {self.position} (signed {self.signed_at})"


class HeadsRead(NamedTuple):
    """What a checkpoint file or document held: the heads, and a line for each entry that is not one."""

    heads: list[SignedHead]
    unreadable: list[str]


def parse_heads(lines: Iterable[str], source: str) -> HeadsRead:
    """Heads from JSON Lines (the checkpoint file), or from one JSON array (the API's answer)."""
    heads: list[SignedHead] = []
    unreadable: list[str] = []
    iterator = iter(lines)
    for number, line in enumerate(iterator, start=1):
        if not line.strip():
            continue
        if line.lstrip().startswith("["):
            return _parse_array(line + "".join(iterator), source)
        _take(line, f"{source}:{number}", heads, unreadable)
    return HeadsRead(heads, unreadable)


def _parse_array(text: str, source: str) -> HeadsRead:
    heads: list[SignedHead] = []
    unreadable: list[str] = []
    try:
        entries = json.loads(text)
    except ValueError as error:
        return HeadsRead([], [f"{source}: not a JSON array of heads ({error})"])
    if not isinstance(entries, list):
        return HeadsRead([], [f"{source}: not a JSON array of heads"])
    for index, entry in enumerate(entries):
        _take(json.dumps(entry), f"{source}[{index}]", heads, unreadable)
    return HeadsRead(heads, unreadable)


def _take(text: str, where: str, heads: list[SignedHead], unreadable: list[str]) -> None:
    try:
        heads.append(SignedHead.model_validate_json(text))
    except ValidationError as error:
        problem = error.errors()[0]
        place = ".".join(str(part) for part in problem["loc"])
        unreadable.append(f"{where}: not a signed head ({place + ': ' if place else ''}{problem['msg']})")


class HeadFailure(StrEnum):
    UNREADABLE = "unreadable"
    SIGNATURE = "signature"
    TRUNCATED = "truncated"
    REWRITTEN = "rewritten"
    FORKED = "forked"


class HeadFinding(Value):
    kind: HeadFailure
    position: int | None = Field(description="The position of the head it concerns; None for an "
                                             "entry that is not a head")
    detail: str

    def describe(self) -> str:
        return f"{self.kind}: {self.detail}"


class CheckpointReport(Value):
    """The log held against the signed heads: every head checked under one key."""

    public_key: str = Field(description="The key the heads were checked with")
    heads: int = Field(description="Heads read")
    trusted: int = Field(description="Heads whose signature holds under the key")
    log_end: int = Field(description="The last position of the log as it stands")
    extended: int | None = Field(description="The highest position of a head the log still extends")
    findings: list[HeadFinding]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def holds(self) -> bool:
        return not self.findings


def check_heads(
    heads: Iterable[SignedHead], links: Iterable[tuple[int, bytes]], public_key: str,
    signature_holds: SignatureCheck, unreadable: Sequence[str] = (),
) -> CheckpointReport:
    """Whether the log whose (position, link) pairs `links` streams, recomputed from its rows in
    order, still extends every head signed under `public_key`. Only the links at the heads'
    positions are kept, so a log of any length streams through.

    A head whose signature does not hold is reported and not trusted. Of the trusted heads:
    - those beyond the log's end show it **truncated**;
    - the lowest one the log no longer extends shows it **rewritten**, after the highest head
      signed no later than it that the log still extends;
    - a head the log extends at or beyond one it does not (or two heads at one position naming
      different links) shows the signed record **forked**: the key signed two histories.
    """
    key = public_key.lower()
    read = list(heads)
    findings = [HeadFinding(kind=HeadFailure.UNREADABLE, position=None, detail=line) for line in unreadable]
    trusted: list[SignedHead] = []
    for head in read:
        failure = _signature_failure(head, key, signature_holds)
        if failure is None:
            trusted.append(head)
        else:
            findings.append(failure)
    wanted = {head.position for head in trusted}
    recomputed: dict[int, bytes] = {}
    end = 0
    for position, link in links:
        end = position
        if position in wanted:
            recomputed[position] = link
    extended: list[SignedHead] = []
    broken: list[SignedHead] = []
    beyond: list[SignedHead] = []
    for head in trusted:
        if head.position > end:
            beyond.append(head)
        elif recomputed.get(head.position) == bytes.fromhex(head.link):
            extended.append(head)
        else:
            broken.append(head)
    findings.extend(_beyond_the_end(beyond, end))
    findings.extend(_not_extended(broken, extended))
    findings.extend(_same_position(trusted, findings))
    return CheckpointReport(public_key=key, heads=len(read), trusted=len(trusted), log_end=end,
                            extended=max((head.position for head in extended), default=None),
                            findings=findings)


def _signature_failure(head: SignedHead, key: str, holds: SignatureCheck) -> HeadFinding | None:
    if head.public_key != key:
        return HeadFinding(kind=HeadFailure.SIGNATURE, position=head.position, detail=(
            f"{head.named()} is signed with key {head.public_key}, not the key checked with "
            f"({key}): not trusted"))
    if not holds(key, head.message, head.signature):
        return HeadFinding(kind=HeadFailure.SIGNATURE, position=head.position, detail=(
            f"the signature of {head.named()} does not hold under key {key}: not trusted"))
    return None


def _order(head: SignedHead) -> tuple[int, datetime]:
    return head.position, head.moment


def _beyond_the_end(beyond: list[SignedHead], end: int) -> list[HeadFinding]:
    if not beyond:
        return []
    furthest = max(beyond, key=_order)
    more = len(beyond) - 1
    return [HeadFinding(kind=HeadFailure.TRUNCATED, position=furthest.position, detail=(
        f"the log ends at position {end}, but a head signed {furthest.signed_at} covers position "
        f"{furthest.position}" + (f" ({more} more head{_s(more)} beyond the end)" if more else "")))]


def _not_extended(broken: list[SignedHead], extended: list[SignedHead]) -> list[HeadFinding]:
    """The lowest head the log no longer extends, and where the change can lie: after the highest
    head, signed no later, that the log still extends (a head signed later may have been signed
    over the change already)."""
    if not broken:
        return []
    first = min(broken, key=_order)
    earlier = [head for head in extended if head.position < first.position and head.moment <= first.moment]
    since = max(earlier, key=_order) if earlier else None
    low = since.position + 1 if since is not None else 1
    holding = f"it still extends {since.named()}" if since is not None else "it extends no earlier head"
    later = [head for head in extended if head.position >= first.position]
    if later:
        other = min(later, key=_order)
        return [HeadFinding(kind=HeadFailure.FORKED, position=first.position, detail=(
            f"{first.named()} and {other.named()} attest two different histories: the log extends "
            f"the one at position {other.position}, not the one at position {first.position}; "
            f"{holding}, so the histories part in positions {low}–{first.position}"))]
    more = len(broken) - 1
    with_it = {0: "", 1: " (1 later head fails with it)"}.get(more, f" ({more} later heads fail with it)")
    return [HeadFinding(kind=HeadFailure.REWRITTEN, position=first.position, detail=(
        f"the log no longer extends {first.named()}; {holding}, so the change lies in positions "
        f"{low}–{first.position}{with_it}"))]


def _same_position(trusted: list[SignedHead], found: list[HeadFinding]) -> list[HeadFinding]:
    """The lowest position where two trusted heads name different links, unless a fork is named
    there already."""
    named = {finding.position for finding in found if finding.kind == HeadFailure.FORKED}
    first_at: dict[int, SignedHead] = {}
    for head in sorted(trusted, key=_order):
        first = first_at.setdefault(head.position, head)
        if first.link != head.link and head.position not in named:
            return [HeadFinding(kind=HeadFailure.FORKED, position=head.position, detail=(
                f"two heads at position {head.position} name different links (signed {first.signed_at} "
                f"and {head.signed_at}): the key signed two histories"))]
    return []


def _s(count: int) -> str:
    return "" if count == 1 else "s"
