"""Who may send an Update straight to Temporal: validators refuse an Update without a sender or
from a sender without the right, and the worker refuses a sender this deployment did not sign,
one whose signature was for another command, and one whose token was revoked. Each time nothing
is written and the contest runs on."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from domain.actors import SYSTEM, Actor, Role, Scope, actor_for
from domain.commands.credentials import IssueToken, RevokeToken
from domain.phases import Phase
from konkurs.operations import Signer
from services.konkurs import Konkurs
from services.senders import Senders
from tests.factories import DAY, OPERATOR
from tests.workflows.driving import phase_becomes, update
from tests.workflows.test_federal_stage import federal_with_stages, start
from workflows.contest import ContestWorkflow
from workflows.models import CancelContest, ClosePhase, ExtendDeadline

ZABAIKALSKY = actor_for(Role.REGIONAL_OPERATOR, "zabaikalsky-operator", Scope(region="75"))


async def refused(
    handle: WorkflowHandle[Any, Any], request: Any, method: Any = ContestWorkflow.close_phase
) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await handle.execute_update(method, request)
    cause = failure.value.cause
    return str(getattr(cause, "message", cause))


async def stages_collecting(client: Client, env: WorkflowEnvironment) -> dict[str, WorkflowHandle[Any, Any]]:
    """The federal stage and its regional stages, all collecting: handles by region, '' federal."""
    _, _, federal, stages = await federal_with_stages(env, client)
    handles = {"": await start(client, federal)} | {s.spec["region"]: await start(client, s) for s in stages}
    await env.sleep(DAY)
    for handle in handles.values():
        await phase_becomes(handle, Phase.COLLECTING)
    return handles


async def cancel_all(client: Client, handles: dict[str, WorkflowHandle[Any, Any]]) -> None:
    for handle in handles.values():
        await update(client, handle, ContestWorkflow.cancel, CancelContest(reason="end of test"))


def signed_as(konkurs: Konkurs, actor: Actor, handle: WorkflowHandle[Any, Any], request: Any,
              method: Any = ContestWorkflow.close_phase) -> Any:
    return Signer(konkurs.senders, actor).update(method, handle.id.removeprefix("contest-"), request)


async def test_a_regional_operator_closes_only_their_own_regions_stage(
    client: Client, time_skipping_env: WorkflowEnvironment, konkurs: Konkurs
) -> None:
    handles = await stages_collecting(client, time_skipping_env)
    before = konkurs.store.head_position()
    close = ClosePhase(phase=Phase.COLLECTING, reason="план выполнен")

    other_region = await refused(handles["23"], signed_as(konkurs, ZABAIKALSKY, handles["23"], close))
    federal = await refused(handles[""], signed_as(konkurs, ZABAIKALSKY, handles[""], close))

    assert other_region.startswith("regional operator zabaikalsky-operator (region 75) lacks the right "
                                   "to close collecting in ")
    assert other_region.endswith("a regional operator acts only in the stages of region 75")
    assert "a regional operator acts only in the stages of region 75" in federal
    assert konkurs.store.head_position() == before
    state = await handles["75"].execute_update(
        ContestWorkflow.close_phase, signed_as(konkurs, ZABAIKALSKY, handles["75"], close))
    assert state.phase == Phase.SCREENING
    [closed] = [e for e in konkurs.store.read_log(start=before + 1) if e.state.get("closed") == "collecting"]
    assert closed.state["actor"]["id"] == "zabaikalsky-operator"
    await cancel_all(client, handles)


async def test_an_update_sent_straight_to_temporal_without_a_valid_sender_is_refused(
    client: Client, time_skipping_env: WorkflowEnvironment, konkurs: Konkurs
) -> None:
    handles = await stages_collecting(client, time_skipping_env)
    handle = handles["75"]
    before = konkurs.store.head_position()
    close = ClosePhase(phase=Phase.COLLECTING)
    foreign = Signer(Senders(lambda: b"a key of another deployment", konkurs.credentials), OPERATOR)
    signed = signed_as(konkurs, OPERATOR, handle, close)
    issued = konkurs.credentials.issue(IssueToken(role=Role.FEDERAL_OPERATOR, id="ivanova", actor=OPERATOR))
    ivanova = konkurs.credentials.authenticate(issued.token)
    revoked = signed_as(konkurs, ivanova, handle, close)
    konkurs.credentials.revoke(RevokeToken(token_id=issued.token_id, reason="уволилась", actor=OPERATOR))
    before = konkurs.store.head_position()

    assert "must name the actor who sends it" in await refused(handle, close)
    engine = close.model_copy(update={"sender": signed.sender.model_copy(update={"actor": SYSTEM})})
    assert "cannot be sent as the engine" in await refused(handle, engine)
    forged = foreign.update(ContestWorkflow.close_phase, "x", close)
    assert "was not vouched for by this deployment" in await refused(
        handle, foreign.update(ContestWorkflow.close_phase, handle.id.removeprefix("contest-"), close))
    assert "was not vouched for" in await refused(handle, forged)
    plan = konkurs.store.get_contest(handle.id.removeprefix("contest-")).plan
    other_body = ExtendDeadline(phase=Phase.COLLECTING, closes_at=plan.window(Phase.COLLECTING).closes_at
                                + DAY, reason="продлить", sender=signed.sender)
    assert "was not vouched for" in await refused(handle, other_body, ContestWorkflow.extend_deadline)
    assert "revoked" in await refused(handle, revoked)

    assert konkurs.store.head_position() == before
    assert (await handle.query(ContestWorkflow.state)).phase == Phase.COLLECTING
    await cancel_all(client, handles)
