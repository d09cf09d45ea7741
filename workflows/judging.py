"""`NominationJudgingWorkflow`: one nomination's judging, a child of the contest's workflow.

It reminds experts with open cards before the deadline, and when the parent says judging has
closed, it records the nomination's ranking.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.contest import ContestActivities
    from domain.actors import SYSTEM
    from domain.commands.judging import ConcludeNomination, RemindExperts
    from workflows.models import PanelInput, PanelResult
    from workflows.steps import act


@workflow.defn(name="NominationJudging")
class NominationJudgingWorkflow:
    @workflow.init
    def __init__(self, panel: PanelInput) -> None:
        self._closes_at = panel.closes_at
        self._closed = False
        self._woken = False

    @workflow.run
    async def run(self, panel: PanelInput) -> PanelResult:
        reminded_for: datetime | None = None
        reminders = 0
        while not self._closed:
            remind_at = self._closes_at - timedelta(days=panel.reminder_days)
            due = panel.reminder_days > 0 and reminded_for != self._closes_at
            if due and workflow.now() >= remind_at:
                await act(ContestActivities.remind_experts, RemindExperts(
                    slug=panel.slug, nomination=panel.nomination, closes_at=self._closes_at,
                    command_id=f"{panel.slug}:remind:{panel.nomination}:{self._closes_at.isoformat()}",
                    actor=SYSTEM))
                reminded_for, reminders = self._closes_at, reminders + 1
                continue
            self._woken = False
            try:
                await workflow.wait_condition(
                    lambda: self._closed or self._woken,
                    timeout=(remind_at - workflow.now()) if due else None,
                )
            except TimeoutError:
                pass
        await act(ContestActivities.conclude_nomination, ConcludeNomination(
            slug=panel.slug, nomination=panel.nomination,
            command_id=f"{panel.slug}:conclude:{panel.nomination}", actor=SYSTEM))
        return PanelResult(nomination=panel.nomination, reminders=reminders)

    @workflow.signal
    def move_deadline(self, closes_at: datetime) -> None:
        self._closes_at = closes_at
        self._woken = True

    @workflow.signal
    def close(self) -> None:
        self._closed = True
