"""`konkurs audit at`: an auditor looks at a contest as it stood at a position or a moment."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from domain.aggregates import Contest
from store.log import topic_of
from tests.e2e.conftest import SLUG, Cli, Contests, Store


def recorded(store: Store, event_class: type) -> tuple[int, str]:
    """Position and timestamp of the contest's first event of this class."""
    with store.open() as app:
        found = next(app.store.read_log([topic_of(event_class)]))
    return found.position, found.state["timestamp"]


def test_at_a_position_it_shows_the_phase_counts_and_the_rankings_known_then(
    cli: Cli, contests: Contests, store: Store,
) -> None:
    contests.voting()
    judged, _ = recorded(store, Contest.JudgingConcluded)

    before = cli("audit", "at", SLUG, "--position", str(judged - 1))
    before.assert_ok()
    assert f"{SLUG} at position {judged - 1}" in before.stdout
    assert "phase voting" in before.stdout
    assert "No ranking recorded yet." in before.stdout and "Ranking HC-1" not in before.stdout

    at = cli("audit", "at", SLUG, "--position", str(judged))
    at.assert_ok()
    assert "Last change to the contest: contest.judging_concluded, by federal operator test-operator" \
        in at.stdout
    assert "Ranking HC-1" in at.stdout and "Ranking HC-2" in at.stdout
    assert "ZDR-001" in at.stdout and "Deadlines then" in at.stdout


def test_json_shows_admissions_only_from_the_screening_conclusion_on(
    cli: Cli, contests: Contests, store: Store,
) -> None:
    contests.voting()
    screened, _ = recorded(store, Contest.ScreeningConcluded)

    def submissions(position: int) -> dict[str, object]:
        run = cli("audit", "at", SLUG, "--position", str(position), "--json")
        run.assert_ok()
        document = json.loads(run.stdout)
        assert (document["position"], document["phase"]) == (position, "screening")
        counts: dict[str, object] = document["submissions"]
        return counts

    assert submissions(screened - 1) == {"submitted": 4, "withdrawn": 0, "admitted": None, "rejected": None}
    assert submissions(screened) == {"submitted": 4, "withdrawn": 0, "admitted": 4, "rejected": 0}


def test_a_time_with_an_offset_or_in_the_contests_zone_finds_the_same_position(
    cli: Cli, contests: Contests, store: Store,
) -> None:
    contests.voting()
    judged, stamp = recorded(store, Contest.JudgingConcluded)
    moment = datetime.fromisoformat(stamp)
    local = moment.astimezone(ZoneInfo("Europe/Moscow")).replace(tzinfo=None)

    for given in (moment.isoformat(), local.isoformat()):
        run = cli("audit", "at", SLUG, "--time", given, "--json")
        run.assert_ok()
        document = json.loads(run.stdout)
        assert document["position"] == judged, given
        assert datetime.fromisoformat(document["asked"]) == moment
        assert [r["nomination"] for r in document["rankings"]] == ["HC-1", "HC-2"]


@pytest.mark.parametrize(("args", "fragments"), [
    pytest.param((), ("exactly one of --time T or --position N",), id="neither"),
    pytest.param(("--time", "2030-01-01", "--position", "3"), ("exactly one of",), id="both"),
    pytest.param(("--time", "вчера"), ("--time 'вчера'", "ISO time"), id="bad-time"),
    pytest.param(("--time", "2000-01-01"),
                 (f"contest {SLUG} was not announced yet at the end of 01.01.2000 (24:00 UTC+3) "
                  "(position 0)",),
                 id="before-the-announcement"),
    pytest.param(("--position", "100000"), ("position 100000 is outside the log",), id="past-the-end"),
])
def test_bad_options_are_refused_in_one_line(
    cli: Cli, contests: Contests, args: tuple[str, ...], fragments: tuple[str, ...],
) -> None:
    contests.collecting()
    cli("audit", "at", SLUG, *args).assert_rejected(*fragments)


def test_an_unknown_contest_is_named_in_one_line(cli: Cli, contests: Contests) -> None:
    contests.collecting()
    cli("audit", "at", "nowhere", "--position", "1").assert_rejected("no contest 'nowhere'")


def test_help_teaches_with_an_example(cli: Cli) -> None:
    run = cli("audit", "at", "--help")
    run.assert_ok()
    assert "--time" in run.stdout and "--position" in run.stdout
    assert "konkurs audit at smart-dialog-2023 --time 2023-06-18" in run.stdout
