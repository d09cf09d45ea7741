"""The participation drive from the command line: rosters from an Excel CSV, intake checked
against them, the league table as JSON, as a table and as a chart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from konkurs.spec_files import parse_spec
from tests.e2e.conftest import SLUG, SPEC_YAML, Cli, Contests, Files, Store

DRIVE_YAML = """\
participation:
  target: {per_100_municipalities: 50}
  regions: {"53": {absolute: 3}}
  review: {every_days: 14}
  report_by: 2030-02-28
"""
ROSTER_HEADER = ("oktmo", "name", "region")
ROSTER = [  # Krasnodar 6 municipalities (target 3), Kemerovo 2 (target 1), Novgorod its own 3
    *((f"03{k:06d}", f"Сельское поселение № {k}", "23") for k in range(6)),
    ("32701000", "Кемеровский городской округ", "42"),
    ("32702000", "Новокузнецкий городской округ", "42"),
    ("49701000", "Великий Новгород", "53"),
]
SUBMISSION_HEADER = ("reference", "nomination", "title", "applicant_name", "applicant_kind", "region",
                     "municipality")


def submission(reference: str, region: str, municipality: str) -> tuple[str, ...]:
    return (reference, "HC-1", f"Инициатива {reference}", "Администрация", "ngo", region, municipality)


SUBMISSIONS = [
    submission("MD-1", "23", "03000000"),
    submission("MD-2", "42", "32701000"), submission("MD-3", "42", "32701000"),
    submission("MD-4", "42", "32702000"),
    submission("MD-5", "53", "49701000"), submission("MD-6", "53", ""),
]


@pytest.fixture
def drive(contests: Contests) -> Contests:
    """The test contest with a participation drive, collecting."""
    contests.spec = parse_spec(SPEC_YAML + DRIVE_YAML, source="spec.yaml")
    contests.collecting()
    return contests


@pytest.mark.slow  # 10–20 s of CLI processes: `make test-slow` (the default suite keeps to its time)
def test_rosters_and_submissions_from_excel_give_the_league_as_json_table_and_chart(
    cli: Cli, files: Files, store: Store, drive: Contests, tmp_path: Path
) -> None:
    imported = cli("import", "municipalities", files.csv("муниципалитеты.csv", ROSTER_HEADER, ROSTER),
                   "--json")
    imported.assert_ok()
    assert json.loads(imported.stdout) == {"municipalities": 9, "regions": 3,
                                           "written": ["23", "42", "53"]}
    again = cli("import", "municipalities", files.csv("муниципалитеты.csv", ROSTER_HEADER, ROSTER))
    again.assert_ok()
    assert "0 rosters written, 3 unchanged" in again.stdout

    unknown = files.csv("заявки-ошибка.csv", SUBMISSION_HEADER,
                        [*SUBMISSIONS, submission("MD-7", "23", "32701000")])
    head = store.head()
    cli("import", "submissions", SLUG, unknown).assert_rejected(
        "заявки-ошибка.csv:8:", "municipality 32701000 is not on the roster of Краснодарский край")
    assert store.head() == head
    cli("import", "submissions", SLUG, files.csv("заявки.csv", SUBMISSION_HEADER, SUBMISSIONS)).assert_ok()

    shown = cli("participation", SLUG, "--json")
    shown.assert_ok()
    league = json.loads(shown.stdout)
    top = [(r["rank"], r["code"], r["submissions"], r["target"], r["taking_part"], r["municipalities"],
            r["lagging"]) for r in league["regions"][:4]]
    assert top == [(1, "42", 3, 1, 2, 2, False), (2, "53", 2, 3, 1, 1, True),
                   (3, "23", 1, 3, 1, 6, True), (4, "01", 0, None, 0, 0, False)]
    assert league["lagging"] == ["53", "23"] and league["submissions"] == 6
    assert league["drive"]["report_by"] == "2030-02-28"

    human = cli("participation", SLUG)
    human.assert_ok()
    krasnodar = next(line for line in human.stdout.splitlines() if "Краснодарский край" in line)
    assert "1 / 6" in krasnodar and "lagging" in krasnodar and "33.3" in krasnodar
    assert "2 of 89 regions below target" in human.stdout

    chart = tmp_path / "league.svg"
    drawn = cli("participation", SLUG, "--chart", chart)
    drawn.assert_ok()
    assert chart.read_text().lstrip().startswith("<?xml") and "<svg" in chart.read_text()
    assert f"Chart written to {chart}" in drawn.stdout

    region = cli("participation", SLUG, "--region", "23")
    region.assert_ok()
    assert "Сельское поселение № 5" in region.stdout and "below target" in region.stdout


def test_a_bad_roster_or_chart_name_is_one_line_and_writes_nothing(
    cli: Cli, files: Files, store: Store, drive: Contests, tmp_path: Path
) -> None:
    head = store.head()
    bad_region = files.csv("регионы.csv", ROSTER_HEADER, [*ROSTER[:2], ("99000001", "МО", "00")])
    cli("import", "municipalities", bad_region).assert_rejected(
        "регионы.csv:4:", "unknown region code '00'")
    twice = files.csv("дубли.csv", ROSTER_HEADER, [*ROSTER, ROSTER[1]])
    cli("import", "municipalities", twice).assert_rejected(
        "дубли.csv:11:", "OKTMO code 03000001 is listed twice (first at", "дубли.csv:3)")
    assert store.head() == head

    cli("participation", SLUG, "--chart", tmp_path / "league.pdf").assert_rejected(".png or .svg")
    cli("participation", SLUG, "--region", "00").assert_rejected("region '00'")
