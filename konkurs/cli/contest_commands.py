"""Operator commands that steer a contest through its workflow."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from temporalio.client import Client

from domain.errors import InputFileError, KonkursError, UnknownContest
from domain.phases import TERMINAL_PHASES, Phase, describe_deadline
from domain.regions import region_name
from domain.spec import ContestSpec
from konkurs import operations
from konkurs.cli import runtime
from konkurs.cli.output import JsonFlag, emit_json, say, schedule_table, table
from konkurs.spec_files import load_spec
from services.registry import read_registry
from workflows.contest import ContestWorkflow
from workflows.models import CancelContest, ClosePhase, ContestInput, ContestState, ExtendDeadline

Slug = Annotated[str, typer.Argument(help="The contest's slug, as in its spec.")]
Reason = Annotated[str, typer.Option("--reason", "-r", help="Why; recorded in the log.")]
# A closed or cancelled contest has nothing left to close or extend.
OPEN_PHASES = [phase.value for phase in Phase if phase not in TERMINAL_PHASES]
PHASE_CHOICES = "|".join(OPEN_PHASES)


def open_phase(text: str) -> Phase:
    if text not in OPEN_PHASES:
        raise typer.BadParameter(f"{text!r} is not a phase that can be closed or extended; "
                                 f"one of {', '.join(OPEN_PHASES)}")
    return Phase(text)



def register(app: typer.Typer) -> None:
    app.command("announce")(announce)
    app.command("extend")(extend)
    app.command("close")(close)
    app.command("cancel")(cancel)


def announce(
    spec_file: Annotated[Path, typer.Argument(help="The contest spec (YAML).")],
    rebase_to_now: Annotated[bool, typer.Option(
        "--rebase-to-now",
        help="Rehearse a past contest: keep its intervals, move the announcement to now.",
    )] = False,
    without_stages: Annotated[bool, typer.Option(
        "--without-stages", help="A federal spec: announce only the federal stage, not its "
        "regional stages.",
    )] = False,
    federal_file: Annotated[Path | None, typer.Option(
        "--federal", help="A regional spec: its federal stage's spec, so that the first "
        "promotion can start the federal stage if nobody has announced it.",
    )] = None,
    as_json: JsonFlag = False,
) -> None:
    """Announce a contest: start its workflow, which records the announcement and keeps time.

    It reports success once a worker has recorded the contest, waiting up to KONKURS_WORKER_WAIT
    seconds (20 by default) for one; start it with `konkurs worker`.

    A federal spec with `regional_stages` also announces one regional stage per region from
    that template; their winners advance to the federal stage when they publish results.
    """
    spec = load_spec(spec_file)
    if spec.voting.enabled:
        runtime.settings().voter_key()  # in production a vote is refused without its HMAC key
    now = operations.utc_now()
    plan = operations.plan_for(spec, now, rebase_to_now)
    shift = operations.rebase_shift(spec.phase_plan(), now) if rebase_to_now else timedelta(0)
    signer = runtime.signer()
    contest = operations.contest_input(spec, plan, signer, _federal_stage(spec, federal_file, shift, signer))
    stages = [] if without_stages else operations.stage_inputs(contest, spec, shift, now, signer)

    async def work(client: Client) -> None:
        wait, queue = runtime.settings().worker_wait, runtime.settings().task_queue
        started = [(each.slug, await operations.announce(client, each, queue, wait))
                   for each in (contest, *stages)]
        for slug, handle in started:
            await operations.until_recorded(handle, slug, partial(_recorded, slug), wait)

    runtime.with_client(work)
    if as_json:
        emit_json({"slug": spec.slug, "plan": plan.model_dump(mode="json"),
                   "stages": [{"slug": s.slug, "region": s.spec["region"]} for s in stages]})
        return
    say(f"Announced [bold]{spec.slug}[/]: {spec.title}")
    say(schedule_table("Schedule", plan.windows))
    if stages:
        say(table(f"{len(stages)} regional stages", ["stage", "region", "collection open"],
                  [(s.slug, " ".join(filter(None, (s.spec["region"], region_name(s.spec["region"])))),
                    describe_deadline(s.plan.window(Phase.COLLECTING).closes_at)) for s in stages]))
    registry = spec.eligibility.registry
    if registry and not read_registry(runtime.services().store, registry):
        say(f"[yellow]Registry {registry} has not been imported[/]: screening checks every "
            f"applicant against it when collection closes; import it with "
            f"`konkurs import registry {registry} FILE` before then")
    if spec.promotion and contest.federal is None:
        say(f"[yellow]Federal stage {spec.promotion.federal} is not announced yet[/]: announce it "
            "before this stage publishes results, or give --federal FILE")


def _recorded(slug: str) -> bool:
    try:
        runtime.services().store.get_contest(slug)
    except UnknownContest:
        return False
    return True


def _federal_stage(
    spec: ContestSpec, federal_file: Path | None, shift: timedelta, signer: operations.Signer
) -> ContestInput | None:
    """What a regional stage needs to start its federal stage: from a file, or the store."""
    if spec.promotion is None:
        if federal_file is not None:
            raise InputFileError(f"--federal: {spec.slug} has no promotion section to use it")
        return None
    if federal_file is not None:
        federal = load_spec(federal_file)
        if federal.slug != spec.promotion.federal:
            raise InputFileError(f"{federal_file}: this is {federal.slug}, but {spec.slug} "
                                 f"promotes to {spec.promotion.federal}")
        return operations.contest_input(federal, federal.phase_plan().shifted(shift), signer)
    try:
        announced = runtime.services().store.get_contest(spec.promotion.federal)
    except UnknownContest:
        return None
    return ContestInput(slug=announced.slug, spec=announced.spec_data, plan=announced.plan,
                        sender=signer.announcement(announced.slug, announced.spec_data, announced.plan))


def extend(
    slug: Slug,
    until: Annotated[str, typer.Option(
        "--until", "--to", metavar="DATE", help="New deadline: a date, 30.06.2023 or 2023-06-30 (the end "
        "of that day, contest time), or a time, 30.06.2023 18:00 or 2023-06-30T18:00 (offset optional)."
    )],
    reason: Reason,
    phase: Annotated[Phase | None, typer.Option(
        parser=open_phase, metavar=PHASE_CHOICES, show_default="the current one",
        help="Phase to extend.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Extend a deadline, e.g. collection from 18 to 30 June. Rejected if it is in the past."""
    closes_at = runtime.parse_moment(until, runtime.services().store.get_contest(slug).spec, "--until")
    signer, wait = runtime.signer(), runtime.settings().worker_wait

    async def work(client: Client) -> ContestState:
        state, _ = await operations.live_state(client, slug, wait)
        request = ExtendDeadline(phase=phase or state.phase, closes_at=closes_at, reason=reason)
        return await operations.send_update(client, slug, ContestWorkflow.extend_deadline, request, signer,
                                            wait)

    _report(runtime.with_client(work), as_json, "Deadline extended")


def close(
    slug: Slug,
    phase: Annotated[Phase, typer.Option(parser=open_phase, metavar=PHASE_CHOICES,
                                         help="The phase to close; must be the current one.")],
    reason: Reason = "",
    force: Annotated[bool, typer.Option(
        "--force", help="Close judging although cards are still open; needs --reason.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Close the current phase now (early close). Naming the phase guards against mistakes.
    Judging with cards still open is refused unless --force and --reason are given."""
    if force and not reason.strip():
        raise KonkursError("--force needs --reason saying why judging closes with cards still open")
    request, signer = ClosePhase(phase=phase, reason=reason, force=force), runtime.signer()
    state = runtime.with_client(
        lambda client: operations.send_update(client, slug, ContestWorkflow.close_phase, request, signer,
                                              runtime.settings().worker_wait)
    )
    _report(state, as_json, f"Closed {phase.value}")


def cancel(slug: Slug, reason: Reason, as_json: JsonFlag = False) -> None:
    """Cancel a contest in any phase. The reason is recorded."""
    signer = runtime.signer()
    state = runtime.with_client(
        lambda client: operations.send_update(
            client, slug, ContestWorkflow.cancel, CancelContest(reason=reason), signer,
            runtime.settings().worker_wait)
    )
    _report(state, as_json, "Cancelled")


def _report(state: ContestState, as_json: bool, what: str) -> None:
    if as_json:
        emit_json(state)
        return
    say(f"{what}: [bold]{state.slug}[/] is now in phase [bold]{state.phase.value}[/]")
    say(schedule_table("Deadlines", state.plan.windows))
