"""Deterministic ids: uuid5 of business keys, so a retried command finds what it made before."""

from __future__ import annotations

from uuid import UUID, uuid5

KONKURS_NAMESPACE = UUID("5b0f5d2e-8c1e-4a55-9b1e-6b6f6e6b7572")


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


def workflow_id(slug: str) -> str:
    return f"contest-{slug}"
