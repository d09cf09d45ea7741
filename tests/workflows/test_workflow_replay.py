"""`konkurs audit replay-workflows`: a finished contest's histories replay against today's code,
and a workflow change made without `workflow.patched` is caught."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from domain.phases import Phase
from konkurs import replay
from konkurs.cli import run
from tests.factories import DAY, make_spec
from tests.workflows.changed_contest import ContestWithPatchedTimer, ContestWithUnpatchedTimer
from tests.workflows.driving import phase_becomes, signed_input, update
from workflows.contest import ContestWorkflow
from workflows.judging import NominationJudgingWorkflow
from workflows.models import CancelContest

PANELS = ["HC-1", "HC-2"]


async def finished_contest(client: Client, env: WorkflowEnvironment) -> str:
    """A contest that opens its nomination panels and is then cancelled: three histories."""
    slug = f"replay-{uuid.uuid4().hex[:8]}"
    spec = make_spec(await env.get_current_time() + timedelta(hours=1), slug=slug)
    handle = await client.start_workflow(
        ContestWorkflow.run,
        signed_input(client, spec),
        id=f"contest-{slug}",
        task_queue=client.test_queue,  # type: ignore[attr-defined]
    )
    await env.sleep(80 * DAY)
    await phase_becomes(handle, Phase.JUDGING)
    await update(client, handle, ContestWorkflow.cancel, CancelContest(reason="проверка"))
    assert (await handle.result()).final_phase == Phase.CANCELLED
    return slug


@pytest.fixture
async def exported(client: Client, time_skipping_env: WorkflowEnvironment,
                   tmp_path: Path) -> tuple[str, Path]:
    slug = await finished_contest(client, time_skipping_env)
    histories = await replay.fetch_histories(client, [slug])
    replay.export_histories(histories, tmp_path / "histories")
    return slug, tmp_path / "histories"


async def test_a_finished_contest_replays_from_the_server_and_from_exported_files(
    client: Client, exported: tuple[str, Path]
) -> None:
    slug, directory = exported
    contest_id = f"contest-{slug}"
    expected = [contest_id, *(f"{contest_id}-judging-{code}" for code in PANELS)]
    fetched = await replay.fetch_histories(client, [slug])
    assert [h.workflow_id for h in fetched] == expected
    assert sorted(p.name for p in directory.iterdir()) == sorted(f"{i}.json" for i in expected)
    loaded = replay.load_histories(directory)
    assert {h.workflow_id: len(h.events) for h in loaded} == {
        h.workflow_id: len(h.events) for h in fetched}

    for histories in (fetched, loaded):
        outcomes = await replay.replay(histories)
        assert [(o.workflow_id, o.result) for o in outcomes] == [(i, "replays") for i in expected]
        assert all(o.events > 5 for o in outcomes)


async def test_an_unpatched_change_is_caught_and_the_patched_one_replays(
    exported: tuple[str, Path]
) -> None:
    slug, directory = exported
    histories = replay.load_histories(directory)

    careless = await replay.replay(histories, [ContestWithUnpatchedTimer, NominationJudgingWorkflow])
    failed = [o for o in careless if not o.replays]
    assert [(o.workflow_id, o.result) for o in failed] == [(f"contest-{slug}", "non-deterministic")]
    line = failed[0].line()
    assert line.startswith(f"contest-{slug}: non-deterministic: ")
    assert "\n" not in line and "nondetermin" in line.lower()

    careful = await replay.replay(histories, [ContestWithPatchedTimer, NominationJudgingWorkflow])
    assert all(o.replays for o in careful), [o.line() for o in careful]


def test_the_command_replays_exported_histories_offline_and_fails_after_a_careless_change(
    exported: tuple[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    slug, directory = exported
    assert run(["audit", "replay-workflows", "--from", str(directory), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["replayed"] is True
    assert [w["result"] for w in report["workflows"]] == ["replays"] * 3

    monkeypatch.setattr(replay, "WORKFLOWS", [ContestWithUnpatchedTimer, NominationJudgingWorkflow])
    assert run(["audit", "replay-workflows", "--from", str(directory)]) == 1
    captured = capsys.readouterr()
    assert "Workflow replay" in captured.out and "non-deterministic" in captured.out
    errors = captured.err.strip().splitlines()
    assert len(errors) == 1 and f"contest-{slug}: non-deterministic: " in errors[0]


def test_a_directory_without_histories_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["audit", "replay-workflows", "--from", str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip().count("\n") == 0
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    assert run(["audit", "replay-workflows", "--from", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "broken.json: not a Temporal history" in err and err.strip().count("\n") == 0
