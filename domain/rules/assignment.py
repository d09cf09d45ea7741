"""Assigning experts to submissions: conflicts of interest and a balanced plan drawn from a seed."""

from __future__ import annotations

import hashlib
import heapq
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from types import MappingProxyType
from typing import Literal

from domain.model import Value


class Reviewer(Value):
    id: str
    organisation: str
    inn: str | None = None
    region: str
    municipality: str | None = None
    level: Literal["federal", "regional"]


class Entry(Value):
    reference: str
    organisation: str
    inn: str | None = None
    region: str
    municipality: str | None = None


class Conflict(Value):
    submission: str
    expert: str
    reason: str


class Shortfall(Value):
    submission: str
    needed: int
    assigned: int
    eligible: int


class AssignmentPlan(Value):
    pairs: list[tuple[str, str]]
    conflicts: list[Conflict]
    shortfalls: list[Shortfall]


_NO_EXISTING: Mapping[str, Sequence[str]] = MappingProxyType({})
_NO_BARRED: Mapping[str, Collection[str]] = MappingProxyType({})
_NO_LOAD: Mapping[str, int] = MappingProxyType({})


def _key(text: str | None) -> str:
    """A name compared without case or extra whitespace; '' when absent."""
    return " ".join((text or "").split()).casefold()


def conflict_reason(expert: Reviewer, entry: Entry, *, exclude_own_region: bool) -> str | None:
    """Why the expert may not review the entry, or None; the first reason in this order wins."""
    inn = _key(expert.inn)
    if inn and inn == _key(entry.inn):
        return "same INN as the applicant"
    organisation = _key(expert.organisation)
    if organisation and organisation == _key(entry.organisation):
        return "same organisation as the applicant"
    municipality = _key(expert.municipality)
    if municipality and expert.region == entry.region and municipality == _key(entry.municipality):
        return "same municipality as the applicant"
    if exclude_own_region and expert.level == "regional" and expert.region == entry.region:
        return "regional expert of the applicant's region"
    return None


def _lookup_keys(region: str, inn: str | None, organisation: str, municipality: str | None) -> list[str]:
    keys = [f"inn\0{_key(inn)}", f"org\0{_key(organisation)}", f"region\0{region}"]
    if _key(municipality):
        keys.append(f"mun\0{region}\0{_key(municipality)}")
    return keys


def _conflicts(
    entries: Sequence[Entry], panel: Sequence[Reviewer], exclude_own_region: bool
) -> dict[str, dict[str, str]]:
    """submission -> expert -> reason, found through an index so the panel is not scanned per entry."""
    # The index only narrows the candidates; conflict_reason stays the one judge of a conflict.
    index: dict[str, list[Reviewer]] = defaultdict(list)
    for expert in panel:
        for key in _lookup_keys(expert.region, expert.inn, expert.organisation, expert.municipality):
            index[key].append(expert)
    found: dict[str, dict[str, str]] = {}
    for entry in entries:
        reasons: dict[str, str] = {}
        for key in _lookup_keys(entry.region, entry.inn, entry.organisation, entry.municipality):
            for expert in index.get(key, ()):
                reason = conflict_reason(expert, entry, exclude_own_region=exclude_own_region)
                if reason is not None:
                    reasons[expert.id] = reason
        found[entry.reference] = reasons
    return found


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def _require_unique(names: list[str], what: str) -> None:
    repeated = sorted(name for name, count in Counter(names).items() if count > 1)
    if repeated:
        duplicate = repeated[0]
        raise ValueError(f"{what} {duplicate!r} is listed twice")


def plan_assignments(
    entries: Sequence[Entry],
    panel: Sequence[Reviewer],
    per_submission: int,
    seed: str,
    *,
    exclude_own_region: bool,
    existing: Mapping[str, Sequence[str]] = _NO_EXISTING,
    barred: Mapping[str, Collection[str]] = _NO_BARRED,
    load: Mapping[str, int] = _NO_LOAD,
) -> AssignmentPlan:
    """Top every entry up to per_submission reviewers, always giving the next card to the least-loaded
    eligible expert; the seed alone decides the order of entries and every tie."""
    if per_submission < 0:
        raise ValueError(f"per_submission must not be negative, got {per_submission}")
    _require_unique([entry.reference for entry in entries], "submission")
    _require_unique([expert.id for expert in panel], "expert")
    panel_ids = {expert.id for expert in panel}
    conflicts = _conflicts(entries, panel, exclude_own_region)
    blocked = {
        entry.reference: set(conflicts[entry.reference]) | set(barred.get(entry.reference, ()))
        for entry in entries
    }
    # A recusal outranks an earlier assignment: the recused expert no longer counts for the entry.
    have = {
        entry.reference: set(existing.get(entry.reference, ())) - set(barred.get(entry.reference, ()))
        for entry in entries
    }
    current = {expert_id: load.get(expert_id, 0) for expert_id in panel_ids}
    for experts in have.values():
        for expert_id in experts & panel_ids:
            current[expert_id] += 1
    buckets: dict[int, set[str]] = defaultdict(set)
    for expert_id, cards in current.items():
        buckets[cards].add(expert_id)
    prefixes = {expert_id: hashlib.sha256(f"{seed}/{expert_id}/".encode()) for expert_id in panel_ids}

    pairs: list[tuple[str, str]] = []
    shortfalls: list[Shortfall] = []
    for entry in sorted(entries, key=lambda e: _digest(f"{seed}/{e.reference}")):
        reference, assigned = entry.reference, have[entry.reference]
        excluded = blocked[reference] | assigned
        need = per_submission - len(assigned)
        tail = reference.encode()

        def tie(expert_id: str, tail: bytes = tail) -> bytes:
            # Equals sha256(f"{seed}/{expert}/{reference}"), reusing each expert's hashed prefix.
            h = prefixes[expert_id].copy()
            h.update(tail)
            return h.digest()

        for level in sorted(buckets):
            if need <= 0:
                break
            tier = buckets[level] - excluded
            chosen = heapq.nsmallest(need, tier, key=tie) if len(tier) > need else list(tier)
            for expert_id in chosen:
                buckets[level].discard(expert_id)
                buckets[level + 1].add(expert_id)
                assigned.add(expert_id)
                excluded.add(expert_id)
                pairs.append((reference, expert_id))
            need -= len(chosen)
            if not buckets[level]:
                del buckets[level]
        if need > 0:
            shortfalls.append(
                Shortfall(
                    submission=reference, needed=per_submission, assigned=len(assigned),
                    eligible=len(panel_ids - blocked[reference]),
                )
            )
    return AssignmentPlan(
        pairs=sorted(pairs),
        conflicts=[
            Conflict(submission=submission, expert=expert_id, reason=reason)
            for submission, reasons in sorted(conflicts.items())
            for expert_id, reason in sorted(reasons.items())
        ],
        shortfalls=sorted(shortfalls, key=lambda s: s.submission),
    )
