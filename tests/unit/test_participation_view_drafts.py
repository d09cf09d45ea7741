"""The participation view fed by hand: a draft counts on the local day it is filed, as last
revised, not on the day it was saved."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from domain.aggregates import Contest, Submission
from projections.participation_view import ParticipationView
from store.log import LoggedEvent, topic_of

SLUG = "drafts-by-day"
NOMINATIONS = {"directions": [{"nominations": [{"code": "P-1", "kind": "practice"},
                                                {"code": "I-1", "kind": "initiative"}]}]}


class Feed:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self.view = ParticipationView()
        self.cursor = cursor
        self.position = 0
        self.view.create(cursor)

    def __call__(self, event_class: type, originator: uuid.UUID, timestamp: str, **state: Any) -> None:
        self.position += 1
        self.view.apply(self.cursor, LoggedEvent(self.position, originator, 1, topic_of(event_class),
                                                 {"timestamp": timestamp, **state}))

    def days(self) -> list[tuple[str, str, str, str, int]]:
        return self.cursor.execute(
            "SELECT day, region, municipality, kind, submissions FROM participation_days "
            "WHERE slug = ? ORDER BY day, region", (SLUG,)).fetchall()


@pytest.fixture
def feed() -> Iterator[Feed]:
    connection = sqlite3.connect(":memory:")
    fed = Feed(connection.cursor())
    fed(Contest.Announced, uuid.uuid4(), "2030-03-01T08:00:00+00:00", slug=SLUG,
        spec={**NOMINATIONS, "timezone": "Asia/Novokuznetsk"})
    yield fed
    connection.close()


def entry(region: str, nomination: str = "P-1", municipality: str | None = None) -> dict[str, Any]:
    return {"contest": SLUG, "reference": "R", "title": "Практика", "nomination": nomination,
            "applicant": {"name": "АНО", "kind": "ngo", "region": region, "municipality": municipality}}


def test_a_draft_counts_on_its_filing_day_as_last_revised(feed: Feed) -> None:
    draft, other = uuid.uuid4(), uuid.uuid4()
    feed(Submission.Submitted, other, "2030-03-02T10:00:00+00:00", **entry("53"))
    feed(Submission.Submitted, draft, "2030-03-02T11:00:00+00:00", draft=True, **entry("23"))
    assert feed.days() == [("2030-03-02", "53", "", "practice", 1)]

    revised = entry("42", "I-1", "32000001")
    feed(Submission.Revised, draft, "2030-03-03T09:00:00+00:00", summary="", conditions=[], nominee=None,
         **{k: revised[k] for k in ("nomination", "title", "applicant")})
    assert feed.days() == [("2030-03-02", "53", "", "practice", 1)]

    # 18:30 UTC on 4 March is already 5 March in Novokuznetsk (UTC+7): the contest's day counts.
    feed(Submission.Filed, draft, "2030-03-04T18:30:00+00:00")
    assert feed.days() == [("2030-03-02", "53", "", "practice", 1),
                           ("2030-03-05", "42", "32000001", "initiative", 1)]
    assert feed.cursor.execute("SELECT COUNT(*) FROM participation_drafts").fetchone() == (0,)


def test_events_of_submissions_it_never_saw_as_drafts_change_nothing(feed: Feed) -> None:
    filed = uuid.uuid4()
    feed(Submission.Submitted, filed, "2030-03-02T10:00:00+00:00", **entry("53"))
    feed(Submission.Filed, uuid.uuid4(), "2030-03-02T11:00:00+00:00")
    assert feed.days() == [("2030-03-02", "53", "", "practice", 1)]

