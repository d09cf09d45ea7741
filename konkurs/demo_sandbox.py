"""Sandbox contests beside the demo's finished one, for people to try the pages by hand: copies of
the demo's spec under their own slugs, announced through Temporal like the demo, and driven to
collection (an applicant files), judging (experts have open cards) and voting (citizens vote)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from domain.phases import Phase
from domain.spec import ContestSpec
from konkurs.demo_steps import Engine, Say, Steps
from konkurs.population import expert_actor

# Few enough that every sandbox is ready in seconds, enough that every direction's panel has work.
SUBMISSIONS = 30
EXPERTS_PER_DIRECTION = 6


@dataclass(frozen=True)
class Sandbox:
    slug: str
    title: str
    phase: Phase
    busiest_expert: str | None = None  # in judging: the expert with the most open cards


@dataclass(frozen=True)
class Kind:
    suffix: str
    purpose: str
    phase: Phase

    def applies_to(self, spec: ContestSpec) -> bool:
        return {Phase.JUDGING: spec.judging.enabled, Phase.VOTING: spec.voting.enabled}.get(self.phase, True)


KINDS = (Kind("priem", "приём заявок", Phase.COLLECTING),
         Kind("ocenka", "экспертная оценка", Phase.JUDGING),
         Kind("golosovanie", "народное голосование", Phase.VOTING))


def sandbox_spec(spec: ContestSpec, kind: Kind) -> ContestSpec:
    """The demo's spec under its own slug and title. Its announcement letter is left out (the
    demo's contest has already sent one to every region), and so are regional stages."""
    data: dict[str, Any] = spec.model_dump(mode="json", exclude_unset=True)
    data.update(slug=f"{spec.slug}-{kind.suffix}", title=f"{spec.title} (песочница: {kind.purpose})")
    for left_out in ("announcement", "regional_stages"):
        data.pop(left_out, None)
    return ContestSpec.model_validate(data)


async def set_up(engine: Engine, demo: ContestSpec, seed: int, say: Say) -> list[Sandbox]:
    """A sandbox for each phase the demo's spec has, announced and brought there."""
    sandboxes = []
    for kind in KINDS:
        if not kind.applies_to(demo):
            continue
        spec = sandbox_spec(demo, kind)
        steps = Steps(engine, engine.settings.home / "sandboxes" / spec.slug, seed, lambda _: None)
        sandbox = await _bring(steps, spec, kind.phase)
        say(f"Sandbox {spec.slug}: {SUBMISSIONS} submissions, now in {sandbox.phase}")
        sandboxes.append(sandbox)
    return sandboxes


async def _bring(steps: Steps, spec: ContestSpec, target: Phase) -> Sandbox:
    _, plan = await steps.announce(spec)
    entries = steps.collect(spec, SUBMISSIONS)
    if target == Phase.COLLECTING:
        return Sandbox(spec.slug, spec.title, target)
    steps.enroll(spec, EXPERTS_PER_DIRECTION)
    await steps.close(spec.slug, Phase.COLLECTING)
    await steps.close_screening(spec, plan)
    if target == Phase.JUDGING:
        load = Counter(expert for panel in steps.assignments(spec).values() for expert in panel)
        busiest = min(load, key=lambda expert: (-load[expert], expert)) if load else None
        return Sandbox(spec.slug, spec.title, target, busiest)
    steps.score(spec, entries, expert_actor)
    await steps.close(spec.slug, Phase.JUDGING)
    return Sandbox(spec.slug, spec.title, target)
