"""Announcement letters: who they go to, and what each addressee reads."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from domain.authorities import REGIONAL_AUTHORITIES
from domain.errors import SpecError
from domain.regions import REGION_CODES
from domain.rules.letters import addressees, render_letters
from domain.spec import ContestSpec
from domain.spec.announcement import Addressee
from konkurs.spec_files import load_spec, parse_spec

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

SPEC = """\
slug: letters-test
title: Лучшие практики для семей
organisers: [Минтруд России, АСИ, АНО «Диалог Регионы»]
level: {level}
{region}timezone: {timezone}
directions:
  - code: family
    title: Семья
    nominations:
      - code: birth
        title: Поддержка при рождении ребёнка
      - code: large
        title: Многодетные семьи
schedule:
  announced: 2023-09-25
  collection_closes: {closes}
  judging_closes: 2023-12-15
  results_published: 2023-12-24
eligibility:
  applicant_kinds: [regional_authority]
{regions}screening:
  enabled: false
judging:
  criteria:
    - code: impact
      title: Результат
      weight: 1
announcement:
  addressees: {addressees}
  subject: "$title: письмо для $region_name"
  letter: |
    $addressee ($region)
    $organisers объявили конкурс «$title» ($slug) $announced
    Заявки до ${{collection_closes}}, итоги $results_published
    $nominations
"""


def spec(
    level: str = "federal", region: str | None = None, regions: list[str] | None = None,
    addressees: str = "regional_authorities", timezone: str = "Europe/Moscow",
    closes: str = "2023-11-03",
) -> ContestSpec:
    return parse_spec(SPEC.format(
        level=level, region=f"region: '{region}'\n" if region else "", timezone=timezone,
        regions=f"  regions: {regions}\n" if regions else "", addressees=addressees, closes=closes,
    ), source="letters.yaml")


# Reference data


def test_every_region_has_its_authority_by_its_official_name() -> None:
    assert set(REGIONAL_AUTHORITIES) == REGION_CODES
    assert len(set(REGIONAL_AUTHORITIES.values())) == 89
    assert REGIONAL_AUTHORITIES["75"] == "Правительство Забайкальского края"
    assert REGIONAL_AUTHORITIES["77"] == "Правительство Москвы"


# Addressees


def test_a_federal_contest_open_to_all_writes_to_the_89_regional_authorities() -> None:
    found = addressees(spec())
    assert len(found) == 89
    assert [a.region for a in found] == sorted(REGION_CODES)
    assert found[74] == Addressee(name="Правительство Забайкальского края", region="75")


def test_a_federal_contest_open_to_some_regions_writes_to_their_authorities_only() -> None:
    found = addressees(spec(regions=["75", "23", "05", "23"]))
    assert [(a.region, a.name) for a in found] == [
        ("05", "Правительство Республики Дагестан"),
        ("23", "Администрация Краснодарского края"),
        ("75", "Правительство Забайкальского края"),
    ]


@pytest.mark.parametrize("level", ["regional", "municipal"])
def test_a_regional_or_municipal_contest_writes_to_its_own_regions_authority(level: str) -> None:
    found = addressees(spec(level=level, region="75", timezone="Asia/Chita"))
    assert found == [Addressee(name="Правительство Забайкальского края", region="75")]


def test_a_list_in_the_spec_is_used_as_given_and_an_addressee_named_twice_gets_one_letter() -> None:
    listed = (
        "\n    - {name: Правительство Забайкальского края, email: pr@example.org, region: 75}"
        "\n    - {name: Ассоциация «Диалог», email: dialog@example.org}"
        "\n    - {name: Правительство Забайкальского края, email: pr@example.org, region: 75}"
    )
    found = addressees(spec(addressees=listed))
    assert found == [
        Addressee(name="Правительство Забайкальского края", email="pr@example.org", region="75"),
        Addressee(name="Ассоциация «Диалог»", email="dialog@example.org"),
    ]


def test_a_spec_without_an_announcement_has_no_addressees_and_no_letters() -> None:
    silent = spec().model_copy(update={"announcement": None})
    assert addressees(silent) == []
    assert render_letters(silent, silent.phase_plan()) == []


# Rendering


def test_a_letter_fills_every_field_with_dates_written_the_russian_way() -> None:
    contest = spec(regions=["42"])
    [letter] = render_letters(contest, contest.phase_plan())
    assert letter.subject == "Лучшие практики для семей: письмо для Кемеровская область — Кузбасс"
    assert letter.text == (
        "Правительство Кемеровской области — Кузбасса (42)\n"
        "Минтруд России, АСИ и АНО «Диалог Регионы» объявили конкурс «Лучшие практики для семей» "
        "(letters-test) 25 сентября 2023 г.\n"
        "Заявки до 3 ноября 2023 г., итоги 24 декабря 2023 г.\n"
        "– Поддержка при рождении ребёнка\n"
        "– Многодетные семьи\n"
    )


def test_a_deadline_at_a_time_of_day_is_written_with_that_time_in_the_contests_zone() -> None:
    contest = spec(level="regional", region="75", timezone="Asia/Chita",
                   closes="2023-11-03T12:00:00+03:00")
    [letter] = render_letters(contest, contest.phase_plan())
    assert "Заявки до 3 ноября 2023 г., 18:00, итоги 24 декабря 2023 г." in letter.text


def test_a_rehearsal_moves_every_date_of_the_letter_with_the_plan() -> None:
    contest = spec(regions=["75"])
    moved = contest.phase_plan().shifted(timedelta(days=31))
    [letter] = render_letters(contest, moved)
    assert "(letters-test) 26 октября 2023 г." in letter.text
    assert "Заявки до 4 декабря 2023 г., итоги 24 января 2024 г." in letter.text


def test_a_spec_sent_through_json_renders_the_same_letters() -> None:
    """The announce activity gets the spec as JSON, where a bare date may come back as midnight."""
    contest = spec(regions=["75", "23"])
    again = ContestSpec.model_validate(contest.model_dump(mode="json"))
    assert render_letters(again, contest.phase_plan()) == render_letters(contest, contest.phase_plan())


def test_a_listed_addressee_without_a_region_reads_empty_region_fields() -> None:
    contest = spec(addressees="\n    - {name: Ассоциация «Диалог»}")
    [letter] = render_letters(contest, contest.phase_plan())
    assert letter.subject == "Лучшие практики для семей: письмо для "
    assert letter.text.startswith("Ассоциация «Диалог» ()\n")


@pytest.mark.parametrize("example", ["decade-of-childhood-2023", "smart-dialog-2023"])
def test_the_seed_examples_write_to_all_89_regional_authorities(example: str) -> None:
    contest = load_spec(EXAMPLES / f"{example}.yaml")
    letters = render_letters(contest, contest.phase_plan())
    assert len(letters) == 89
    zabaikalsky = letters[74]
    assert zabaikalsky.text.startswith("Министерство труда и социальной защиты Российской Федерации")
    assert "\n\nПравительство Забайкальского края\n\n" in zabaikalsky.text
    assert "$" not in zabaikalsky.text + zabaikalsky.subject
    deadline = "3 ноября 2023 г." if example.startswith("decade") else "18 июня 2023 г."
    assert f"{deadline} включительно" in zabaikalsky.text
    assert all(f"– {n.title}\n" in zabaikalsky.text for n in contest.nominations)


def test_an_unknown_placeholder_is_refused_at_its_line_and_column() -> None:
    text = SPEC.format(level="federal", region="", timezone="Europe/Moscow", regions="",
                       addressees="regional_authorities", closes="2023-11-03")
    text = text.replace("$results_published", "$prize_fund")
    with pytest.raises(SpecError) as caught:
        parse_spec(text, source="letters.yaml")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("  letter:"))
    assert caught.value.problems == [
        f"letters.yaml:{line}:3: announcement.letter: unknown placeholder $prize_fund; known: "
        "title, slug, organisers, addressee, region, region_name, announced, collection_closes, "
        "results_published, nominations"
    ]
