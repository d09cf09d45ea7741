"""Which experts sit on which nomination's panel, as the spec's `judging.panels` says."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from domain.aggregates.expert import ExpertProfile
from domain.spec import ContestSpec


def panel_for(spec: ContestSpec, nomination: str, roster: Sequence[ExpertProfile]) -> list[ExpertProfile]:
    """per_direction: everyone naming the nomination or its direction. per_nomination: those
    naming the nomination, plus the direction's generalists dealt round-robin to its nominations."""
    direction = next(d for d in spec.directions if any(n.code == nomination for n in d.nominations))
    named = [e for e in roster if nomination in e.directions]
    generalists = [e for e in roster if direction.code in e.directions and nomination not in e.directions]
    if spec.judging.panels == "per_direction":
        return sorted([*named, *generalists], key=lambda e: e.id)
    codes = [n.code for n in direction.nominations]
    pinned = {e.id for e in roster if any(code in e.directions for code in codes)}
    pool = sorted(
        (e for e in generalists if e.id not in pinned),
        key=lambda e: hashlib.sha256(f"{spec.fingerprint()}/{e.id}".encode()).hexdigest(),
    )
    dealt = [e for index, e in enumerate(pool) if codes[index % len(codes)] == nomination]
    return sorted([*named, *dealt], key=lambda e: e.id)
