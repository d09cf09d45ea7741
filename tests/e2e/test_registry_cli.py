"""`konkurs import registry` and `konkurs registry show` as an operator runs them, on files saved
from Excel: UTF-8 with BOM, `;`, Russian dates, and sometimes the wrong encoding."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from domain.aggregates import Submission
from tests.e2e.conftest import REPO

if TYPE_CHECKING:
    from tests.e2e.conftest import Cli, Contests, Files, Store

REGISTRY = "social-service-providers"
HEADER = ("inn", "name", "region", "entered_on", "removed_on")
ROWS = [
    ("7536796700", "ГУСО «Краевой центр социального обслуживания»", "75", "15.01.2015", ""),
    ("7524144757", "ГУСО «КЦСОН «Ингода»»", "75", "2016-02-01", ""),
    ("7512530162", "Благотворительный фонд «Тёплый дом»", "75", "05.05.2019", "31.12.2024"),
    ("323360040", "ГБУСО «Республиканский центр социальной поддержки»", "3", "15.01.2015", ""),
]


def imported(cli: Cli, path: Path) -> dict[str, int]:
    run = cli("import", "registry", REGISTRY, path, "--json")
    run.assert_ok()
    outcome: dict[str, int] = json.loads(run.stdout)
    return outcome


def test_an_excel_registry_is_imported_and_shown_per_region(cli: Cli, files: Files) -> None:
    path = files.csv("реестр.csv", HEADER, ROWS)
    assert path.read_bytes().startswith(b"\xef\xbb\xbfinn;name;")

    run = cli("import", "registry", REGISTRY, path)
    run.assert_ok()
    assert f"Registry {REGISTRY}: 4 rows read" in run.stdout
    assert "entered (new)" in run.stdout

    shown = cli("registry", "show", REGISTRY, "--on", "01.03.2025", "--json")
    shown.assert_ok()
    summary = json.loads(shown.stdout)
    assert (summary["entries"], summary["members"]) == (4, 3)
    assert [(r["region"], r["entries"], r["members"]) for r in summary["regions"]] == [
        ("03", 1, 1), ("75", 3, 2)]

    one = cli("registry", "show", REGISTRY, "--inn", "323360040", "--on", "2015-01-14", "--json")
    one.assert_ok()
    entry = json.loads(one.stdout)
    assert (entry["inn"], entry["region"], entry["entered_on"], entry["member"]) == (
        "0323360040", "03", "2015-01-15", False)


def test_importing_the_same_file_again_writes_nothing_and_a_changed_row_is_a_revision(
    cli: Cli, files: Files, store: Store
) -> None:
    path = files.csv("реестр.csv", HEADER, ROWS)
    assert imported(cli, path)["entered"] == 4
    head = store.head()

    again = imported(cli, path)
    assert (again["entered"], again["revised"], again["unchanged"]) == (0, 0, 4)
    assert store.head() == head

    removed = [(*ROWS[0][:4], "01.03.2025"), *ROWS[1:]]
    changed = imported(cli, files.csv("реестр-март.csv", HEADER, removed))
    assert (changed["entered"], changed["revised"], changed["unchanged"]) == (0, 1, 3)
    assert store.head() == head + 1


@pytest.mark.parametrize(("row", "message"), [
    (("7536796701", "ООО «Опечатка»", "75", "01.02.2020", ""), "inn: INN 7536796701 has a wrong check digit"),
    (("7527974604", "ООО «Нигде»", "99", "01.02.2020", ""), "region: unknown region code '99'"),
    (("7527974604", "ООО «Когда-то»", "75", "30.02.2020", ""), "entered_on: not a date: '30.02.2020'"),
    (("7536796700", "ГУСО «Дубль»", "75", "01.02.2020", ""), "INN 7536796700 is already on"),
])
def test_a_bad_row_is_one_line_naming_file_and_line_and_nothing_is_saved(
    cli: Cli, files: Files, store: Store, row: tuple[str, ...], message: str
) -> None:
    path = files.csv("реестр.csv", HEADER, [*ROWS[:2], row, *ROWS[2:]])
    run = cli("import", "registry", REGISTRY, path)
    line = run.assert_rejected(f"{path}:4: ", message)
    assert run.code == 1, line
    assert store.head() == 0


def test_a_file_saved_in_windows_1251_with_russian_headers_reads_as_the_utf8_one(
    cli: Cli, files: Files
) -> None:
    russian = ("ИНН", "Наименование", "Регион", "Дата включения", "Дата исключения")
    path = files.csv("реестр-1251.csv", russian, ROWS, encoding="cp1251")
    assert imported(cli, path)["entered"] == len(ROWS)
    one = cli("registry", "show", REGISTRY, "--inn", "7512530162", "--json")
    one.assert_ok()
    assert json.loads(one.stdout)["name"] == "Благотворительный фонд «Тёплый дом»"


def test_the_example_registry_is_ready_for_the_zabaikalsky_spec(cli: Cli) -> None:
    outcome = imported(cli, REPO / "examples" / "social-service-providers.csv")
    assert outcome["entered"] == outcome["rows"] > 10
    check = cli("spec", "check", REPO / "examples" / "social-services-2025-zabaikalsky.yaml")
    check.assert_ok()
    shown = cli("registry", "show", REGISTRY, "--on", "2025-03-01")
    shown.assert_ok()
    assert "Забайкальский край" in shown.stdout


def test_an_unknown_registry_or_inn_is_one_line(cli: Cli, files: Files) -> None:
    cli("registry", "show", "never-imported").assert_rejected(
        "no registry 'never-imported'", "konkurs import registry never-imported FILE")
    imported(cli, files.csv("реестр.csv", HEADER, ROWS))
    cli("registry", "show", REGISTRY, "--inn", "7707083893").assert_rejected(
        f"INN 7707083893 is not in registry {REGISTRY}")


def test_submissions_carry_the_inn_and_the_age_the_rules_need(
    cli: Cli, files: Files, store: Store, contests: Contests
) -> None:
    contests.collecting()
    header = ("reference", "nomination", "title", "applicant_name", "applicant_kind", "region", "inn",
              "age")
    path = files.csv("заявки.csv", header, [
        ("ZDR-301", "HC-1", "Наставничество", "ГБУЗ «Краевая больница»", "state_institution", "3",
         "323360040", "34"),
        ("ZDR-302", "HC-2", "Аптека на колёсах", "АНО «Здоровье»", "ngo", "75", "", ""),
    ])
    cli("import", "submissions", contests.slug, path).assert_ok()
    with store.open() as app:
        applicants = {e.state["reference"]: e.state["applicant"]
                      for e in app.store.contest_events(contests.slug, [Submission.Submitted])}
    assert (applicants["ZDR-301"]["inn"], applicants["ZDR-301"]["age"]) == ("0323360040", 34)
    assert (applicants["ZDR-302"]["inn"], applicants["ZDR-302"]["age"]) == (None, None)

    bad = files.csv("заявки-возраст.csv", header, [
        ("ZDR-303", "HC-1", "Наставничество", "ГБУЗ «Краевая больница»", "state_institution", "75",
         "", "тридцать")])
    cli("import", "submissions", contests.slug, bad).assert_rejected(f"{bad}:2: applicant.age")
