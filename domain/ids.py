"""Deterministic ids: uuid5 of business keys, so a retried command finds what it made before."""

from __future__ import annotations

import hashlib
from uuid import UUID, uuid5

KONKURS_NAMESPACE = UUID("5b0f5d2e-8c1e-4a55-9b1e-6b6f6e6b7572")
_NAMESPACE_BYTES = KONKURS_NAMESPACE.bytes


def business_id(kind: str, *parts: str) -> UUID:
    """Parts are escaped so that no two different keys join to the same string."""
    key = "/".join(part.replace("%", "%25").replace("/", "%2F") for part in (kind, *parts))
    return uuid5(KONKURS_NAMESPACE, key)


def contest_id(slug: str) -> UUID:
    return business_id("contest", slug)


def submission_id(slug: str, reference: str) -> UUID:
    return business_id("submission", slug, reference)


def review_id(slug: str, submission_ref: str, expert: str) -> UUID:
    return business_id("review", slug, submission_ref, expert)


def ballot_id(slug: str, nomination: str, voter_pseudonym: str) -> UUID:
    return business_id("ballot", slug, nomination, voter_pseudonym)


def ballot_hex(slug: str, nomination: str, voter_pseudonym: str) -> str:
    """`ballot_id(...).hex`, computed without UUID objects: the bulk ballot path makes a million.

    Slugs and nomination codes never hold '/' or '%' and pseudonyms are hex, so the key needs
    none of `business_id`'s escaping.
    """
    key = f"ballot/{slug}/{nomination}/{voter_pseudonym}".encode()
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + key).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    return digest.hex()


def uuid_bytes(originator: UUID | str | bytes) -> bytes:
    """An aggregate id's 16 bytes, however a store gives it: a UUID (PostgreSQL), its hex with or
    without dashes (SQLite), or the bytes already."""
    if isinstance(originator, UUID):
        return originator.bytes
    return originator if isinstance(originator, bytes) else bytes.fromhex(originator.replace("-", ""))


def workflow_id(slug: str) -> str:
    return f"contest-{slug}"
