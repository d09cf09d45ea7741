"""The dates of a contest, as its spec gives them."""

from __future__ import annotations

from datetime import date, datetime

from domain.spec_base import SpecModel

Moment = datetime | date


class Schedule(SpecModel):
    """Dates are local to the spec's timezone. A bare date for a deadline (`*_closes`) means the
    end of that day; for `announced`, `collection_opens` and `results_published`, its start."""

    announced: Moment
    collection_opens: Moment | None = None
    collection_closes: Moment
    screening_closes: Moment | None = None
    judging_closes: Moment | None = None
    voting_closes: Moment | None = None
    results_published: Moment
