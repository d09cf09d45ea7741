"""The vote over time: counted ballots per interval, read from the log the way the recount reads
them (those recorded before voting closed), in intervals chosen so the chart has a few dozen bars
whether the vote lasted a minute or a month."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from domain.aggregates import Ballot
from domain.rules.anomalies import Anomaly
from services.konkurs import Konkurs
from store.log import topic_of

MOST_BARS = 48
STEPS = (timedelta(seconds=1), timedelta(seconds=10), timedelta(minutes=1), timedelta(minutes=10),
         timedelta(hours=1), timedelta(hours=6), timedelta(days=1), timedelta(days=7))
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Interval:
    start: datetime  # UTC
    ballots: int
    anomalies: tuple[Anomaly, ...]  # the tally's signals for a minute inside this interval


@dataclass(frozen=True)
class Timeline:
    step: timedelta
    intervals: list[Interval]

    @property
    def ballots(self) -> int:
        return sum(interval.ballots for interval in self.intervals)


def vote_timeline(konkurs: Konkurs, slug: str, closed_at: int, anomalies: list[Anomaly]) -> Timeline:
    """Counted ballots of `slug` per interval, every interval from the first to the last shown."""
    moments = [datetime.fromisoformat(state["timestamp"])
               for _, state in konkurs.store.read_states(topic_of(Ballot.Cast), stop=closed_at)
               if state["contest"] == slug]
    return binned(moments, anomalies)


def binned(moments: list[datetime], anomalies: list[Anomaly]) -> Timeline:
    if not moments:
        return Timeline(STEPS[2], [])
    first, last = min(moments), max(moments)
    step = next((s for s in STEPS if (last - first) / s < MOST_BARS), STEPS[-1])
    counts = Counter(_start(moment, step) for moment in moments)
    signals: dict[datetime, list[Anomaly]] = {}
    for anomaly in anomalies:
        minute = datetime.fromisoformat(anomaly.minute).replace(tzinfo=UTC)
        signals.setdefault(_start(minute, step), []).append(anomaly)
    start, end = _start(first, step), _start(last, step)
    intervals = []
    while start <= end:
        intervals.append(Interval(start, counts.get(start, 0), tuple(signals.get(start, ()))))
        start += step
    return Timeline(step, intervals)


def _start(moment: datetime, step: timedelta) -> datetime:
    moment = moment.astimezone(UTC)
    return EPOCH + (moment - EPOCH) // step * step
