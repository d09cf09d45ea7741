"""One contest's own events as the log holds them: what an auditor recomputes against."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.aggregates import Contest
from domain.contract import aggregate_events
from domain.errors import UnknownContest
from domain.ids import contest_id
from domain.outcomes import ContestResults, JudgingOutcome, ScreeningOutcome, Seal, VoteTally
from domain.phases import Phase
from domain.spec import ContestSpec
from store.application import StoreApplication
from store.log import LoggedEvent, topic_of


@dataclass(frozen=True)
class ContestRecord:
    slug: str
    events: list[LoggedEvent]

    @property
    def announced(self) -> LoggedEvent:
        return self.events[0]

    @property
    def spec(self) -> ContestSpec:
        """The spec in force: the one announced (a contest's spec does not change after)."""
        return ContestSpec.model_validate(self.announced.state["spec"])

    def of(self, event_class: type) -> list[LoggedEvent]:
        topic = topic_of(event_class)
        return [e for e in self.events if e.topic == topic]

    def last(self, event_class: type) -> LoggedEvent | None:
        found = self.of(event_class)
        return found[-1] if found else None

    def closed_at(self, phase: Phase) -> int | None:
        """The position of the event that closed `phase`, recomputed from the phase changes."""
        return next((e.position for e in self.of(Contest.PhaseChanged) if e.state["closed"] == phase), None)

    def screening(self) -> tuple[LoggedEvent, ScreeningOutcome] | None:
        return self._outcome(Contest.ScreeningConcluded, "outcome", ScreeningOutcome)

    def judging(self) -> tuple[LoggedEvent, JudgingOutcome] | None:
        return self._outcome(Contest.JudgingConcluded, "outcome", JudgingOutcome)

    def tally(self) -> tuple[LoggedEvent, VoteTally] | None:
        return self._outcome(Contest.VotesTallied, "tally", VoteTally)

    def declarations(self) -> list[tuple[LoggedEvent, ContestResults]]:
        return [(e, ContestResults.model_validate(e.state["results"]))
                for e in self.of(Contest.ResultsDeclared)]

    def seals(self) -> list[tuple[LoggedEvent, Seal | None]]:
        """Every results event with the seal it recorded (None before seals were recorded)."""
        found = []
        for event in self.events:
            if event.topic == _PUBLISHED:
                seal = event.state.get("seal")
            elif event.topic in _OUTCOME_FIELDS:
                seal = event.state[_OUTCOME_FIELDS[event.topic]].get("seal")
            else:
                continue
            found.append((event, None if seal is None else Seal.model_validate(seal)))
        return found

    def _outcome(self, event_class: type, field: str, model: type[Any]) -> tuple[LoggedEvent, Any] | None:
        event = self.last(event_class)
        return None if event is None else (event, model.model_validate(event.state[field]))


_OUTCOME_FIELDS = {
    topic_of(Contest.ScreeningConcluded): "outcome", topic_of(Contest.JudgingConcluded): "outcome",
    topic_of(Contest.VotesTallied): "tally", topic_of(Contest.ResultsDeclared): "results",
}
_PUBLISHED = topic_of(Contest.ResultsPublished)


CONTEST_TOPICS = frozenset(topic_of(c) for c in aggregate_events(Contest))


def read_contest_record(app: StoreApplication, slug: str) -> ContestRecord:
    wanted = contest_id(slug)
    events = [e for e in app.read_log(sorted(CONTEST_TOPICS)) if e.originator_id == wanted]
    if not events:
        raise UnknownContest(f"no contest {slug!r} has been announced")
    return ContestRecord(slug, events)
