"""`konkurs announcements`: the letters an announcement recorded, as an operator lists them."""

from __future__ import annotations

import json
import time
from pathlib import Path

from domain.authorities import REGIONAL_AUTHORITIES
from domain.commands.contest import Announce
from domain.regions import REGION_CODES
from konkurs.spec_files import load_spec, parse_spec
from tests.e2e.conftest import SLUG, Cli, Contests, Files, Store
from tests.factories import OPERATOR

TO_ALL_AUTHORITIES = """\
announcement:
  subject: "Конкурс «$title»"
  letter: |
    $addressee

    Объявлен конкурс «$title». Заявки принимаются до ${collection_closes}, итоги будут
    подведены $results_published Номинации:
    $nominations
"""

DECADE = Path(__file__).resolve().parents[2] / "examples" / "decade-of-childhood-2023.yaml"

TO_A_LIST = """\
announcement:
  addressees:
    - {name: Министерство здравоохранения Забайкальского края, email: minzdrav@example.org, region: 75}
    - {name: Ассоциация «Здоровые города», email: cities@example.org}
  subject: "Конкурс «$title»"
  letter: "$addressee: заявки до ${collection_closes}"
"""


def test_announcing_through_the_server_records_a_letter_for_each_regional_authority(
    cli: Cli, files: Files, contests: Contests, temporal: str
) -> None:
    spec = files.text("spec.yaml", contests.spec_yaml + TO_ALL_AUTHORITIES)
    cli("announce", spec).assert_ok()
    deadline = time.monotonic() + 60
    while True:
        listed = cli("announcements", SLUG, "--json")
        letters = json.loads(listed.stdout) if listed.code == 0 else []
        if letters:
            break
        assert time.monotonic() < deadline, f"no letters were recorded: {listed.stderr}"
        time.sleep(0.3)
    assert len(letters) == 89
    zabaikalsky = next(letter for letter in letters if letter["addressee"]["region"] == "75")
    assert zabaikalsky["addressee"] == {
        "name": "Правительство Забайкальского края", "email": None, "region": "75"}
    assert zabaikalsky["region_name"] == "Забайкальский край"
    assert zabaikalsky["subject"] == "Конкурс «Лучшие практики здравоохранения 2030»"
    assert zabaikalsky["text"] == (
        "Правительство Забайкальского края\n\n"
        "Объявлен конкурс «Лучшие практики здравоохранения 2030». Заявки принимаются до "
        "1 марта 2030 г., итоги будут\nподведены 15 июня 2030 г. Номинации:\n"
        "– Запись к врачу\n– Лекарственное обеспечение\n"
    )
    assert len({letter["command_id"] for letter in letters}) == 1

    shown = cli("announcements", SLUG, "--show", "забайкальский")
    shown.assert_ok()
    assert "To: Правительство Забайкальского края (75 Забайкальский край)" in shown.stdout
    assert "Subject: Конкурс «Лучшие практики здравоохранения 2030»" in shown.stdout
    assert "Заявки принимаются до 1 марта 2030 г." in shown.stdout


def test_the_addressees_of_a_listed_announcement_are_shown_as_a_table_and_one_letter_by_name(
    cli: Cli, store: Store, contests: Contests
) -> None:
    spec = parse_spec(contests.spec_yaml + TO_A_LIST, source="spec.yaml")
    with store.open() as app:
        app.contests.announce(
            Announce(spec=spec, plan=spec.phase_plan(), command_id="announce", actor=OPERATOR)
        )

    listed = cli("announcements", SLUG)
    listed.assert_ok()
    assert "2 letters: Конкурс «Лучшие практики здравоохранения 2030»" in listed.stdout
    rows = [line for line in listed.stdout.splitlines() if "example.org" in line]
    assert len(rows) == 2
    assert "75" in rows[0] and "Забайкальский край" in rows[0] and "minzdrav@example.org" in rows[0]
    assert "Ассоциация «Здоровые города»" in rows[1]

    shown = cli("announcements", SLUG, "--show", "ЗДОРОВЫЕ ГОРОДА", "--json")
    shown.assert_ok()
    [letter] = json.loads(shown.stdout)
    assert letter["addressee"]["email"] == "cities@example.org"
    assert letter["text"] == "Ассоциация «Здоровые города»: заявки до 1 марта 2030 г."


def test_the_decade_of_childhood_letters_carry_the_ministry_s_particulars_to_89_real_authorities(
    cli: Cli, store: Store
) -> None:
    decade = load_spec(DECADE)
    with store.open() as app:
        app.contests.announce(
            Announce(spec=decade, plan=decade.phase_plan(), command_id="announce", actor=OPERATOR)
        )

    listed = cli("announcements", decade.slug, "--json")
    listed.assert_ok()
    letters = {letter["addressee"]["region"]: letter for letter in json.loads(listed.stdout)}
    assert set(letters) == REGION_CODES
    for code, letter in letters.items():
        assert letter["addressee"]["name"] == REGIONAL_AUTHORITIES[code]
        particulars = letter["particulars"]
        assert (particulars["number"], particulars["dated"]) == ("27-4/10/В-16418", "2023-10-18")
        assert particulars["signatory"]["name"] == "О.Ю. Баталина"
        assert f"18.10.2023 № 27-4/10/В-16418\n\n{REGIONAL_AUTHORITIES[code]}\n\n" in letter["text"]
    assert letters["16"]["addressee"]["name"] == "Кабинет Министров Республики Татарстан"
    assert letters["23"]["addressee"]["name"] == "Администрация Краснодарского края"

    table = cli("announcements", decade.slug)
    table.assert_ok()
    assert "89 letters:" in table.stdout
    assert "18.10.2023 № 27-4/10/В-16418" in table.stdout and "О.Ю. Баталина" in table.stdout
    shown = cli("announcements", decade.slug, "--show", "татарстан")
    shown.assert_ok()
    assert "To: Кабинет Министров Республики Татарстан (16 Республика Татарстан)" in shown.stdout
    assert "18.10.2023 № 27-4/10/В-16418" in shown.stdout
    assert shown.stdout.rstrip().endswith("О.Ю. Баталина")


def test_asking_for_a_letter_nobody_was_sent_or_an_unknown_contest_gives_one_error_line(
    cli: Cli, store: Store, contests: Contests
) -> None:
    spec = parse_spec(contests.spec_yaml + TO_A_LIST, source="spec.yaml")
    with store.open() as app:
        app.contests.announce(
            Announce(spec=spec, plan=spec.phase_plan(), command_id="announce", actor=OPERATOR)
        )
    cli("announcements", SLUG, "--show", "23").assert_rejected(
        f"no letter of contest {SLUG} goes to '23'")
    cli("announcements", "no-such-contest").assert_rejected("no contest 'no-such-contest'")


def test_a_contest_without_an_announcement_section_lists_no_letters(
    cli: Cli, contests: Contests
) -> None:
    contests.collecting()
    listed = cli("announcements", SLUG)
    listed.assert_ok()
    assert "issued no letters" in listed.stdout
    as_json = cli("announcements", SLUG, "--json")
    as_json.assert_ok()
    assert json.loads(as_json.stdout) == []


def test_spec_check_refuses_an_unknown_placeholder_at_its_line(
    cli: Cli, files: Files, contests: Contests
) -> None:
    text = contests.spec_yaml + TO_ALL_AUTHORITIES.replace("$results_published", "$prize")
    path = files.text("bad.yaml", text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("  letter:"))
    cli("spec", "check", path).assert_rejected(
        f"{path}:{line}:3: announcement.letter: unknown placeholder $prize")
