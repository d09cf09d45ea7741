"""A marathon from the command line: initiatives and practices apart, a municipality's written
report recorded by option and by file, the missing ones listed, and `konkurs results` of a
contest with no judging and no vote."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from domain.commands.contest import ReviewParticipation
from konkurs.spec_files import parse_spec
from tests.e2e.conftest import SLUG, SPEC_YAML, Cli, Contests, Files, Store
from tests.factories import OPERATOR

pytestmark = pytest.mark.slow  # a dozen CLI processes

MARATHON_YAML = (
    SPEC_YAML.replace("title: Запись к врачу\n", "title: Запись к врачу\n        kind: initiative\n")
    .replace("  judging_closes: 2030-04-30\n  voting_closes: 2030-05-31\n", "")
    .split("judging:")[0]
    + """judging: {enabled: false}
voting: {enabled: false}
participation:
  target: {absolute: 2, counts: practices}
  review: {every_days: 14}
  report_by: 2030-02-01
"""
)
ROSTER = [(f"03{k:06d}", f"Сельское поселение № {k}", "23") for k in range(4)]
ENTRIES = [  # Krasnodar: two initiatives and one practice
    ("MD-1", "HC-1", "Инициатива 1", "Администрация", "ngo", "23", "03000000"),
    ("MD-2", "HC-1", "Инициатива 2", "Администрация", "ngo", "23", "03000001"),
    ("MD-3", "HC-2", "Практика 1", "Администрация", "ngo", "23", "03000000"),
]


def test_reports_are_recorded_and_the_missing_ones_listed_and_results_show_participation(
    cli: Cli, files: Files, store: Store, contests: Contests
) -> None:
    contests.spec = parse_spec(MARATHON_YAML, source="spec.yaml")
    contests.collecting()
    cli("import", "municipalities", files.csv("mo.csv", ("oktmo", "name", "region"), ROSTER)).assert_ok()
    cli("import", "submissions", SLUG, files.csv("entries.csv", (
        "reference", "nomination", "title", "applicant_name", "applicant_kind", "region", "municipality",
    ), ENTRIES)).assert_ok()
    with store.open() as app:  # the review of 10 January finds Krasnodar lagging: it is asked
        app.participation.review_participation(ReviewParticipation(
            slug=SLUG, moment=datetime(2030, 1, 20, tzinfo=UTC), command_id="review", actor=OPERATOR))

    league = json.loads(cli("participation", SLUG, "--json").stdout)
    krasnodar = next(line for line in league["regions"] if line["code"] == "23")
    assert (krasnodar["initiatives"], krasnodar["practices"], krasnodar["lagging"]) == (2, 1, True)
    shown = cli("participation", SLUG)
    assert "2 initiatives, 1 practices" in shown.stdout
    assert "3 municipalities with nothing posted: Сельское поселение № 1 (03000001)" in shown.stdout

    cli("participation", "report", SLUG, "--municipality", "03000001", "--received", "25.01.2030",
        "--reference", "исх. № 7").assert_ok()
    head = store.head()
    cli("participation", "report", SLUG, "--municipality", "99000001", "--received", "25.01.2030",
        ).assert_rejected("--municipality: unknown municipality 99000001")
    cli("import", "reports", SLUG, files.csv("reports.csv", ("oktmo", "received"), [
        ("03000002", "2030-01-30"), ("77000000", "2030-01-30")])).assert_rejected(
        "reports.csv:3:", "unknown municipality 77000000")
    assert store.head() == head
    cli("import", "reports", SLUG, files.csv("reports.csv", ("oktmo", "received"), [
        ("03000002", "2030-02-05")])).assert_ok()

    reports = json.loads(cli("participation", SLUG, "--reports", "--json").stdout)
    [region] = reports["regions"]
    assert [m["oktmo"] for m in region["missing"]] == ["03000000", "03000003"]
    assert [(r["oktmo"], r["late"]) for r in region["received"]] == [("03000001", False), ("03000002", True)]
    assert "2 still missing" in cli("participation", SLUG, "--reports").stdout

    results = cli("results", SLUG)
    results.assert_ok()
    assert "no judging and no vote" in results.stdout and "Краснодарский край" in results.stdout
