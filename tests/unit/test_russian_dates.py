"""Dates as Russians write them, read alongside ISO; deadlines shown as the last day they admit."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from domain.errors import InvalidCommand
from domain.phases import Phase, PhasePlan, PhaseWindow, check_extension, describe_deadline, describe_moment
from domain.russian_dates import parse_day_or_moment, russian_date, russian_deadline, russian_until
from domain.spec.schedule import Schedule

MOSCOW = ZoneInfo("Europe/Moscow")


@pytest.mark.parametrize(("text", "expected"), [
    ("18.06.2023", date(2023, 6, 18)),
    ("1.6.2023", date(2023, 6, 1)),
    (" 2023-06-18 ", date(2023, 6, 18)),
    ("18.06.2023 18:00", datetime(2023, 6, 18, 18, 0)),
    ("2023-06-18T18:00", datetime(2023, 6, 18, 18, 0)),
    ("2023-06-18T18:00+03:00", datetime(2023, 6, 18, 15, 0, tzinfo=ZoneInfo("UTC"))),
])
def test_russian_and_iso_forms_read_alike_and_a_bare_date_stays_a_date(text: str, expected: object) -> None:
    parsed = parse_day_or_moment(text)
    assert parsed == expected and type(parsed) is type(expected)


@pytest.mark.parametrize("text", ["30.02.2023", "18/06/2023", "завтра", "2023-13-01", "18.06.23"])
def test_a_wrong_date_names_the_value_and_the_accepted_forms(text: str) -> None:
    forms = re.escape("write 18.06.2023, 18.06.2023 18:00, 2023-06-18")
    with pytest.raises(ValueError, match=forms) as raised:
        parse_day_or_moment(text)
    assert repr(text) in str(raised.value)


def test_a_spec_schedule_takes_russian_dates_with_the_same_meaning_as_iso() -> None:
    russian = Schedule.model_validate({"announced": "25.09.2023", "collection_closes": "03.11.2023 18:00",
                                       "results_published": "15.12.2023"})
    iso = Schedule.model_validate({"announced": "2023-09-25", "collection_closes": "2023-11-03T18:00",
                                   "results_published": "2023-12-15"})
    assert russian == iso
    assert russian.announced == date(2023, 9, 25)  # a bare date stays a whole day
    with pytest.raises(ValidationError, match=re.escape("not a date or time: '31.11.2023'")):
        Schedule.model_validate({"announced": "31.11.2023", "collection_closes": "2023-11-03",
                                 "results_published": "2023-12-15"})


def test_russian_text_shows_the_last_day_of_a_deadline() -> None:
    end_of_18_june = datetime(2023, 6, 19, tzinfo=MOSCOW)
    assert russian_date(date(2023, 6, 18)) == "18 июня 2023 г."
    assert russian_until(end_of_18_june) == "до 18 июня 2023 г. включительно"
    assert russian_deadline(end_of_18_june) == "18 июня 2023 г."
    # The same moment kept in UTC (as a plan is after JSON) is read in the contest's zone.
    in_utc = end_of_18_june.astimezone(ZoneInfo("UTC"))
    assert russian_until(in_utc, MOSCOW) == "до 18 июня 2023 г. включительно"
    assert russian_until(datetime(2023, 11, 3, 18, tzinfo=MOSCOW)) == "до 3 ноября 2023 г., 18:00"


def test_operators_see_a_midnight_deadline_as_the_day_it_admits_not_24_00_of_the_day_before() -> None:
    midnight = datetime(2023, 6, 19, tzinfo=MOSCOW)
    assert describe_deadline(midnight) == "until 18.06.2023 inclusive (24:00 UTC+3)"
    assert describe_deadline(datetime(2023, 6, 18, 18, tzinfo=MOSCOW)) == "until 18.06.2023 18:00 UTC+3"
    assert describe_moment(datetime(2023, 6, 18, 18, 5, tzinfo=MOSCOW)) == "18.06.2023 18:05 UTC+3"
    new_year = datetime(2000, 1, 1, tzinfo=ZoneInfo("UTC"))
    assert describe_moment(new_year) == "the end of 31.12.1999 (24:00 UTC)"
    assert describe_moment(datetime(2023, 6, 18, 12, tzinfo=ZoneInfo("Asia/Kolkata"))).endswith("UTC+5:30")


def test_a_refused_extension_shows_both_deadlines_as_days() -> None:
    plan = PhasePlan(windows=(
        PhaseWindow(phase=Phase.COLLECTING, closes_at=datetime(2023, 6, 19, tzinfo=MOSCOW)),
        PhaseWindow(phase=Phase.RESULTS, closes_at=datetime(2023, 7, 1, tzinfo=MOSCOW)),
    ))
    refusal = ("new deadline (until 10.06.2023 inclusive (24:00 UTC+3)) is not after the current one "
               "(until 18.06.2023 inclusive (24:00 UTC+3))")
    with pytest.raises(InvalidCommand, match=re.escape(refusal)):
        check_extension(plan, Phase.COLLECTING, Phase.COLLECTING, datetime(2023, 6, 11, tzinfo=MOSCOW))
