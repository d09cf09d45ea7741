"""The reference table of the regions' highest executive bodies, by their official names."""

from __future__ import annotations

import pytest

from domain.authorities import REGIONAL_AUTHORITIES
from domain.regions import REGION_CODES

BODIES = ("Правительство ", "Кабинет Министров ", "Совет министров ", "Администрация ")


def test_the_table_names_one_body_for_each_of_the_89_regions() -> None:
    assert len(REGIONAL_AUTHORITIES) == 89
    assert set(REGIONAL_AUTHORITIES) == REGION_CODES
    assert len(set(REGIONAL_AUTHORITIES.values())) == 89


@pytest.mark.parametrize(("code", "name"), [
    ("16", "Кабинет Министров Республики Татарстан"),
    ("23", "Администрация Краснодарского края"),
    ("77", "Правительство Москвы"),
    ("75", "Правительство Забайкальского края"),
    ("02", "Правительство Республики Башкортостан"),
    ("42", "Правительство Кемеровской области — Кузбасса"),
    ("21", "Кабинет Министров Чувашской Республики"),
    ("91", "Совет министров Республики Крым"),
])
def test_a_region_s_body_is_called_by_its_official_name(code: str, name: str) -> None:
    assert REGIONAL_AUTHORITIES[code] == name


def test_every_name_is_a_body_of_one_of_the_kinds_regions_have() -> None:
    assert [name for name in REGIONAL_AUTHORITIES.values() if not name.startswith(BODIES)] == []
    assert all(name == name.strip() and "  " not in name for name in REGIONAL_AUTHORITIES.values())
