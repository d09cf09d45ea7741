"""Expert judging from the CLI as an operator runs it: the roster as Excel saves it, assignments
without conflicts, refused cards, recusal, revisions, open and done cards, and the quality report.

The contest is brought to each phase through the domain, as the workflow's activities would;
the roster, the cards and every question about judging go through `konkurs` in a subprocess.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.conftest import REVIEW_HEADER

if TYPE_CHECKING:
    from tests.e2e.conftest import Cli, Contests, Files, Store

SLUG = "zdorovye-2030"
ROSTER_HEADER = ("id", "name", "organisation", "region", "level", "directions", "inn", "municipality")

# эксперт-4 works at ZDR-001's applicant, so that pair is a conflict of interest.
CONFLICTED = ("ZDR-001", "эксперт-4")
ROSTER = [
    ("эксперт-1", "Иванова Анна Петровна", "Экспертный совет при Минздраве", "77", "federal", "health",
     "7701234567", ""),
    ("эксперт-2", "Петров Олег Игоревич", "НИИ организации здравоохранения", "77", "federal",
     "HC-1,HC-2", "", ""),
    ("эксперт-3", "Сидорова Мария Ивановна", "Приволжский медицинский университет", "52", "regional",
     "health", "", "Нижний Новгород"),
    ("эксперт-4", "Кузнецов Павел Андреевич", "ГБУЗ «Краевая больница»", "75", "regional", "health",
     "", "Чита"),
    ("эксперт-5", "Орлова Наталья Сергеевна", "Фонд «Открытая медицина»", "23", "regional", "health",
     "", ""),
    ("эксперт-6", "Волков Илья Романович", "Центр общественного здоровья", "16", "regional",
     "HC-1, HC-2", "", ""),
]
ROSTER_YAML = """\
- id: эксперт-7
  name: Смирнова Елена Викторовна
  organisation: Высшая школа организации и управления здравоохранением
  inn: "7705000000"
  region: "77"
  level: federal
  directions: [health]
- id: эксперт-8
  name: Зайцев Артём Олегович
  organisation: Краевой медицинский колледж
  region: 75
  level: regional
  directions: [HC-2]
"""


def roster_file(files: Files, rows: list[tuple[str, ...]] = ROSTER, encoding: str = "utf-8-sig") -> Path:
    return files.csv("эксперты.csv", ROSTER_HEADER, rows, encoding=encoding)


def judging_with_the_roster(cli: Cli, files: Files, contests: Contests) -> list[str]:
    """The roster imported through the CLI during collection, then judging opened (which
    assigns experts); returns the admitted references."""
    contests.collecting()
    cli("import", "experts", SLUG, roster_file(files)).assert_ok()
    contests.close_collection()
    return contests.open_judging()


def assignments(cli: Cli, *flags: str) -> list[dict[str, Any]]:
    run = cli("judging", "assignments", SLUG, "--json", *flags)
    run.assert_ok()
    rows: list[dict[str, Any]] = json.loads(run.stdout)
    return rows


def panels(cli: Cli) -> dict[str, list[str]]:
    """submission → its experts, as `konkurs judging assignments --json` lists them."""
    found: dict[str, list[str]] = {}
    for row in assignments(cli):
        found.setdefault(row["submission"], []).append(row["expert"])
    return found


def report(cli: Cli) -> dict[str, Any]:
    run = cli("judging", "report", SLUG, "--json")
    run.assert_ok()
    shown: dict[str, Any] = json.loads(run.stdout)
    return shown


def status(cli: Cli) -> dict[str, dict[str, Any]]:
    """expert → assigned, done, open, recused, as `konkurs judging status --json` lists them."""
    run = cli("judging", "status", SLUG, "--json")
    run.assert_ok()
    return {row["expert"]: row for row in json.loads(run.stdout)}


def experts_in_report(cli: Cli) -> dict[str, dict[str, Any]]:
    """The same per-expert loads, as the experts part of `konkurs judging report --json`."""
    return {row["expert"]: row for row in report(cli)["experts"]}


PER_EXPERT = [
    pytest.param(status, id="status"),
    pytest.param(experts_in_report, id="report"),
]


# Importing the roster


def test_import_experts_records_a_good_roster_saved_from_excel(
    cli: Cli, files: Files, store: Store, contests: Contests
) -> None:
    contests.collecting()
    path = roster_file(files)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    before = store.head()
    run = cli("import", "experts", SLUG, path, "--json")
    run.assert_ok()
    assert json.loads(run.stdout) == {"recorded": len(ROSTER), "what": "experts", "rows": len(ROSTER),
                                      "unchanged": 0}
    assert store.experts() == len(ROSTER)
    assert store.head() == before + len(ROSTER)
    with store.open() as app:
        roster = {p.id: p for p in app.reads.roster(SLUG)}
    assert sorted(roster) == [row[0] for row in ROSTER]
    assert roster["эксперт-2"].directions == ["HC-1", "HC-2"]
    assert roster["эксперт-6"].directions == ["HC-1", "HC-2"]
    assert roster["эксперт-1"].inn == "7701234567"
    assert roster["эксперт-3"].municipality == "Нижний Новгород"
    assert roster["эксперт-4"].level == "regional"


def test_import_experts_records_a_roster_written_as_a_yaml_list(
    cli: Cli, files: Files, store: Store, contests: Contests
) -> None:
    contests.collecting()
    cli("import", "experts", SLUG, files.text("эксперты.yaml", ROSTER_YAML)).assert_ok()
    with store.open() as app:
        roster = {p.id: p for p in app.reads.roster(SLUG)}
    assert sorted(roster) == ["эксперт-7", "эксперт-8"]
    assert roster["эксперт-8"].region == "75"
    assert roster["эксперт-8"].directions == ["HC-2"]


@pytest.mark.parametrize(
    ("bad_row", "fragment"),
    [
        (("эксперт-9", "Белова Ирина", "Институт образования", "77", "federal", "education", "", ""),
         "unknown direction or nomination 'education'"),
        (("эксперт-9", "Белова Ирина", "Институт здоровья", "98", "regional", "health", "", ""),
         "unknown region code '98'"),
    ],
    ids=["unknown-direction", "unknown-region"],
)
def test_import_experts_rejects_a_bad_row_with_its_line_and_records_none_of_the_file(
    cli: Cli, files: Files, store: Store, contests: Contests, bad_row: tuple[str, ...], fragment: str
) -> None:
    contests.collecting()
    path = roster_file(files, [ROSTER[0], ROSTER[1], bad_row, ROSTER[2]])
    before = store.head()
    run = cli("import", "experts", SLUG, path)
    run.assert_rejected(f"{path}:4:", fragment)
    assert run.code == 1
    assert store.head() == before
    assert store.experts() == 0


def test_a_roster_saved_in_cp1251_reads_as_the_same_experts_as_in_utf8(
    cli: Cli, files: Files, store: Store, contests: Contests
) -> None:
    """Plain "CSV" from Excel on a Russian Windows is cp1251: the names come out as written, so the
    same roster saved as "CSV UTF-8" afterwards changes nothing."""
    contests.collecting()
    cli("import", "experts", SLUG, roster_file(files, ROSTER, encoding="cp1251")).assert_ok()
    assert store.experts() == len(ROSTER)
    after_cp1251 = store.head()
    cli("import", "experts", SLUG, roster_file(files, ROSTER)).assert_ok()
    assert store.head() == after_cp1251


# Assignment


def test_assignments_give_every_admitted_submission_three_distinct_experts_and_no_conflict(
    cli: Cli, files: Files, contests: Contests
) -> None:
    admitted = judging_with_the_roster(cli, files, contests)
    rows = assignments(cli)
    assert {row["card"] for row in rows} == {"open"}
    assigned = panels(cli)
    assert sorted(assigned) == admitted
    for reference, experts in assigned.items():
        assert len(experts) == 3, (reference, experts)
        assert len(set(experts)) == 3, (reference, experts)
    enrolled = {row[0] for row in ROSTER}
    assert {e for experts in assigned.values() for e in experts} <= enrolled
    # The only tie in the data: эксперт-4 works at ZDR-001's applicant.
    submission, expert = CONFLICTED
    assert expert not in assigned[submission]
    assert {row["nomination"] for row in rows if row["submission"] == submission} == {"HC-1"}
    loads = Counter(e for experts in assigned.values() for e in experts)
    assert max(loads.values()) - min(loads.values()) <= 1, loads

    shown = report(cli)
    conflicts = {n["code"]: n["conflicts"] for n in shown["nominations"]}
    assert conflicts == {"HC-1": 1, "HC-2": 0}
    assert all(n["shortfalls"] == 0 for n in shown["nominations"])
    assert f"{submission}:{expert}" not in shown["assignments"]["HC-1"]

    for_expert = assignments(cli, "--expert", expert)
    assert for_expert and {row["expert"] for row in for_expert} == {expert}
    assert submission not in {row["submission"] for row in for_expert}


# Cards


def test_a_card_from_an_unassigned_expert_is_refused_and_nothing_is_written(
    cli: Cli, files: Files, store: Store, contests: Contests
) -> None:
    judging_with_the_roster(cli, files, contests)
    assigned = panels(cli)
    submission, expert = CONFLICTED
    assert expert not in assigned[submission]
    before = store.head()

    as_expert = cli.as_expert(expert)
    before = store.head()

    run = as_expert("review", SLUG, "--submission", submission, "--score", "impact=8", "--score",
                    "replicable=4")
    run.assert_rejected(f"expert {expert}", f"submission {submission}", "not assigned")
    assert run.code == 1
    assert store.head() == before

    own = [(reference, expert, "7", "3") for reference, experts in sorted(assigned.items())
           if expert in experts]
    assert own, f"{expert} has no assignment of their own"
    path = files.csv("оценки.csv", REVIEW_HEADER, [own[0], (submission, expert, "8", "4"), *own[1:]])
    run = as_expert("import", "reviews", SLUG, path)
    run.assert_rejected(f"{path}:3:", f"expert {expert}", f"submission {submission}", "not assigned")
    assert store.head() == before
    assert store.reviews() == 0

    good = [(reference, experts[0], "7", "3") for reference, experts in sorted(assigned.items())]
    cli.import_cards(files, good)
    assert store.reviews() == len(good)


def test_an_operator_cannot_record_an_experts_card_nor_an_expert_another_experts(
    cli: Cli, files: Files, store: Store, contests: Contests
) -> None:
    judging_with_the_roster(cli, files, contests)
    submission = "ZDR-002"
    expert, colleague = panels(cli)[submission][:2]
    card = ("review", SLUG, "--submission", submission, "--expert", expert, "--score", "impact=8",
            "--score", "replicable=4")
    as_colleague = cli.as_expert(colleague)
    before = store.head()

    cli(*card).assert_rejected("federal operator local-operator lacks the right to record expert",
                               "a card is recorded only by the expert who scored it")
    as_colleague(*card).assert_rejected(
        f"expert {colleague} lacks the right to record expert {expert}'s card",
        f"the card is expert {expert}'s, not theirs")
    assert store.head() == before


def test_a_recused_expert_is_replaced_and_only_the_replacement_can_score(
    cli: Cli, files: Files, store: Store, contests: Contests
) -> None:
    judging_with_the_roster(cli, files, contests)
    submission = "ZDR-002"
    panel = panels(cli)[submission]
    recused = panel[0]

    run = cli("recuse", SLUG, "--submission", submission, "--expert", recused,
              "--reason", "консультировал заявителя", "--json")
    run.assert_ok()
    answer = json.loads(run.stdout)
    assert answer["submission"] == submission and answer["recused"] == recused
    assert len(answer["replaced_by"]) == 1
    replacement = answer["replaced_by"][0]
    assert replacement not in panel

    now = [row["expert"] for row in assignments(cli, "--submission", submission)]
    assert sorted(now) == sorted([*panel[1:], replacement])
    assert experts_in_report(cli)[recused]["recused"] == 1

    as_recused = cli.as_expert(recused)
    before = store.head()
    run = as_recused("review", SLUG, "--submission", submission,
                     "--score", "impact=8", "--score", "replicable=4")
    run.assert_rejected(f"expert {recused}", f"submission {submission}", "not assigned")
    assert store.head() == before

    cli.as_expert(replacement)("review", SLUG, "--submission", submission,
                               "--score", "impact=8", "--score", "replicable=4").assert_ok()
    assert store.reviews() == 1
    done = {row["expert"]: row["card"] for row in assignments(cli, "--submission", submission)}
    assert done[replacement] == "done"


def test_a_card_from_a_file_is_recorded_and_a_second_file_revises_it(
    cli: Cli, files: Files, store: Store, contests: Contests
) -> None:
    judging_with_the_roster(cli, files, contests)
    submission = "ZDR-003"
    expert = panels(cli)[submission][0]
    card = f"submission: {submission}\nexpert: {expert}\nscores:\n  impact: {{impact}}\n  replicable: 4\n"

    as_expert = cli.as_expert(expert)
    run = as_expert("review", SLUG, "--file", files.text("карточка.yaml", card.format(impact=7.5)), "--json")
    run.assert_ok()
    assert json.loads(run.stdout) == {"recorded": 1, "what": "review", "rows": 1, "unchanged": 0}
    as_expert("review", SLUG, "--file", files.text("карточка-2.yaml", card.format(impact=9))).assert_ok()

    assert store.reviews() == 2
    with store.open() as app:
        cards, _ = app.reads.counted_scorecards(SLUG, app.store.head_position())
    assert cards[submission] == {expert: {"impact": 9.0, "replicable": 4.0}}


# Status and the report


@pytest.mark.parametrize("per_expert", PER_EXPERT)
def test_judging_status_shows_each_expert_going_from_open_to_done(
    cli: Cli, files: Files, contests: Contests, per_expert: Callable[[Cli], dict[str, dict[str, Any]]]
) -> None:
    judging_with_the_roster(cli, files, contests)
    assigned = panels(cli)
    loads = Counter(e for experts in assigned.values() for e in experts)
    before = per_expert(cli)
    assert set(before) == {row[0] for row in ROSTER}
    for expert, row in before.items():
        assert (row["assigned"], row["done"], row["open"]) == (loads[expert], 0, loads[expert])

    busiest = max(sorted(loads), key=lambda e: loads[e])
    cards = [(reference, busiest, "8", "4")
             for reference, experts in sorted(assigned.items()) if busiest in experts]
    cli.import_cards(files, cards)

    after = per_expert(cli)
    assert (after[busiest]["done"], after[busiest]["open"]) == (loads[busiest], 0)
    for expert, row in after.items():
        if expert != busiest:
            assert (row["done"], row["open"]) == (0, loads[expert]), expert


@pytest.mark.slow  # 10–20 s of CLI processes: `make test-slow` (the default suite keeps to its time)
def test_judging_report_shows_agreement_per_nomination_and_leniency_per_expert(
    cli: Cli, files: Files, contests: Contests
) -> None:
    judging_with_the_roster(cli, files, contests)
    assigned = panels(cli)
    empty = report(cli)
    assert not empty["concluded"]
    assert all(n["agreement"] is None for n in empty["nominations"])
    assert all(e["leniency"] is None for e in empty["experts"])

    loads = Counter(e for experts in assigned.values() for e in experts)
    lenient = max(sorted(loads), key=lambda e: loads[e])
    quality = {"ZDR-001": 8, "ZDR-002": 4, "ZDR-003": 3, "ZDR-004": 7}
    cards = [(reference, expert, str(quality[reference] + (2 if expert == lenient else 0)), "3")
             for reference, experts in sorted(assigned.items()) for expert in experts]
    cli.import_cards(files, cards)

    shown = report(cli)
    assert not shown["concluded"]
    for nomination in shown["nominations"]:
        assert isinstance(nomination["agreement"], float), nomination
        assert nomination["agreement"] <= 1
    leniency = {e["expert"]: e["leniency"] for e in shown["experts"]}
    assert set(leniency) == {row[0] for row in ROSTER}
    for expert, value in leniency.items():
        if loads[expert]:
            assert isinstance(value, float), (expert, value)
    assert leniency[lenient] > 0
    assert all(value < leniency[lenient] for expert, value in leniency.items()
               if expert != lenient and value is not None)
