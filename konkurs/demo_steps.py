"""The steps of a rehearsed contest, as the demo takes them and its sandboxes reuse them: announce
with the schedule rebased to today, collect a generated population, enroll experts, close phases
early through the operator's close Update, score every assigned card under its expert's actor."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle

from domain.actors import Actor
from domain.commands.intake import Submit
from domain.commands.judging import EnrollExperts
from domain.errors import KonkursError
from domain.phases import Phase, PhasePlan
from domain.spec import ContestSpec
from konkurs import intake_files, operations, population
from konkurs.settings import Settings
from konkurs.supervisor import WorkerProcess
from services.konkurs import Konkurs
from workflows.contest import ContestWorkflow
from workflows.models import ClosePhase, ContestState

Say = Callable[[str], None]
ExpertActor = Callable[[str, str], Actor]


@dataclass(frozen=True)
class Engine:
    """What a demo runs on: the embedded dev server's client, the worker process, the services
    over the demo's home, the environment its child processes get, and the operator's signer."""

    client: Client
    konkurs: Konkurs
    worker: WorkerProcess
    settings: Settings
    env: dict[str, str]
    signer: operations.Signer


@dataclass
class Steps:
    """One contest's steps; its generated files go to `folder`."""

    engine: Engine
    folder: Path
    seed: int
    say: Say

    @property
    def submissions_csv(self) -> Path:
        return self.folder / "submissions.csv"

    @property
    def experts_csv(self) -> Path:
        return self.folder / "experts.csv"

    @property
    def reviews_csv(self) -> Path:
        return self.folder / "reviews.csv"

    async def announce(self, spec: ContestSpec) -> tuple[WorkflowHandle[Any, Any], PhasePlan]:
        """Announce with the schedule rebased to now, and wait until collection is open."""
        plan = operations.plan_for(spec, operations.utc_now(), rebase_to_now=True)
        handle = await operations.announce(
            self.engine.client, operations.contest_input(spec, plan, self.engine.signer))
        await until(lambda: in_phase(self.engine.client, spec.slug, Phase.COLLECTING),
                    f"{spec.slug} to reach {Phase.COLLECTING}")
        return handle, plan

    def collect(self, spec: ContestSpec, count: int = 340) -> list[population.Entry]:
        entries = population.submissions(spec, self.submissions_csv, self.seed, count)
        self.engine.konkurs.submissions.submit(Submit(
            slug=spec.slug, forms=intake_files.submission_forms(self.submissions_csv),
            actor=self.engine.signer.actor))
        return entries

    def enroll(self, spec: ContestSpec, per_direction: int = 14) -> int:
        population.experts(spec, self.experts_csv, self.seed, per_direction)
        return self.engine.konkurs.judging.enroll_experts(EnrollExperts(
            slug=spec.slug, profiles=intake_files.expert_profiles(self.experts_csv),
            actor=self.engine.signer.actor)).recorded

    async def close(self, slug: str, phase: Phase) -> ContestState:
        state = await operations.send_update(
            self.engine.client, slug, ContestWorkflow.close_phase,
            ClosePhase(phase=phase, reason="демо: сжатие времени"), self.engine.signer)
        self.say(f"Closed {phase} → {state.phase}")
        return state

    async def close_screening(self, spec: ContestSpec, plan: PhasePlan) -> None:
        """Screening on arrival has nothing left to do once collection closes; a spec that screens
        at the close has its own phase to end."""
        if Phase.SCREENING in plan.phases:
            await self.close(spec.slug, Phase.SCREENING)

    def assignments(self, spec: ContestSpec) -> dict[str, list[str]]:
        """Each submission's assigned experts."""
        return {
            ref: list(experts)
            for judging in self.engine.konkurs.reads.judgings(spec).values()
            for ref, experts in judging.assigned.items()
        }

    def score(self, spec: ContestSpec, entries: list[population.Entry],
              actor_of: ExpertActor) -> tuple[int, int]:
        """A card for every assigned pair, each recorded under its expert's actor `actor_of(slug,
        expert)`: how many cards, by how many experts."""
        population.reviews(spec, entries, self.assignments(spec), self.reviews_csv, self.seed)
        forms = intake_files.review_forms(self.reviews_csv, spec.judging.criteria)
        by_expert = sorted(forms, key=lambda labelled: labelled[1].expert)
        population.record_cards(self.engine.konkurs, spec.slug, by_expert, actor_of)
        return len(forms), len({form.expert for _, form in forms})


async def in_phase(client: Client, slug: str, phase: Phase) -> bool:
    state, _ = await operations.live_state(client, slug)
    return state.phase == phase


async def until(check: Callable[[], Awaitable[Any]], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            raise KonkursError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)
