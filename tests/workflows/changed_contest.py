"""The contest workflow as a careless and a careful developer might change it, for replay tests.

Both register under the production name "Contest", so a replay runs them on real histories.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.contest import ContestWorkflow
    from workflows.models import ContestInput, ContestResult

GRACE = timedelta(minutes=5)


@workflow.defn(name="Contest")
class ContestWithUnpatchedTimer(ContestWorkflow):
    """Waits before announcing: old histories announce first, so they cannot replay."""

    @workflow.run
    async def run(self, contest: ContestInput) -> ContestResult:
        await workflow.sleep(GRACE)
        return await super().run(contest)


@workflow.defn(name="Contest")
class ContestWithPatchedTimer(ContestWorkflow):
    """The same wait behind `workflow.patched`: only contests started after the deploy wait."""

    @workflow.run
    async def run(self, contest: ContestInput) -> ContestResult:
        if workflow.patched("grace-before-announcing"):
            await workflow.sleep(GRACE)
        return await super().run(contest)
