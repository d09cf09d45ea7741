"""The views against a replay of the log: edits are differences; lag, absence and an old
layout are notes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from domain.audit.models import CheckResult
from domain.commands.intake import CastBallots
from domain.phases import Phase
from projections import ViewsDB, catch_up, default_views
from projections.view_audit import audit_views, recount_differences, tally_as_read
from services.konkurs import Konkurs
from tests.factories import OPERATOR, voting_contest
from tests.unit.test_vote import KEY, SLUG, ballot

VIEWS = ("results view", "tally view", "board view")


def vote(konkurs: Konkurs, voters: range, submission: str = "HC-1-0") -> None:
    konkurs.ballots.cast_ballots(CastBallots(
        slug=SLUG, ballots=[ballot(f"esia-{n}", "HC-1", submission, "23") for n in voters],
        voter_key=KEY, actor=OPERATOR))


def checks(konkurs: Konkurs, database: ViewsDB, slug: str = SLUG) -> dict[str, CheckResult]:
    return {check.check: check for check in audit_views(konkurs.store, database, [slug])[slug]}


def test_views_caught_up_with_the_log_hold(konkurs: Konkurs, tmp_path: Path) -> None:
    voting_contest(konkurs)
    vote(konkurs, range(30))
    database = ViewsDB(tmp_path / "views.db")
    catch_up(konkurs.store, database, default_views())

    found = checks(konkurs, database)

    assert list(found) == list(VIEWS)
    assert all(check.holds and not check.notes for check in found.values()), found
    assert found["tally view"].recomputed > 0


def test_a_view_behind_the_log_is_compared_as_of_its_position_and_noted(
    konkurs: Konkurs, tmp_path: Path
) -> None:
    voting_contest(konkurs)
    vote(konkurs, range(10))
    database = ViewsDB(tmp_path / "views.db")
    catch_up(konkurs.store, database, default_views())
    read_to = database.positions()
    vote(konkurs, range(10, 25), "HC-1-1")  # recorded after the views last read

    found = checks(konkurs, database)

    assert all(check.holds for check in found.values()), found
    for view in ("tally", "board"):
        assert found[f"{view} view"].notes == [
            f"compared as of position {read_to[view]}, where the view has read to; "
            "the log has more it has not caught up with"]
    assert found["results view"].notes == []  # ballots are not its events
    counted, position = tally_as_read(database, SLUG)
    assert position == read_to["tally"]
    assert recount_differences(counted, konkurs.results.count(SLUG, position, stop=position)) == []


def test_an_edited_count_is_named_by_view_table_row_and_column(konkurs: Konkurs, tmp_path: Path) -> None:
    voting_contest(konkurs)
    vote(konkurs, range(7))
    database = ViewsDB(tmp_path / "views.db")
    catch_up(konkurs.store, database, default_views())
    with sqlite3.connect(database.path) as views:
        views.execute("UPDATE tally_votes SET votes = 70 WHERE slug = ?", (SLUG,))
        views.execute("DELETE FROM board_nominations WHERE slug = ? AND code = 'HC-2'", (SLUG,))
    views.close()

    found = checks(konkurs, database)

    [edited] = found["tally view"].differences
    assert edited.describe() == ("tally view: tally_votes, nomination HC-1, submission HC-1-0, region 23, "
                                 "votes: recorded 70, recomputed 7")
    [deleted] = found["board view"].differences
    assert deleted.where == "board_nominations, code HC-2"
    assert deleted.recorded is None and "Лекарств" in str(deleted.recomputed)
    assert found["results view"].holds
    counted, position = tally_as_read(database, SLUG)
    recounted = konkurs.results.count(SLUG, konkurs.store.phase_closed_at(SLUG, Phase.VOTING) or position,
                                      stop=position)
    assert [d.where for d in recount_differences(counted, recounted)] == [
        "by_submission, HC-1, HC-1-0", "by_region, 23, HC-1, HC-1-0", "accepted"]


def test_no_views_database_a_contest_not_yet_in_the_views_and_an_old_layout_are_notes(
    konkurs: Konkurs, tmp_path: Path
) -> None:
    voting_contest(konkurs)
    database = ViewsDB(tmp_path / "views.db")

    missing = checks(konkurs, database)

    assert all(c.holds and "no views database" in c.notes[0] for c in missing.values())
    assert not database.path.exists()

    catch_up(konkurs.store, database, default_views())
    voting_contest(konkurs, slug="later-contest")
    with sqlite3.connect(database.path) as views:
        views.execute("UPDATE view_schemas SET schema = 'older' WHERE view = 'board'")
    views.close()

    later = checks(konkurs, database, "later-contest")

    assert all(check.holds for check in later.values())
    assert later["results view"].notes == [
        f"the view holds nothing of this contest yet (read to position {database.positions()['results']})"]
    assert later["board view"].notes == [
        "the view was built by another version of Konkurs; the next read rebuilds it"]
