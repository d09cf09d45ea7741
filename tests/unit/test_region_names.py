"""Regions as operators write them, and the time zone each region keeps."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from domain.regions import REGIONS, region_code_of, region_timezone


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Республика Татарстан", "16"),
        ("Татарстан", "16"),
        ("  республика   ТАТАРСТАН ", "16"),
        ("Респ. Татарстан", "16"),
        ("Башкирия", "02"),
        ("Москва", "77"),
        ("г. Москва", "77"),
        ("г.Москва", "77"),
        ("Забайкальский край", "75"),
        ("Кузбасс", "42"),
        ("Кемеровская область - Кузбасс", "42"),
        ("Кемеровская область", "42"),
        ("Югра", "86"),
        ("ХМАО-Югра", "86"),
        ("Ханты-Мансийский автономный округ – Югра", "86"),
        ("Чувашия", "21"),
        ("Якутия", "14"),
        ("Республика Саха (Якутия)", "14"),
        ("Северная Осетия", "15"),
        ("Новосибирская обл.", "54"),
        ("Республика Алтай", "04"),
        ("Алтайский край", "22"),
        ("Орловская область", "57"),
        ("Еврейская АО", "79"),
        ("Марий Эл", "12"),
        ("СПб", "78"),
        ("16", "16"),
        ("5", "05"),
    ],
)
def test_a_region_is_found_by_the_name_operators_write(text: str, code: str) -> None:
    assert region_code_of(text) == code


def test_yo_and_ye_are_the_same_letter() -> None:
    assert region_code_of("Республика Марий Эл".replace("е", "ё")) == "12"


@pytest.mark.parametrize("text", ["Атлантида", "99", "", "Край", "область"])
def test_a_text_that_names_no_region_finds_none(text: str) -> None:
    assert region_code_of(text) is None


def test_every_official_name_finds_its_region() -> None:
    assert all(region_code_of(region.name) == region.code for region in REGIONS)
    assert all(region_code_of(region.name.upper()) == region.code for region in REGIONS)


def test_every_region_has_a_time_zone_that_loads() -> None:
    for region in REGIONS:
        ZoneInfo(region_timezone(region.code))


@pytest.mark.parametrize(
    ("code", "zone"),
    [
        ("75", "Asia/Chita"),
        ("16", "Europe/Moscow"),
        ("02", "Asia/Yekaterinburg"),
        ("42", "Asia/Novokuznetsk"),
        ("14", "Asia/Yakutsk"),
        ("39", "Europe/Kaliningrad"),
        ("87", "Asia/Anadyr"),
        ("91", "Europe/Simferopol"),
    ],
)
def test_a_region_keeps_its_time_zone(code: str, zone: str) -> None:
    assert region_timezone(code) == zone


def test_an_unknown_code_has_no_time_zone() -> None:
    with pytest.raises(KeyError):
        region_timezone("80")
