"""The one reader of the log: every way of reading it reads the same events, on the run's store
and on the library's in-memory one, which also takes bulk writes whole or not at all."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from domain.aggregates import Contest, Submission
from domain.errors import DuplicateSubmission
from domain.ids import contest_id
from services.konkurs import Konkurs
from store.log import topic_of
from tests.feeds import collecting, submit

SUBMITTED = topic_of(Submission.Submitted)


@pytest.fixture
def in_memory() -> Iterator[Konkurs]:
    app = Konkurs(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    yield app
    app.close()


def test_every_way_of_reading_the_log_reads_the_same_events(konkurs: Konkurs) -> None:
    reads_agree(konkurs)


def test_every_way_of_reading_the_in_memory_log_reads_the_same_events(in_memory: Konkurs) -> None:
    reads_agree(in_memory)


def reads_agree(konkurs: Konkurs) -> None:
    collecting(konkurs, "alpha")
    submit(konkurs, "alpha", range(5), batch=2)
    reader = konkurs.store.reader
    events = list(reader.events())
    positions = [e.position for e in events]
    assert positions == sorted(positions) and positions[-1] == reader.head()

    rows = [row for page in reader.row_pages(1, size=3) for row in page]
    assert [(row[0], row[2], row[3]) for row in rows] == [
        (e.position, e.originator_version, e.topic) for e in events]
    submitted = [e for e in events if e.topic == SUBMITTED]
    assert list(reader.states(SUBMITTED)) == [(e.position, e.state) for e in submitted]
    assert [at for at, _ in reader.stored_states(SUBMITTED, start=submitted[1].position,
                                                 stop=submitted[3].position, size=2)] == [
        e.position for e in submitted[1:4]]

    assert [n.id for n in reader.backwards(positions[-1], size=2)] == positions[::-1]
    found = reader.at(positions[2])
    assert found is not None and found.id == positions[2]
    assert reader.at(positions[-1] + 1) is None
    assert reader.first_state(contest_id("alpha")) == events[0].state
    assert events[0].topic == topic_of(Contest.Announced)


def test_the_in_memory_store_takes_a_batch_whole_or_not_at_all(in_memory: Konkurs) -> None:
    collecting(in_memory, "alpha")
    submit(in_memory, "alpha", range(3), batch=3)
    head = in_memory.store.head_position()
    with pytest.raises(DuplicateSubmission):
        submit(in_memory, "alpha", [7, 8, 2, 9], batch=4)
    assert in_memory.store.head_position() == head
    submit(in_memory, "alpha", [7, 8], batch=2)
    assert len(list(in_memory.store.read_states(SUBMITTED))) == 5
    assert in_memory.chain.verify() is None
    assert in_memory.time_travel.contest_at("alpha", head).submissions.submitted == 3
