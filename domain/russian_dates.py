"""Dates as Russians write and say them: `18.06.2023` in files and on the command line, and
«до 18 июня 2023 г. включительно» in text that officials and citizens read.

A deadline that closes at midnight closes at the end of the day before: the last day to act is
that day, and it is the day shown.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, tzinfo

MONTHS = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)

ACCEPTED_FORMS = "18.06.2023, 18.06.2023 18:00, 2023-06-18 or an ISO time, 2023-06-18T18:00 (offset optional)"

_RUSSIAN = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T,]+(\d{1,2}):(\d{2}))?")


def parse_day_or_moment(text: str) -> date | datetime:
    """A bare date stays a date (the caller decides whether it means the day's start or end);
    a time without an offset stays naive, to be read in the contest's timezone."""
    cleaned = text.strip()
    russian = _RUSSIAN.fullmatch(cleaned)
    try:
        if russian:
            day, month, year, hour, minute = russian.groups()
            if hour is None:
                return date(int(year), int(month), int(day))
            return datetime(int(year), int(month), int(day), int(hour), int(minute))
        if len(cleaned) == len("2023-06-18"):
            return date.fromisoformat(cleaned)
        return datetime.fromisoformat(cleaned)
    except ValueError:
        pass
    raise ValueError(f"not a date or time: {text!r}; write {ACCEPTED_FORMS}")


def is_midnight(moment: datetime) -> bool:
    return (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0)


def last_day(closes_at: datetime) -> date:
    """The last day on which one may still act before a deadline (in `closes_at`'s own zone)."""
    return (closes_at - timedelta(days=1)).date() if is_midnight(closes_at) else closes_at.date()


def russian_date(day: date) -> str:
    """«18 июня 2023 г.»"""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year} г."


def russian_deadline(closes_at: datetime, zone: tzinfo | None = None) -> str:
    """The last day of a deadline, «18 июня 2023 г.», with its time when it is not midnight
    («18 июня 2023 г., 18:00»)."""
    local = closes_at.astimezone(zone) if zone is not None else closes_at
    if is_midnight(local):
        return russian_date(last_day(local))
    return f"{russian_date(local.date())}, {local:%H:%M}"


def russian_until(closes_at: datetime, zone: tzinfo | None = None) -> str:
    """«до 18 июня 2023 г. включительно» for a deadline at the end of that day; one at a time
    of day says up to when: «до 18 июня 2023 г., 18:00»."""
    local = closes_at.astimezone(zone) if zone is not None else closes_at
    if is_midnight(local):
        return f"до {russian_date(last_day(local))} включительно"
    return f"до {russian_deadline(local)}"
