"""The contest: a phase machine whose every step is an event carrying its command id."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.domain import event

from domain.access import Stage, require_operator
from domain.actors import Actor
from domain.errors import InvalidCommand, PhaseClosed, PromotionConflict
from domain.ids import contest_id
from domain.model import Aggregate
from domain.outcomes import ContestResults, JudgingOutcome, ScreeningOutcome, Seal, VoteTally
from domain.phases import TERMINAL_PHASES, Phase, PhasePlan, describe_moment
from domain.rules.participation import MunicipalityList, RegionStanding
from domain.spec import ContestSpec


class Contest(Aggregate):
    if TYPE_CHECKING:  # the @event decorators below create these classes
        Announced: ClassVar[type[Aggregate.Event]]
        PhaseChanged: ClassVar[type[Aggregate.Event]]
        DeadlineExtended: ClassVar[type[Aggregate.Event]]
        Cancelled: ClassVar[type[Aggregate.Event]]
        ScreeningConcluded: ClassVar[type[Aggregate.Event]]
        JudgingConcluded: ClassVar[type[Aggregate.Event]]
        VotesTallied: ClassVar[type[Aggregate.Event]]
        ResultsDeclared: ClassVar[type[Aggregate.Event]]
        PromotionReceived: ClassVar[type[Aggregate.Event]]
        Promoted: ClassVar[type[Aggregate.Event]]
        PromotionRefused: ClassVar[type[Aggregate.Event]]

    @event("Announced")
    def __init__(
        self, slug: str, spec: dict[str, Any], fingerprint: str, plan: PhasePlan, command_id: str
    ) -> None:
        self.slug = slug
        self.spec_data = spec
        self.fingerprint = fingerprint
        self.plan = plan
        self.phase = Phase.ANNOUNCED
        self.commands = {command_id}
        self.screening: ScreeningOutcome | None = None
        self.judging: JudgingOutcome | None = None
        self.tally: VoteTally | None = None
        self.results: ContestResults | None = None
        self.published = False
        self.promotions: dict[str, list[str]] = {}  # a federal stage's: regional stage → references
        self.promoting_stages: dict[str, str] = {}  # a federal stage's: region → the stage that promoted

    @staticmethod
    def create_id(slug: str, **_: Any) -> Any:
        return contest_id(slug)

    @property
    def spec(self) -> ContestSpec:
        return ContestSpec.model_validate(self.spec_data)

    @property
    def is_over(self) -> bool:
        return self.phase in TERMINAL_PHASES

    def has_applied(self, command_id: str) -> bool:
        return command_id in self.commands

    def change_phase(self, closed: Phase, cause: str, reason: str, command_id: str) -> None:
        self.check_still_running()
        if closed != self.phase:
            raise InvalidCommand(
                f"contest {self.slug} is in phase {self.phase}, not {closed}; nothing closed"
            )
        self._phase_changed(
            closed=closed, opened=self.plan.next_phase(closed), cause=cause, reason=reason,
            command_id=command_id,
        )

    @event("PhaseChanged")
    def _phase_changed(
        self, closed: Phase, opened: Phase, cause: str, reason: str, command_id: str
    ) -> None:
        self.phase = opened
        self.commands.add(command_id)

    def extend_deadline(
        self, phase: Phase, closes_at: datetime, reason: str, command_id: str
    ) -> None:
        self.check_still_running()
        previous = self.plan.window(phase).closes_at
        self._deadline_extended(
            phase=phase, previous=previous, closes_at=closes_at, reason=reason,
            command_id=command_id,
        )

    @event("DeadlineExtended")
    def _deadline_extended(
        self, phase: Phase, previous: datetime, closes_at: datetime, reason: str, command_id: str
    ) -> None:
        self.plan = self.plan.with_deadline(phase, closes_at)
        self.commands.add(command_id)

    def cancel(self, reason: str, command_id: str) -> None:
        self.check_still_running()
        self._cancelled(in_phase=self.phase, reason=reason, command_id=command_id)

    @event("Cancelled")
    def _cancelled(self, in_phase: Phase, reason: str, command_id: str) -> None:
        self.phase = Phase.CANCELLED
        self.commands.add(command_id)

    @event("ScreeningConcluded")
    def conclude_screening(self, outcome: ScreeningOutcome, command_id: str) -> None:
        self.screening = outcome
        self.commands.add(command_id)

    @event("JudgingConcluded")
    def conclude_judging(self, outcome: JudgingOutcome, command_id: str) -> None:
        self.judging = outcome
        self.commands.add(command_id)

    @event("VotesTallied")
    def record_tally(self, tally: VoteTally, command_id: str) -> None:
        self.tally = tally
        self.commands.add(command_id)

    def declare_results(self, results: ContestResults, command_id: str) -> None:
        if self.published:
            raise InvalidCommand(f"results of {self.slug} are published and can no longer change")
        self._results_declared(results=results, command_id=command_id)

    @event("ResultsDeclared")
    def _results_declared(self, results: ContestResults, command_id: str) -> None:
        self.results = results
        self.commands.add(command_id)

    def publish_results(self, command_id: str, seal: Seal | None = None) -> None:
        if self.results is None:
            raise InvalidCommand(f"contest {self.slug} has no declared results to publish")
        if self.published:
            raise InvalidCommand(f"results of {self.slug} are already published")
        self._results_published(command_id=command_id, seal=seal)

    class ResultsPublished(Aggregate.Event):
        """v2 records the seal: the chain head and rule versions at publication."""

        class_version: ClassVar[int] = 2
        command_id: str
        seal: Seal | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["seal"] = None

    @event(ResultsPublished)
    def _results_published(self, command_id: str, seal: Seal | None) -> None:
        self.published = True
        self.commands.add(command_id)

    def receive_promotion(
        self, stage: str, region: str | None, references: list[str], command_id: str
    ) -> None:
        """A federal stage takes a regional stage's winners while it collects submissions."""
        self.check_phase(Phase.COLLECTING, f"a promotion from {stage}")
        if stage in self.promotions:
            self.promotion_taken(stage, references)
            raise PromotionConflict(f"promotion from {stage} refused: federal stage {self.slug} "
                                    f"already took these entries from {stage}")
        other = self.promoting_stages.get(region) if region else None
        if other is not None:
            raise PromotionConflict(
                f"promotion from {stage} refused: federal stage {self.slug} already took the winners "
                f"of region {region} from {other}; one regional stage per region promotes")
        self._promotion_received(stage=stage, region=region, references=references,
                                 command_id=command_id)

    def promotion_taken(self, stage: str, references: list[str]) -> bool:
        """Whether these very entries were taken from `stage` already. One regional stage
        promotes once: other entries from a stage already taken are refused, naming both."""
        taken = self.promotions.get(stage)
        if taken is None:
            return False
        if sorted(taken) != sorted(references):
            raise PromotionConflict(
                f"promotion from {stage} refused: federal stage {self.slug} already took "
                f"{_entries(taken)} from {stage} ({', '.join(taken)}); this promotion names "
                f"{', '.join(references) or 'nothing'}")
        return True

    @event("PromotionReceived")
    def _promotion_received(
        self, stage: str, region: str | None, references: list[str], command_id: str
    ) -> None:
        self.promotions[stage] = references
        if region:
            self.promoting_stages[region] = stage
        self.commands.add(command_id)

    @event("Promoted")
    def record_promotion(self, federal: str, references: list[str], command_id: str) -> None:
        """A regional stage's winners were taken by its federal stage."""
        self.commands.add(command_id)

    @event("PromotionRefused")
    def record_promotion_refused(self, federal: str, reason: str, command_id: str) -> None:
        self.commands.add(command_id)

    class ParticipationReviewed(Aggregate.Event):
        """`missing_reports` came later: a review stored before it reads with None."""

        moment: datetime
        counted_to: int
        report_by: datetime | None
        submissions: int
        laggards: list[RegionStanding]
        command_id: str
        missing_reports: list[MunicipalityList] | None = None

    @event(ParticipationReviewed)
    def record_participation_review(
        self, moment: datetime, counted_to: int, report_by: datetime | None, submissions: int,
        laggards: list[RegionStanding], command_id: str,
        missing_reports: list[MunicipalityList] | None = None,
    ) -> None:
        """The participation drive's scheduled check: the regions below target, for mailers; after
        `report_by`, the municipalities asked to report whose reports are still missing."""
        self.commands.add(command_id)

    def require_operator(self, actor: Actor, right: str) -> None:
        """Refuse `actor` unless it may operate this contest; see `domain.access`."""
        require_operator(actor, Stage.of(self.spec), right)

    def check_still_running(self) -> None:
        if self.is_over:
            raise InvalidCommand(f"contest {self.slug} is already {self.phase}")

    def takes(self, phase: Phase | tuple[Phase, ...], what: str, now: datetime) -> None:
        """Refuse `what` unless the contest is in `phase` (or one of several, in order) and the
        last such phase's deadline, as the log has it (with its extensions), has not passed: a
        close not yet recorded, because the worker was down at the deadline, extends nothing."""
        named = phase if isinstance(phase, tuple) else (phase,)
        phases = [p for p in named if p in self.plan.phases] or list(named)
        if self.phase not in phases:
            raise PhaseClosed(
                f"contest {self.slug} takes no {what} now: it is in phase {self.phase}, "
                f"{what} are taken while {' or '.join(phases)}"
            )
        if self.deadline_passed(phases[-1], now):
            deadline = self.plan.window(phases[-1]).closes_at
            raise PhaseClosed(f"contest {self.slug} takes no {what} now: {phases[-1]} closed at its "
                              f"deadline, {describe_moment(deadline)}")

    def deadline_passed(self, phase: Phase, now: datetime) -> bool:
        return now >= self.plan.window(phase).closes_at

    def check_phase(self, phase: Phase, action: str) -> None:
        if self.phase != phase:
            raise InvalidCommand(
                f"{action} needs contest {self.slug} in phase {phase}, but it is {self.phase}"
            )


def _entries(references: list[str]) -> str:
    return f"{len(references)} entr{'y' if len(references) == 1 else 'ies'}"
