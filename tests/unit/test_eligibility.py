"""Eligibility rules from data: registry membership on the day of submission, the region of a
regional stage, and the age limits of personal nominations."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from domain.aggregates import Applicant, RegistryRow
from domain.aggregates.registry import inn_check_problem
from domain.rules.eligibility import Ineligibility, Membership, ineligibility, submission_day
from domain.spec import ContestSpec
from tests.factories import spec_data

START = datetime(2030, 1, 1, tzinfo=UTC)
INN = "7536796700"  # valid check digit
DAY = date(2030, 2, 14)


def spec(**changes: Any) -> ContestSpec:
    data = spec_data(START)
    data["eligibility"] = {"applicant_kinds": ["ngo", "state_institution"]}
    data["directions"][0]["nominations"].append(
        {"code": "YOUNG", "title": "Молодой специалист", "kind": "person", "max_age": 35})
    data["directions"][0]["nominations"].append(
        {"code": "ADULT", "title": "Наставник", "kind": "person", "min_age": 18, "max_age": 70})
    for key, value in changes.items():
        if key in ("registry", "regions"):
            data["eligibility"][key] = value
        else:
            data[key] = value
    return ContestSpec.model_validate(data)


def applicant(**fields: Any) -> Applicant:
    return Applicant.model_validate({"name": "АНО «Забота»", "kind": "ngo", "region": "75", "inn": INN,
                                     **fields})


def in_registry(entered: date, removed: date | None = None) -> dict[str, Membership]:
    return {INN: Membership(entered, removed)}


# Registry membership on the day of submission


@pytest.mark.parametrize(("entered", "removed", "admitted"), [
    (date(2030, 2, 14), None, True),                # entered that very day
    (date(2030, 2, 15), None, False),               # entered the day after
    (date(2020, 1, 1), date(2030, 2, 15), True),    # removed the day after
    (date(2020, 1, 1), date(2030, 2, 14), False),   # removed that very day
    (date(2020, 1, 1), date(2030, 2, 13), False),
])
def test_a_member_counts_from_the_day_entered_up_to_but_not_including_the_day_removed(
    entered: date, removed: date | None, admitted: bool
) -> None:
    found = ineligibility(spec(registry="providers"), "HC-1", applicant(), DAY,
                          in_registry(entered, removed))
    expected = None if admitted else Ineligibility("not in registry", "not in registry on 2030-02-14")
    assert found == expected


def test_an_organisation_absent_from_the_registry_is_not_in_it_on_the_day_it_submitted() -> None:
    found = ineligibility(spec(registry="providers"), "HC-1", applicant(), DAY, {})
    assert found == ("not in registry", "not in registry on 2030-02-14")


def test_rejections_on_different_days_share_one_kind_to_count_by() -> None:
    days = [date(2030, 2, 1), date(2030, 2, 28)]
    found = [ineligibility(spec(registry="providers"), "HC-1", applicant(), day, {}) for day in days]
    assert {f.kind for f in found if f} == {"not in registry"}
    assert [f.reason for f in found if f] == ["not in registry on 2030-02-01",
                                              "not in registry on 2030-02-28"]


def test_an_applicant_without_an_inn_cannot_be_looked_up_and_is_told_so() -> None:
    found = ineligibility(spec(registry="providers"), "HC-1", applicant(inn=None), DAY,
                          in_registry(date(2020, 1, 1)))
    assert found == ("no INN", "no INN to look up in registry providers")


def test_without_a_registry_rule_the_inn_is_not_looked_up() -> None:
    assert ineligibility(spec(), "HC-1", applicant(inn=None)) is None


def test_a_registry_rule_without_the_registry_is_a_programming_error_not_an_admission() -> None:
    with pytest.raises(ValueError, match="registry"):
        ineligibility(spec(registry="providers"), "HC-1", applicant())


@pytest.mark.parametrize(("recorded_at", "day"), [
    (datetime(2025, 2, 28, 14, 59, 59, tzinfo=UTC), date(2025, 2, 28)),
    (datetime(2025, 2, 28, 15, 0, tzinfo=UTC), date(2025, 3, 1)),  # midnight in Chita, UTC+9
])
def test_the_day_of_submission_is_the_calendar_day_in_the_contests_timezone(
    recorded_at: datetime, day: date
) -> None:
    assert submission_day(recorded_at, "Asia/Chita") == day


# Region of a regional stage


def regional(**changes: Any) -> ContestSpec:
    return spec(level="regional", region="75", **changes)


def test_a_regional_stage_admits_only_its_own_region() -> None:
    assert ineligibility(regional(), "HC-1", applicant(region="75")) is None
    found = ineligibility(regional(), "HC-1", applicant(region="03"))
    assert found == ("region outside the contest", "region 03 outside the contest")


def test_a_regional_stage_that_lists_regions_admits_those_instead() -> None:
    neighbours = regional(regions=["75", "03"])
    assert ineligibility(neighbours, "HC-1", applicant(region="03")) is None
    assert ineligibility(neighbours, "HC-1", applicant(region="38")) is not None


def test_a_federal_contest_admits_every_region() -> None:
    assert ineligibility(spec(), "HC-1", applicant(region="03")) is None


# Age limits of personal nominations


@pytest.mark.parametrize(("nomination", "age", "expected"), [
    ("YOUNG", 35, None),
    ("YOUNG", 36, ("above the maximum age", "age 36 above the maximum 35 of nomination YOUNG")),
    ("ADULT", 18, None),
    ("ADULT", 17, ("below the minimum age", "age 17 below the minimum 18 of nomination ADULT")),
    ("ADULT", 70, None),
    ("ADULT", 71, ("above the maximum age", "age 71 above the maximum 70 of nomination ADULT")),
    ("HC-1", 99, None),  # a practice has no age limit
])
def test_age_limits_are_inclusive_and_the_reason_names_the_age_and_the_limit(
    nomination: str, age: int, expected: tuple[str, str] | None
) -> None:
    assert ineligibility(spec(), nomination, applicant(age=age)) == expected


@pytest.mark.parametrize(("nomination", "span"), [("YOUNG", "up to 35"), ("ADULT", "18 to 70")])
def test_a_nomination_with_an_age_limit_needs_the_age(nomination: str, span: str) -> None:
    found = ineligibility(spec(), nomination, applicant())
    assert found == ("age not given", f"no age given for nomination {nomination}, which admits ages {span}")


def test_the_registry_is_checked_before_the_age() -> None:
    found = ineligibility(spec(registry="providers"), "YOUNG", applicant(age=40), DAY, {})
    assert found is not None and found.kind == "not in registry"


# Registry rows as operators' files give them


def row(**fields: Any) -> RegistryRow:
    return RegistryRow.model_validate({"inn": INN, "name": "ГУСО «Ингода»", "region": "75",
                                       "entered_on": "2020-01-15", **fields})


@pytest.mark.parametrize("inn", ["7707083893", "500100732259", "0323360040"])
def test_valid_inns_pass_their_check_digits(inn: str) -> None:
    assert inn_check_problem(inn) is None


@pytest.mark.parametrize("inn", ["7707083894", "500100732250", "500100732269", "77070838", "77O7083893"])
def test_a_typo_in_an_inn_is_caught(inn: str) -> None:
    assert inn_check_problem(inn) is not None


def test_dates_may_be_iso_or_russian_and_an_empty_removal_is_none() -> None:
    assert row(entered_on="15.01.2020", removed_on="") == row(entered_on="2020-01-15")
    assert row(removed_on="01.03.2025").removed_on == date(2025, 3, 1)


def test_a_leading_zero_excel_dropped_from_an_inn_is_put_back() -> None:
    assert row(inn="323360040", region="3").inn == "0323360040"
    assert row(inn="323360040", region="3").region == "03"


@pytest.mark.parametrize(("fields", "message"), [
    ({"inn": "7536796701"}, "wrong check digit"),
    ({"region": "99"}, "unknown region code '99'"),
    ({"entered_on": "31.02.2020"}, "not a date: '31.02.2020'"),
    ({"removed_on": "2020-01-15"}, "removed_on 2020-01-15 is not after entered_on 2020-01-15"),
])
def test_a_bad_row_is_refused_with_what_is_wrong(fields: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        row(**fields)
