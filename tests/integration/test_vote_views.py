"""The public vote's count, as the tally view shows it and the recount from the log gives it."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.commands.intake import CastBallots
from domain.phases import Phase
from projections import ViewsDB, catch_up, default_views
from projections.vote_queries import demand, tally
from services.ballots import (
    ALREADY_VOTED,
)
from services.konkurs import Konkurs
from tests.factories import OPERATOR, close_phase, voting_contest
from tests.unit.test_vote import KEY, SLUG, ballot


def test_the_recount_from_the_log_equals_the_tally_view_and_demand_reads_it(
    konkurs: Konkurs, tmp_path: Path
) -> None:
    shortlist = voting_contest(konkurs)
    nominations = sorted(shortlist)
    sent = [
        ballot(
            f"esia-{n}", nominations[n % 2], shortlist[nominations[n % 2]][n % 3], ("23", "75", "42")[n % 3]
        )
        for n in range(600)
    ]
    konkurs.ballots.cast_ballots(CastBallots(slug=SLUG, ballots=sent[:400], voter_key=KEY, actor=OPERATOR))
    konkurs.ballots.cast_ballots(
        CastBallots(slug=SLUG, ballots=sent[300:], voter_key=KEY, actor=OPERATOR)
    )  # a hundred repeat voters
    close_phase(konkurs, SLUG, Phase.VOTING, "close:voting")
    closed_at = konkurs.store.phase_closed_at(SLUG, Phase.VOTING)
    assert closed_at is not None
    database = ViewsDB(tmp_path / "views.db")
    catch_up(konkurs.store, database, default_views())
    viewed, recounted = tally(database, SLUG), konkurs.results.count(SLUG, closed_at)
    assert recounted.accepted == viewed.accepted == 600
    assert recounted.by_submission == viewed.by_submission
    assert recounted.by_region == viewed.by_region
    assert recounted.rejected == viewed.rejected == {ALREADY_VOTED: 100}
    krasnodar = demand(database, SLUG, region="23")
    assert [d.region for d in krasnodar] == ["23"]
    assert krasnodar[0].ballots == 200
    assert krasnodar[0].wanted[0].votes == max(w.votes for w in krasnodar[0].wanted)


@pytest.mark.only_on("sqlite", reason="reads the store's files; the PostgreSQL test below reads its table")
def test_no_raw_voter_id_appears_anywhere_in_the_store_files(tmp_path: Path) -> None:
    konkurs = Konkurs(
        env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "konkurs.db")}
    )
    voting_contest(konkurs)
    voters = [f"esia-{n:07d}" for n in range(300)]
    konkurs.ballots.cast_ballots(
        CastBallots(
            slug=SLUG,
            ballots=[ballot(v) for v in voters] + [ballot(voters[0])],
            voter_key=KEY,
            actor=OPERATOR,
        )
    )
    konkurs.close()
    stored = b"".join(path.read_bytes() for path in tmp_path.iterdir())
    assert b"esia-" not in stored
    assert all(v.encode() not in stored for v in voters)


def test_on_postgresql_each_voter_counts_once_and_no_raw_id_is_stored(
    postgres_env: dict[str, str],
) -> None:
    import psycopg

    konkurs = Konkurs(env=postgres_env)
    shortlist = voting_contest(konkurs)
    sent = [ballot(f"esia-{n}", "HC-1", shortlist["HC-1"][n % 3], "23") for n in range(300)]
    first = konkurs.ballots.cast_ballots(
        CastBallots(slug=SLUG, ballots=sent[:200], voter_key=KEY, actor=OPERATOR)
    )
    second = konkurs.ballots.cast_ballots(
        CastBallots(slug=SLUG, ballots=sent[100:], voter_key=KEY, actor=OPERATOR)
    )
    assert (first.accepted, second.accepted, second.rejected) == (200, 100, {ALREADY_VOTED: 100})
    tallied = konkurs.results.count(SLUG, konkurs.store.head_position())
    assert tallied.accepted == 300 and tallied.rejected == {ALREADY_VOTED: 100}
    konkurs.close()
    with psycopg.connect(
        host=postgres_env["POSTGRES_HOST"],
        port=postgres_env["POSTGRES_PORT"],
        user=postgres_env["POSTGRES_USER"],
        password=postgres_env.get("POSTGRES_PASSWORD", ""),
        dbname=postgres_env["POSTGRES_DBNAME"],
    ) as connection:
        dump = b"".join(
            bytes(row[0])
            for row in connection.execute(
                "SELECT convert_to(originator_id::text || topic, 'UTF8') || state FROM konkurs_events"
            )
        )
    assert b"esia-" not in dump
