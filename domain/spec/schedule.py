"""The dates of a contest, as its spec gives them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BeforeValidator, Field

from domain.russian_dates import parse_day_or_moment
from domain.spec.base import SpecModel


def _date_or_time(value: object) -> object:
    """A bare date means a whole day, so it must stay a date when a spec comes back from JSON;
    left to itself, pydantic would read "2023-11-03" as midnight, a day early for a deadline.
    Russian `03.11.2023` (and `03.11.2023 18:00`) reads as the ISO forms do."""
    if isinstance(value, str):
        return parse_day_or_moment(value)
    return value


Moment = Annotated[datetime | date, BeforeValidator(_date_or_time)]


class Schedule(SpecModel):
    """Dates are local to the spec's timezone. A bare date for a deadline (`*_closes`) means the
    end of that day; for `announced`, `collection_opens` and `results_published`, its start."""

    announced: Moment
    collection_opens: Moment | None = None
    collection_closes: Moment
    materials_closes: Moment | None = Field(
        default=None, description="The second gate: materials of a submission filed by collection_closes "
        "may be attached until this deadline (a phase of its own, `materials`)")
    screening_closes: Moment | None = None
    judging_closes: Moment | None = None
    voting_closes: Moment | None = None
    results_published: Moment
