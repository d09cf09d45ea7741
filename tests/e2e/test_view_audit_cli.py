"""Views are audited too: an insider's edit of the views file people read is named by
`konkurs audit verify`, `konkurs audit report` and `konkurs vote tally --recount`, each exiting 1.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from tests.e2e.test_audit_report_cli import run_contest

if TYPE_CHECKING:
    from tests.e2e.conftest import Cli, Contests, Store

SLUG = "zdorovye-2030"
VIEWS = ("results view", "tally view", "board view")


def published_with_views(cli: Cli, contests: Contests, store: Store) -> None:
    run_contest(contests, store)
    cli("results", SLUG).assert_ok()  # a read command builds the views


def test_untouched_views_verify_and_the_recount_agrees(cli: Cli, contests: Contests, store: Store) -> None:
    published_with_views(cli, contests, store)

    run = cli("audit", "verify", "--json")

    run.assert_ok()
    [audit] = json.loads(run.stdout)["contests"]
    checks = {check["check"]: check for check in audit["checks"]}
    for view in VIEWS:
        assert checks[view]["differences"] == [] and checks[view]["notes"] == [], checks[view]
        assert checks[view]["recomputed"] > 0
    cli("vote", "tally", SLUG, "--recount").assert_ok()


def test_before_any_view_is_built_the_views_are_noted_not_failed(cli: Cli, contests: Contests,
                                                                 store: Store) -> None:
    run_contest(contests, store)

    run = cli("audit", "verify", "--json")

    run.assert_ok()
    [audit] = json.loads(run.stdout)["contests"]
    notes = {check["check"]: check["notes"] for check in audit["checks"]}
    assert all("no views database" in notes[view][0] for view in VIEWS)


def test_an_edited_row_of_each_view_is_named_and_every_check_exits_1(
    cli: Cli, contests: Contests, store: Store, home: Path, tmp_path: Path
) -> None:
    published_with_views(cli, contests, store)
    with sqlite3.connect(home / "views.db") as views:
        winners = dict(views.execute(
            "SELECT place, reference FROM results_standings WHERE slug = ? AND kind = 'winner' "
            "AND nomination = 'HC-1'", (SLUG,)).fetchall())
        [(chosen, votes)] = views.execute(
            "SELECT submission, votes FROM tally_votes WHERE slug = ? AND nomination = 'HC-1' "
            "AND region = '75'", (SLUG,)).fetchall()
        [(admitted, rejected)] = views.execute(
            "SELECT admitted, rejected FROM board_contests WHERE slug = ?", (SLUG,)).fetchall()
        # A false winner, a padded count, and a submission shown as rejected.
        views.execute("UPDATE results_standings SET place = 3 - place WHERE slug = ? "
                      "AND kind = 'winner' AND nomination = 'HC-1'", (SLUG,))
        views.execute("UPDATE tally_votes SET votes = votes + 40 WHERE slug = ?", (SLUG,))
        views.execute("UPDATE board_contests SET admitted = admitted - 1, rejected = rejected + 1 "
                      "WHERE slug = ?", (SLUG,))
    views.close()
    assert set(winners) == {1, 2}

    run = cli("audit", "verify")

    assert run.code == 1 and "Traceback" not in run.stderr, run.stderr
    for named in (
        f"{SLUG}: results view: results_standings, kind winner, nomination HC-1, place 1, reference: "
        f"recorded {winners[2]}, recomputed {winners[1]}",
        f"{SLUG}: tally view: tally_votes, nomination HC-1, submission {chosen}, region 75, votes: "
        f"recorded {votes + 40}, recomputed {votes}",
        f"{SLUG}: board view: board_contests, admitted: recorded {admitted - 1}, recomputed {admitted}",
        f"{SLUG}: board view: board_contests, rejected: recorded {rejected + 1}, recomputed {rejected}",
    ):
        assert any(named in line for line in run.error_lines), f"{named}\nnot in:\n{run.stderr}"

    recount = cli("vote", "tally", SLUG, "--recount")
    recount.assert_rejected(f"{SLUG}: the tally view differs from the recount from the log",
                            f"the view shows {votes + 40}, the recount gives {votes}")

    report = cli("audit", "report", SLUG, "--out", tmp_path)
    report.assert_rejected("differences found", "results view", "nomination HC-1, place 1")
    document = json.loads((tmp_path / f"{SLUG}-audit.json").read_text(encoding="utf-8"))
    assert {d["check"] for d in document["audit"]["checks"] for d in d["differences"]} == set(VIEWS)
