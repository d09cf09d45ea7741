"""Comparing a recorded outcome with its recomputation, naming each difference by where it is.

Outcomes are first keyed the way people name their parts ("nomination N1, place 2") rather
than by list index, so one entry out of place reads as that entry, not as a shifted list.
"""

from __future__ import annotations

from typing import Any

from domain.audit.models import Difference
from domain.outcomes import ContestResults, JudgingOutcome, NominationRanking, Standing

IGNORED = frozenset({"seal"})  # the seal says when and under what a result was recorded, not what


def differences(check: str, recorded: Any, recomputed: Any, where: str = "") -> list[Difference]:
    if isinstance(recorded, dict) and isinstance(recomputed, dict):
        found: list[Difference] = []
        for key in sorted(recorded.keys() | recomputed.keys(), key=str):
            if key in IGNORED:
                continue
            inner = f"{where}, {key}" if where else str(key)
            found += differences(check, recorded.get(key, _ABSENT), recomputed.get(key, _ABSENT), inner)
        return found
    if isinstance(recorded, list) and isinstance(recomputed, list) and len(recorded) == len(recomputed):
        return [d for index, pair in enumerate(zip(recorded, recomputed, strict=True))
                for d in differences(check, *pair, f"{where}[{index}]")]
    if _same(recorded, recomputed):
        return []
    return [Difference(check=check, where=where or "outcome", recorded=_shown(recorded),
                       recomputed=_shown(recomputed))]


_ABSENT: Any = object()


def _same(recorded: Any, recomputed: Any) -> bool:
    if isinstance(recorded, float) or isinstance(recomputed, float):
        # JSON round trips keep floats exact; the tolerance only absorbs int/float spelling (7 vs 7.0).
        return (isinstance(recorded, int | float) and isinstance(recomputed, int | float)
                and abs(recorded - recomputed) <= 1e-9)
    return bool(recorded == recomputed)


def _shown(value: Any) -> str | None:
    if value is _ABSENT or value is None:
        return None
    return str(value)


def keyed_judging(outcome: JudgingOutcome) -> dict[str, Any]:
    data = outcome.model_dump(mode="json", exclude={"rankings"})
    data.update({f"nomination {r.nomination}": keyed_ranking(r) for r in outcome.rankings})
    return data


def keyed_ranking(ranking: NominationRanking) -> dict[str, Any]:
    data = ranking.model_dump(mode="json", exclude={"entries", "nomination"})
    data.update({f"place {e.place}": e.model_dump(mode="json", exclude={"place"}) for e in ranking.entries})
    return data


def keyed_results(results: ContestResults) -> dict[str, Any]:
    return {"winners": _keyed_standings(results.winners),
            "people's choice": _keyed_standings(results.people_choice)}


def _keyed_standings(standings: list[Standing]) -> dict[str, Any]:
    return {f"nomination {s.nomination}, place {s.place}": s.model_dump(
        mode="json", exclude={"nomination", "place"}) for s in standings}
