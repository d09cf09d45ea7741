"""`make demo`: a real seed contest, end to end, on the embedded default.

The embedded Temporal dev server and a worker process start under a fresh home. Smart Dialog
2023 is announced with its schedule rebased to today, and each phase is closed early through
the same Update an operator sends with `konkurs close`. Intake arrives as Excel CSV files.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from temporalio.client import Client, WorkflowUpdateStage

from domain.actors import LOCAL_OPERATOR, Actor, Role, Scope
from domain.commands.credentials import IssueToken
from domain.commands.intake import CastBallots
from domain.commands.judging import Recuse
from domain.errors import KonkursError
from domain.phases import Phase, describe_deadline
from domain.spec import ContestSpec
from konkurs import intake_files, operations, population
from konkurs.bootstrap import Bootstrap
from konkurs.demo_steps import Engine, Say, Steps, until
from konkurs.devserver import EmbeddedServer, free_port
from konkurs.settings import Settings
from konkurs.spec_files import load_spec
from konkurs.supervisor import WorkerProcess
from konkurs.temporal import TemporalTarget, connect
from services.konkurs import Konkurs
from workflows.contest import ContestWorkflow
from workflows.models import ClosePhase, ExtendDeadline

OPERATOR = LOCAL_OPERATOR
# What runs once the demo's contest is done, while the dev server and the worker still run.
Afterwards = Callable[[Engine, ContestSpec], Awaitable[None]]


class TokenHolders:
    """The demo's experts and portal: each gets a token issued by the operator, and acts as
    whom the token authenticates, as they would with `KONKURS_TOKEN` set."""

    def __init__(self, konkurs: Konkurs, slug: str) -> None:
        self.konkurs = konkurs
        self.slug = slug
        self.tokens: dict[tuple[Role, str], str] = {}

    def actor(self, role: Role, id: str) -> Actor:
        if (role, id) not in self.tokens:
            self.tokens[role, id] = self.konkurs.credentials.issue(IssueToken(
                role=role, id=id, scope=Scope(contests=(self.slug,)), label="demo", actor=OPERATOR,
            )).token
        return self.konkurs.credentials.authenticate(self.tokens[role, id])


@dataclass
class DemoRun:
    spec_path: Path
    home: Path
    seed: int
    kill_worker_in_judging: bool
    say: Say

    @property
    def settings(self) -> Settings:
        return Settings(home=self.home, persistence_module="eventsourcing.sqlite", production=False)

    async def run(self, afterwards: Afterwards | None = None) -> ContestSpec:
        registry = load_spec(self.spec_path).eligibility.registry
        if registry is not None:
            raise KonkursError(
                f"{self.spec_path}: the demo generates applicants but no registry {registry!r} for "
                "them; import one with `konkurs import registry` and run the contest with "
                "`konkurs announce` instead")
        shutil.rmtree(self.home, ignore_errors=True)
        self.home.mkdir(parents=True)
        address = f"127.0.0.1:{free_port()}"
        env = {**os.environ, "KONKURS_HOME": str(self.home), "TEMPORAL_ADDRESS": address,
               "PERSISTENCE_MODULE": "eventsourcing.sqlite"}
        env.pop("TEMPORAL_PROFILE", None)
        settings = self.settings
        self.say(f"Embedded Temporal dev server on {address}; store and logs in {self.home}")
        with EmbeddedServer(self.home / "temporal.db", address):
            worker = WorkerProcess(env, self.home / "worker.log")
            worker.start()
            try:
                client = await connect(TemporalTarget(address, "default", True, {}))
                await self._wait_for_worker(client, worker)
                konkurs = Bootstrap(settings).services
                try:
                    engine = Engine(client, konkurs, worker, settings, env,
                                    operations.Signer(konkurs.senders, OPERATOR))
                    spec = await self._contest(engine)
                    if afterwards is not None:
                        await afterwards(engine, spec)
                    return spec
                finally:
                    konkurs.close()
            finally:
                worker.stop()

    async def _contest(self, engine: Engine) -> ContestSpec:
        konkurs = engine.konkurs
        steps = Steps(engine, self.home, self.seed, self.say)
        spec = load_spec(self.spec_path)
        slug = spec.slug
        self.say(f"Acting as {OPERATOR.describe()}, the embedded default's named operator; each "
                 "expert and the voting portal act under their own tokens")
        handle, plan = await steps.announce(spec)
        self.say(f"Announced {slug} with its schedule rebased to today "
                 f"(collection open {describe_deadline(plan.windows[1].closes_at)})")

        entries = steps.collect(spec)
        regions = len({e.region for e in entries})
        self.say(f"Collected {len(entries)} submissions from {regions} regions "
                 f"({steps.submissions_csv.name})")
        enrolled = steps.enroll(spec)
        self.say(f"Enrolled {enrolled} experts, federal and regional ({steps.experts_csv.name})")

        closes_at = plan.window(Phase.COLLECTING).closes_at
        # Smart Dialog's was 12 days; a shorter schedule keeps half its gap to the next deadline.
        gap = plan.window(plan.next_phase(Phase.COLLECTING)).closes_at - closes_at
        days = min(12, gap.days // 2)
        extended = closes_at + timedelta(days=days)
        await operations.send_update(
            engine.client,
            slug,
            ContestWorkflow.extend_deadline,
            ExtendDeadline(phase=Phase.COLLECTING, closes_at=extended, reason="по просьбам регионов"),
            engine.signer,
        )
        self.say(f"Extended collection by {days} days, {describe_deadline(extended)}, as regions asked")
        await steps.close(slug, Phase.COLLECTING)
        outcome = konkurs.store.get_contest(slug).screening
        assert outcome is not None
        self.say(
            f"Screening admitted {outcome.admitted}, rejected {sum(outcome.rejected.values())}"
            f" {dict(outcome.rejected)}"
        )
        await steps.close_screening(spec, plan)

        assignments = steps.assignments(spec)
        conflicts = sum(len(j.conflicts) for j in konkurs.reads.judgings(spec).values())
        self.say(
            f"Assigned {sum(map(len, assignments.values()))} cards; {conflicts} conflicted "
            "expert–submission pairs kept apart (same organisation, own region)"
        )
        submission, panel = next(iter(sorted(assignments.items())))
        experts = TokenHolders(konkurs, slug)
        replaced = konkurs.judging.recuse(
            Recuse(slug=slug, submission=submission, expert=panel[0], reason="консультировал заявителя",
                   actor=experts.actor(Role.EXPERT, panel[0]))
        ).experts
        self.say(f"{panel[0]} recused from {submission}; reassigned to {', '.join(replaced)}")
        cards, scorers = steps.score(spec, entries, lambda _, expert: experts.actor(Role.EXPERT, expert))
        self.say(f"Judging: {cards} scorecards, each recorded by its own expert's token "
                 f"({scorers} experts, {steps.reviews_csv.name})")
        if self.kill_worker_in_judging:
            await self._close_judging_through_a_crash(engine, slug)
        else:
            await steps.close(slug, Phase.JUDGING)

        if spec.voting.enabled:
            await self._vote(steps, spec, entries)
        await steps.close(slug, Phase.RESULTS)
        result = await handle.result()
        self.say(
            f"Workflow finished in phase {result.final_phase}; time was compressed by "
            "closing each phase early through the operator's close Update"
        )
        return spec

    async def _vote(self, steps: Steps, spec: ContestSpec, entries: list[population.Entry]) -> None:
        konkurs = steps.engine.konkurs
        judging = konkurs.store.get_contest(spec.slug).judging
        assert judging is not None
        ballots_path = self.home / "ballots.csv"
        population.ballots(judging.shortlist, entries, ballots_path, self.seed)
        ballots = intake_files.ballots(ballots_path)
        portal = TokenHolders(konkurs, spec.slug).actor(Role.PORTAL, "vote-portal")
        konkurs.ballots.cast_ballots(
            CastBallots(slug=spec.slug, ballots=ballots, voter_key=steps.engine.settings.voter_key(),
                        strict=True, actor=portal)
        )
        on_the_ballot = ("each nomination's winners" if spec.voting.ballot == "winners"
                         else "the shortlists")
        self.say(f"Public vote: {len(ballots)} ballots for {on_the_ballot}, cast by {portal.describe()} "
                 f"({ballots_path.name})")
        await steps.close(spec.slug, Phase.VOTING)

    async def _close_judging_through_a_crash(self, engine: Engine, slug: str) -> None:
        handle = engine.client.get_workflow_handle(f"contest-{slug}")
        update = await handle.start_update(
            ContestWorkflow.close_phase,
            engine.signer.update(ContestWorkflow.close_phase, slug,
                                 ClosePhase(phase=Phase.JUDGING, reason="демо")),
            wait_for_stage=WorkflowUpdateStage.ACCEPTED,
        )
        worker = engine.worker
        pid = worker.pid
        worker.kill_hard()
        self.say(f"Killed the worker (pid {pid}) with SIGKILL while judging was closing")
        worker.ensure_running()
        self.say(f"Started a new worker (pid {worker.pid}); the workflow resumes from history")
        state = await update.result()
        self.say(f"Closed judging → {state.phase}")

    async def _wait_for_worker(self, client: Client, worker: WorkerProcess) -> None:
        async def ready() -> bool:
            if not worker.alive():
                raise KonkursError(f"the worker exited; see {worker.log_path}")
            try:
                await operations.require_worker(client)
            except KonkursError:
                return False
            return True

        await until(ready, "the worker to start")
