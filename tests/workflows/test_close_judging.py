"""Closing judging early while cards are still open: refused in one line naming the open cards
per nomination, unless forced with a reason, which the log then records."""

from __future__ import annotations

import pytest
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from domain.aggregates import Contest
from domain.commands.intake import Submit
from domain.commands.judging import EnrollExperts
from domain.phases import Phase
from services.konkurs import Konkurs
from store.log import topic_of
from tests.factories import DAY, OPERATOR, expert_panel
from tests.workflows.driving import phase_becomes, update
from tests.workflows.test_contest_workflow import collecting, submissions
from workflows.contest import ContestWorkflow
from workflows.models import CancelContest, ClosePhase


async def test_judging_with_open_cards_closes_only_when_forced_with_a_reason(
    client: Client, time_skipping_env: WorkflowEnvironment, konkurs: Konkurs
) -> None:
    env = time_skipping_env
    handle, slug = await collecting(client, env)
    konkurs.submissions.submit(Submit(slug=slug, forms=submissions(3), actor=OPERATOR))
    konkurs.judging.enroll_experts(EnrollExperts(slug=slug, profiles=expert_panel(3), actor=OPERATOR))
    await env.sleep(80 * DAY)
    await phase_becomes(handle, Phase.JUDGING)
    before = konkurs.store.head_position()

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await update(client, handle, ContestWorkflow.close_phase, ClosePhase(phase=Phase.JUDGING))
    line = str(refused.value.cause)
    assert "cards are still open (HC-1: " in line and "HC-2: " in line and "--force --reason" in line
    with pytest.raises(WorkflowUpdateFailedError) as unexplained:
        await update(client, handle, ContestWorkflow.close_phase,
                     ClosePhase(phase=Phase.JUDGING, force=True))
    assert "needs a reason" in str(unexplained.value.cause)
    assert konkurs.store.head_position() == before
    assert (await handle.query(ContestWorkflow.state)).phase == Phase.JUDGING

    state = await update(client, handle, ContestWorkflow.close_phase,
                         ClosePhase(phase=Phase.JUDGING, force=True, reason="эксперты не ответили"))
    assert state.phase != Phase.JUDGING
    closed = [e.state for e in konkurs.store.read_log([topic_of(Contest.PhaseChanged)])
              if e.state["closed"] == Phase.JUDGING]
    assert [(c["cause"], c["reason"]) for c in closed] == [("operator", "эксперты не ответили")]
    await update(client, handle, ContestWorkflow.cancel, CancelContest(reason="end of test"))
