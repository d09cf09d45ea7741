"""The command side: an eventsourcing Application that enforces the rules and writes the log."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from functools import cached_property
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    InternalError,
    JSONTranscoder,
    ProgrammingError,
    StoredEvent,
)

from domain.actors import Actor
from domain.aggregates import Contest
from domain.commands.order import CommandResult
from domain.errors import InvalidCommand, KonkursError, UnknownContest
from domain.ids import contest_id
from domain.model import DomainEvent
from domain.phases import Phase
from store.dialect import Dialect, family
from store.log import LoggedEvent, LogReader, topic_of
from store.mapper import PydanticMapper
from store.person_keys import PersonKeys
from store.personal_fields import PersonalFields

OPEN_ATTEMPTS = 10
_KEYS_LOCK = threading.Lock()


class StoreApplication(Application[UUID]):
    """Plumbing shared by the command services: mapping, reading the log, idempotent saves."""

    name = "Konkurs"

    def construct_recorder(self) -> ApplicationRecorder:
        """Open the recorder; on PostgreSQL, again if peers opening at the same moment collide.

        Every process runs the library's `CREATE … IF NOT EXISTS` and `CREATE OR REPLACE
        FUNCTION` on opening, and PostgreSQL refuses concurrent runs of them ("tuple concurrently
        updated", a duplicate key in pg_type), so of N workers or writers started together some
        would fail. A real misconfiguration still fails, after the last attempt.
        """
        for attempt in range(1, OPEN_ATTEMPTS):
            try:
                return super().construct_recorder()
            except (IntegrityError, InternalError, ProgrammingError):
                if family(self.factory) != "postgres":
                    raise
                time.sleep(random.uniform(0.05, 0.25) * attempt)
        return super().construct_recorder()

    def construct_mapper(self) -> PydanticMapper:  # type: ignore[override]
        return PydanticMapper(
            transcoder=JSONTranscoder(),
            compressor=self.factory.compressor(),
            cipher=self.factory.cipher(),
            personal=PersonalFields(lambda: self.person_keys),
        )

    @property
    def person_keys(self) -> PersonKeys:
        """The natural persons' keys, in the store's own database beside the log."""
        with _KEYS_LOCK:
            if "_person_keys" not in self.__dict__:
                self.__dict__["_person_keys"] = PersonKeys(self.dialect)
        return self.__dict__["_person_keys"]  # type: ignore[no-any-return]

    def save(self, *objs: Any, actor: Actor | None = None, **kwargs: Any) -> Any:
        """Save aggregates' pending events, each stamped with the actor whose command wrote it.

        Every write names its actor: a save without one is a programming error, not a default."""
        return super().save(*self.stamped(objs, actor), **kwargs)

    def stamped(self, objs: Iterable[Any], actor: Actor | None) -> list[DomainEvent]:
        """The pending events of `objs` (aggregates or events), carrying `actor`."""
        if actor is None:
            raise TypeError("every write to the log names its actor")
        events: list[DomainEvent] = []
        for obj in objs:
            pending = [obj] if isinstance(obj, DomainEvent) else obj.collect_events()
            events.extend(event.model_copy(update={"actor": actor}) for event in pending)
        # One transaction for the persons' new keys, rather than one as each event is sealed.
        persons = self.mapper.personal.persons(events)  # type: ignore[attr-defined]
        if persons:
            self.person_keys.ensure(persons)
        return events

    def stored(self, objs: Iterable[Any], actor: Actor) -> list[StoredEvent]:
        """Stamped events as stored events, for writers that insert rows themselves. Events
        that record natural persons write their keys: map them before an appending transaction."""
        return [self.mapper.to_stored_event(event) for event in self.stamped(objs, actor)]

    def get_contest(self, slug: str) -> Contest:
        try:
            contest: Contest = self.repository.get(contest_id(slug))
        except AggregateNotFoundError:
            raise UnknownContest(f"no contest {slug!r} has been announced") from None
        return contest

    def open_contest(self, slug: str, phase: Phase | tuple[Phase, ...], what: str) -> Contest:
        """The contest, if it takes `what` now: it is in `phase`, before that phase's deadline."""
        contest = self.get_contest(slug)
        contest.takes(phase, what, datetime.now(UTC))
        return contest

    def existing(self, aggregate_id: UUID) -> Any:
        """The aggregate, or None when the log has none of that id."""
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def save_batch(self, aggregates: list[Any], what: str, actor: Actor) -> int:
        """Save a whole batch or nothing; a concurrent writer's overlap is the caller's to retry."""
        try:
            self.save(*aggregates, actor=actor)
        except IntegrityError:
            raise _recorded_concurrently(what) from None
        return len(aggregates)

    def insert_stored(self, events: Sequence[StoredEvent], what: str) -> None:
        """Insert stored events whole or not at all, as `save_batch` does for aggregates."""
        try:
            self.recorder.insert_events(list(events))
        except IntegrityError:
            raise _recorded_concurrently(what) from None

    @cached_property
    def reader(self) -> LogReader:
        """The one reader of this store's log."""
        return LogReader(self.recorder, self.mapper)  # type: ignore[arg-type]

    @property
    def dialect(self) -> Dialect:
        return self.reader.dialect

    def head_position(self) -> int:
        return self.reader.head()

    def read_log(
        self, topics: Sequence[str] = (), start: int = 1, stop: int | None = None
    ) -> Iterator[LoggedEvent]:
        """Events in log order, decoded to plain JSON state without building models."""
        return self.reader.events(topics, start, stop)

    def read_states(
        self, topic: str, start: int = 1, stop: int | None = None
    ) -> Iterator[tuple[int, dict[str, Any]]]:
        """(position, state) of one topic in log order: the lean read that recounts of
        millions use."""
        return self.reader.states(topic, start, stop)

    def contest_events(
        self, slug: str, event_classes: Iterable[type], stop: int | None = None
    ) -> Iterator[LoggedEvent]:
        topics = [topic_of(c) for c in event_classes]
        for logged in self.read_log(topics, stop=stop):
            if logged.state.get("contest") == slug:
                yield logged

    def phase_closed_at(self, slug: str, phase: Phase) -> int | None:
        """The log position of the event that closed `phase`: the boundary of log order."""
        wanted = contest_id(slug)
        for logged in self.read_log([topic_of(Contest.PhaseChanged)]):
            if logged.originator_id == wanted and logged.state["closed"] == phase:
                return logged.position
        return None

    def closed_at(self, slug: str, phase: Phase) -> int:
        """Like `phase_closed_at`, for a command that needs the phase closed."""
        position = self.phase_closed_at(slug, phase)
        if position is None:
            raise InvalidCommand(f"contest {slug} has not closed {phase} yet")
        return position

    def contest_slugs(self) -> list[str]:
        return [logged.state["slug"] for logged in self.read_log([topic_of(Contest.Announced)])]

    def run_contest_command(
        self, slug: str, command_id: str, actor: Actor, action: Callable[[Contest], Iterable[Any]]
    ) -> CommandResult:
        """Apply `action` once per command id; a retry finds the id recorded and writes nothing.

        `action` changes the contest and returns other aggregates to save in the same
        transaction. `applied` is False when the command had already been applied.
        """
        for _ in range(5):
            contest = self.get_contest(slug)
            if contest.has_applied(command_id):
                return CommandResult(applied=False)
            others = list(action(contest))
            try:
                self.save(contest, *others, actor=actor)
            except IntegrityError:
                continue
            return CommandResult(applied=True)
        raise KonkursError(f"contest {slug} is being changed concurrently; try again")


def _recorded_concurrently(what: str) -> KonkursError:
    return KonkursError(f"some {what} were recorded concurrently by another writer; nothing was "
                        "saved, run the import again")
