"""Four intake processes write a million ballots into one store; each voter counts once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from services.konkurs import Konkurs
from tests.factories import voting_contest
from tests.integration.conftest import REPO
from tests.integration.vote_population import ballots_for

WRITERS, EACH, SHARED = 4, 250_000, 0.05
SLUG = "vote-test"


@pytest.mark.slow
@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_concurrent_writers_count_each_voter_once_per_nomination(
    store: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    env = (request.getfixturevalue("postgres_env") if store == "postgres" else
           {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "k.db")})
    konkurs = Konkurs(env=env)
    voting_contest(konkurs, SLUG)
    writers = [
        subprocess.Popen([sys.executable, "-m", "tests.integration.vote_writer", json.dumps(env), SLUG,
                          str(n), str(EACH), str(SHARED)], cwd=REPO, stdout=subprocess.PIPE,
                         text=True)
        for n in range(WRITERS)
    ]
    reports = []
    for writer in writers:
        out, _ = writer.communicate(timeout=600)
        assert writer.returncode == 0
        reports.append(json.loads(out))

    sent = sum(r["sent"] for r in reports)
    accepted = sum(r["accepted"] for r in reports)
    assert sent == WRITERS * EACH
    assert accepted + sum(r["rejected"] for r in reports) == sent
    distinct = {(b.voter, b.nomination) for n in range(WRITERS) for b in ballots_for(n, EACH, SHARED)}
    assert accepted == len(distinct)
    tallied = konkurs.results.count(SLUG, konkurs.store.head_position())
    assert tallied.accepted == accepted
    assert tallied.rejected == {"already voted in this nomination": sent - accepted}
    konkurs.close()
