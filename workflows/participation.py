"""The participation drive inside the contest workflow: wake at each review moment of collection
and record who lags. A contest without a participation section schedules nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.contest import ContestActivities
    from domain.actors import SYSTEM
    from domain.commands.contest import ReviewParticipation
    from domain.phases import PhasePlan, describe_moment
    from domain.rules.participation import scheduled_reviews
    from domain.spec import ContestSpec
    from workflows.models import ContestInput
    from workflows.steps import act


class ParticipationReviews:
    def __init__(self, contest: ContestInput) -> None:
        self._slug = contest.slug
        drive = contest.spec.get("participation")
        self._spec = None if drive is None else ContestSpec.model_validate(contest.spec)
        self._done: set[datetime] = set()

    def _pending(self, plan: PhasePlan) -> list[datetime]:
        """Moments still to review, as the plan stands: an extension may add some."""
        if self._spec is None:
            return []
        return [m for m in scheduled_reviews(self._spec, plan) if m not in self._done]

    async def review_due(self, plan: PhasePlan) -> list[str]:
        """Review every moment that has come, oldest first; returns what was done, for the steps."""
        done = []
        for moment in self._pending(plan):
            if moment > workflow.now():
                break
            await act(ContestActivities.review_participation, ReviewParticipation(
                slug=self._slug, moment=moment,
                command_id=f"{self._slug}:participation:{moment.isoformat()}", actor=SYSTEM))
            self._done.add(moment)
            done.append(f"participation reviewed at {describe_moment(moment)}")
        return done

    def sleep_until_next(self, plan: PhasePlan, remaining: timedelta) -> timedelta:
        """`remaining`, or less if a review comes first."""
        upcoming = self._pending(plan)
        return min(remaining, upcoming[0] - workflow.now()) if upcoming else remaining
