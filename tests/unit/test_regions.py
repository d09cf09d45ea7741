"""The reference list of the subjects of the Russian Federation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.regions import REGION_CODES, REGIONS, Region, region_by_code


def test_there_are_exactly_89_regions() -> None:
    assert len(REGIONS) == 89
    assert len(REGION_CODES) == 89


def test_region_codes_are_unique_two_digit_strings_in_order() -> None:
    codes = [r.code for r in REGIONS]
    assert len(set(codes)) == len(codes)
    assert all(len(c) == 2 and c.isdigit() for c in codes)
    assert codes == sorted(codes)
    assert frozenset(codes) == REGION_CODES


def test_codes_of_merged_away_regions_are_absent() -> None:
    assert REGION_CODES.isdisjoint({"80", "81", "82", "84", "85", "88"})


def test_codes_run_from_adygea_to_kherson() -> None:
    assert REGIONS[0] == Region(code="01", name="Республика Адыгея")
    assert REGIONS[-1] == Region(code="95", name="Херсонская область")


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("75", "Забайкальский край"),
        ("23", "Краснодарский край"),
        ("42", "Кемеровская область — Кузбасс"),
        ("53", "Новгородская область"),
        ("89", "Ямало-Ненецкий автономный округ"),
        ("91", "Республика Крым"),
        ("92", "Севастополь"),
    ],
)
def test_a_region_is_found_by_its_code(code: str, name: str) -> None:
    region = region_by_code(code)
    assert region is not None
    assert region.name == name


@pytest.mark.parametrize("code", ["00", "80", "96", "5", "", "Москва"])
def test_an_unknown_code_finds_no_region(code: str) -> None:
    assert region_by_code(code) is None


def test_region_names_are_unique_and_nonblank() -> None:
    names = [r.name for r in REGIONS]
    assert all(n.strip() == n and n for n in names)
    assert len(set(names)) == len(names)


def test_a_region_cannot_be_changed() -> None:
    with pytest.raises(ValidationError):
        REGIONS[0].name = "Другое имя"  # type: ignore[misc]
