"""Replaying contests' Temporal histories against the current workflow code.

A history records the commands the code issued when it ran; replaying it with today's code shows
whether a deploy would break running contests (a change without `workflow.patched`).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from temporalio.client import Client, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

from domain.errors import InputFileError, KonkursError, UnknownContest
from konkurs.worker import WORKFLOWS

CONTEST_WORKFLOW_TYPE = "Contest"


@dataclass(frozen=True)
class ReplayOutcome:
    workflow_id: str
    events: int
    error: str | None = None
    nondeterministic: bool = False

    @property
    def replays(self) -> bool:
        return self.error is None

    @property
    def result(self) -> str:
        if self.error is None:
            return "replays"
        return "non-deterministic" if self.nondeterministic else "fails"

    def line(self) -> str:
        """One line for an operator: which workflow, and what the current code did differently."""
        return f"{self.workflow_id}: {self.result}: {self.error}"

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "result": self.result}


def contest_workflow_id(slug: str) -> str:
    return f"contest-{slug}"


async def contest_slugs(client: Client) -> list[str]:
    """Every contest the server still keeps a history of, in the order the server lists them."""
    slugs: dict[str, None] = {}
    async for execution in client.list_workflows(f'WorkflowType = "{CONTEST_WORKFLOW_TYPE}"'):
        slugs[execution.id.removeprefix("contest-")] = None
    return list(slugs)


async def fetch_histories(client: Client, slugs: Iterable[str]) -> list[WorkflowHistory]:
    """Each contest's history followed by its nomination panels' (children named in it)."""
    histories = []
    for slug in slugs:
        contest = await _fetch(client, contest_workflow_id(slug), f"contest {slug}")
        histories.append(contest)
        for child_id in child_workflow_ids(contest):
            histories.append(await _fetch(client, child_id, f"panel {child_id}"))
    return histories


def child_workflow_ids(history: WorkflowHistory) -> list[str]:
    return [
        event.child_workflow_execution_started_event_attributes.workflow_execution.workflow_id
        for event in history.events
        if event.HasField("child_workflow_execution_started_event_attributes")
    ]


async def _fetch(client: Client, workflow_id: str, what: str) -> WorkflowHistory:
    try:
        return await client.get_workflow_handle(workflow_id).fetch_history()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            raise UnknownContest(f"{what}: Temporal keeps no history for {workflow_id}") from None
        raise


def export_histories(histories: Sequence[WorkflowHistory], directory: Path) -> list[Path]:
    """One `<workflow id>.json` per history, in the format the Temporal CLI and UI also read."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for history in histories:
        path = directory / f"{history.workflow_id}.json"
        path.write_text(history.to_json() + "\n", encoding="utf-8")
        written.append(path)
    return written


def load_histories(directory: Path) -> list[WorkflowHistory]:
    """Every `*.json` history in a directory, the workflow id taken from the file name."""
    if not directory.is_dir():
        raise InputFileError(f"{directory}: no such directory of exported histories")
    paths = sorted(directory.glob("*.json"), key=lambda path: path.stem)
    if not paths:
        raise InputFileError(f"{directory}: no *.json histories to replay")
    return [_load(path) for path in paths]


def _load(path: Path) -> WorkflowHistory:
    try:
        history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
    except (ValueError, json.JSONDecodeError, KeyError) as error:
        detail = " ".join(str(error).split())
        raise InputFileError(f"{path}: not a Temporal history: {detail}") from None
    if not history.events:
        raise InputFileError(f"{path}: the history has no events")
    return history


async def replay(
    histories: Sequence[WorkflowHistory], workflows: Sequence[type] | None = None
) -> list[ReplayOutcome]:
    """Replay every history against `workflows` (the worker's), collecting every failure."""
    if not histories:
        raise KonkursError("no workflow histories to replay")
    replayer = Replayer(workflows=workflows or WORKFLOWS, data_converter=pydantic_data_converter)
    outcomes = []
    async with replayer.workflow_replay_iterator(_each(histories)) as results:
        async for result in results:
            failure = result.replay_failure
            outcomes.append(ReplayOutcome(
                workflow_id=result.history.workflow_id,
                events=len(result.history.events),
                error=" ".join(str(failure).split()) if failure else None,
                nondeterministic=isinstance(failure, NondeterminismError),
            ))
    return outcomes


async def _each(histories: Sequence[WorkflowHistory]) -> AsyncIterator[WorkflowHistory]:
    for history in histories:
        yield history
