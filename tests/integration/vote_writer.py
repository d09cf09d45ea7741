"""One of several intake processes writing ballots into one store (run by the concurrency test).

    python -m tests.integration.vote_writer STORE_ENV_JSON SLUG WRITER BALLOTS SHARED_FRACTION
"""

from __future__ import annotations

import json
import random
import sys

from domain.commands.intake import BallotInput, CastBallots
from services.konkurs import Konkurs
from tests.factories import OPERATOR
from tests.integration.vote_population import ballots_for


def main() -> None:
    env, slug, writer, count, shared = sys.argv[1:6]
    konkurs = Konkurs(env={**json.loads(env), "SQLITE_LOCK_TIMEOUT": "120"})
    rows: list[BallotInput] = ballots_for(int(writer), int(count), float(shared))
    random.Random(writer).shuffle(rows)
    accepted = rejected = 0
    for start in range(0, len(rows), 25_000):
        outcome = konkurs.ballots.cast_ballots(
            CastBallots(
                slug=slug, ballots=rows[start : start + 25_000], voter_key=b"concurrency-key", actor=OPERATOR
            )
        )
        accepted += outcome.accepted
        rejected += sum(outcome.rejected.values())
    print(json.dumps({"sent": len(rows), "accepted": accepted, "rejected": rejected}))


if __name__ == "__main__":
    main()
