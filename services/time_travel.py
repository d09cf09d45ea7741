"""Time travel: a contest as it stood at a log position or at a moment, for auditors.

The log is the record, so "as it stood" means a prefix of it: everything up to one position.
A moment is turned into a position first (`position_at`); `contest_at` then reads the prefix.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.utils import resolve_topic
from pydantic import Field

from domain.actors import Actor
from domain.aggregates import Ballot, Contest, Judging, Review, Submission
from domain.aggregates.judging import judging_id
from domain.contract import public_name
from domain.errors import KonkursError
from domain.ids import contest_id
from domain.model import Value
from domain.outcomes import ContestResults, NominationRanking
from domain.phases import Phase, PhaseWindow, describe_moment
from services.contest_record import CONTEST_TOPICS
from services.drafts import DRAFT_TOPICS, PendingDrafts
from store.application import StoreApplication
from store.log import collector_paused, topic_of

# How far a later event's timestamp may fall behind an earlier one's. A timestamp is taken when
# an event is made, before its transaction waits for the writer lock and commits, so log order
# is time order only up to that wait: at most the embedded store's 30 s lock timeout, doubled.
SKEW = timedelta(seconds=60)

SUBMITTED, WITHDRAWN = topic_of(Submission.Submitted), topic_of(Submission.Withdrawn)
REVISED, FILED = topic_of(Submission.Revised), topic_of(Submission.Filed)
SCORED, CONCLUDED = topic_of(Review.Scored), topic_of(Judging.Concluded)


class SubmissionCounts(Value):
    submitted: int = Field(description="Submissions filed by then, withdrawn ones included; a draft counts "
                                       "once filed")
    withdrawn: int
    admitted: int | None = Field(description="As screening recorded it; None before it concluded")
    rejected: int | None = Field(description="As screening recorded it; None before it concluded")


class ContestAt(Value):
    slug: str
    position: int = Field(description="The last log position taken into account")
    moment: datetime | None = Field(description="When the event at that position was recorded")
    asked: datetime | None = Field(default=None, description="The moment asked for, if any")
    phase: Phase
    deadlines: list[PhaseWindow] = Field(description="The plan then, extensions so far applied")
    submissions: SubmissionCounts
    expert_cards: int = Field(description="Scorecards recorded; a revised card counts once")
    ballots: int = Field(description="Ballots accepted by then")
    rankings: list[NominationRanking] = Field(description="Each nomination's ranking, once recorded")
    votes: dict[str, dict[str, int]] | None = Field(
        description="nomination → reference → votes, once the vote was tallied")
    results: ContestResults | None = Field(description="The winners, once declared")
    published: bool
    last_change: str | None = Field(default=None, description="The contest's latest event by then")
    last_change_by: Actor | None = Field(default=None, description="Who sent the command behind it")


class TimeTravel:
    """A contest as the log stood at a moment or a position."""

    def __init__(self, store: StoreApplication) -> None:
        self.store = store

    def position_at(self, moment: datetime) -> int:
        """The last position of the longest log prefix recorded at or before `moment` (0: none).

        An event stamped after `moment` did not exist then, and neither did anything recorded
        after it, so the log as it stood ends just before the first such event. Log order is
        (nearly) time order, so a bisection finds that boundary in ~20 one-row reads even under
        a million ballots, where a scan would decode them all; a walk back then catches an event
        that overtook an earlier-stamped one within `SKEW`, and stops at the first event stamped
        `SKEW` before `moment`, since nothing earlier can be stamped after it.
        """
        if moment.tzinfo is None:
            raise KonkursError(f"moment {moment.isoformat()} needs a timezone")
        low, high = 0, self.store.head_position() + 1
        while high - low > 1:
            middle = (low + high) // 2
            found = self.store.reader.at(middle, stop=high - 1)
            if found is None:
                high = middle
            elif self._stamp(found) <= moment:
                low = found.id
            else:
                high = found.id
        return self._walk_back(moment, low)

    def _walk_back(self, moment: datetime, position: int) -> int:
        answer: int | None = position
        for notification in self.store.reader.backwards(position):
            stamp = self._stamp(notification)
            if stamp > moment:
                answer = None  # the answer is the event before this one
            elif answer is None:
                answer = notification.id
            if stamp < moment - SKEW:
                return answer or 0
        return answer or 0

    def contest_as_of(self, slug: str, moment: datetime) -> ContestAt:
        position = self.position_at(moment)
        try:
            found = self.contest_at(slug, position)
        except NotAnnouncedYet:
            raise NotAnnouncedYet(f"contest {slug} was not announced yet at "
                                  f"{describe_moment(moment)} (position {position})") from None
        return found.model_copy(update={"asked": moment})

    def contest_at(self, slug: str, position: int) -> ContestAt:
        """Phase, plan, counts and the rankings known at `position`, from the log prefix alone."""
        spec = self.store.get_contest(slug).spec
        head = self.store.head_position()
        if not 0 <= position <= head:
            raise KonkursError(f"position {position} is outside the log, which ends at {head}")
        moment = self._moment_of(position)
        prefix = _Prefix(slug, {judging_id(slug, n.code): n.code for n in spec.nominations})
        topics = [*CONTEST_TOPICS, *DRAFT_TOPICS, WITHDRAWN, SCORED, CONCLUDED]
        for logged in self.store.read_log(topics, stop=position):
            prefix.take(logged.topic, logged.originator_id, logged.originator_version, logged.state)
        if prefix.version is None:
            when = f" ({moment.isoformat()})" if moment else ""
            raise NotAnnouncedYet(f"contest {slug} was not announced yet at position {position}{when}")
        contest: Contest = self.store.repository.get(contest_id(slug), version=prefix.version)
        known = prefix.rankings | ({r.nomination: r for r in contest.judging.rankings}
                                   if contest.judging else {})
        screening = contest.screening
        return ContestAt(
            slug=slug, position=position, moment=moment, phase=contest.phase,
            deadlines=list(contest.plan.windows),
            submissions=SubmissionCounts(
                submitted=len(prefix.submitted), withdrawn=prefix.withdrawn,
                admitted=screening.admitted if screening else None,
                rejected=sum(screening.rejected.values()) if screening else None),
            expert_cards=len(prefix.cards), ballots=self._ballots(slug, position),
            rankings=[known[n.code] for n in spec.nominations if n.code in known],
            votes=contest.tally.by_submission if contest.tally else None,
            results=contest.results, published=contest.published,
            last_change=public_name(resolve_topic(prefix.last_topic)) if prefix.last_topic else None,
            last_change_by=Actor.model_validate(prefix.last_actor) if prefix.last_actor else None,
        )

    def _ballots(self, slug: str, stop: int) -> int:
        with collector_paused():
            return sum(1 for _, state in self.store.read_states(topic_of(Ballot.Cast), stop=stop)
                       if state["contest"] == slug)

    def _moment_of(self, position: int) -> datetime | None:
        """When the last event at or before `position` was recorded (PostgreSQL leaves gaps)."""
        last = next(self.store.reader.backwards(position), None)
        return None if last is None else self._stamp(last)

    def _stamp(self, notification: Notification) -> datetime:
        state = self.store.mapper.decode_state(notification.state)  # type: ignore[attr-defined]
        return datetime.fromisoformat(state["timestamp"])


class _Prefix:
    """What one pass over a log prefix gathers for one contest."""

    def __init__(self, slug: str, judgings: dict[UUID, str]) -> None:
        self.slug = slug
        self.contest = contest_id(slug)
        self.judgings = judgings
        self.rankings: dict[str, NominationRanking] = {}
        self.version: int | None = None
        self.last_topic: str | None = None
        self.last_actor: dict[str, Any] | None = None
        self.submitted: set[UUID] = set()
        self.drafts = PendingDrafts(slug)
        self.withdrawn = 0
        self.cards: set[UUID] = set()

    def take(self, topic: str, originator: UUID, version: int, state: dict[str, Any]) -> None:
        if topic in CONTEST_TOPICS:
            if originator == self.contest:
                self.version = version
                self.last_topic, self.last_actor = topic, state.get("actor")
        elif topic == CONCLUDED:
            if originator in self.judgings:
                self.rankings[self.judgings[originator]] = NominationRanking.model_validate(
                    state["ranking"])
        elif topic == WITHDRAWN:
            self.withdrawn += originator in self.submitted
        elif topic in (REVISED, FILED):  # these name no contest: the drafts know theirs
            if self.drafts.take(topic, originator, state) is not None:
                self.submitted.add(originator)
        elif state["contest"] != self.slug:
            return
        elif topic == SUBMITTED:
            self.drafts.take(topic, originator, state)
            if not state.get("draft"):
                self.submitted.add(originator)
        else:
            self.cards.add(originator)


class NotAnnouncedYet(KonkursError):
    """Time travel to before a contest's announcement."""
