"""Receipts of the public vote: reads only.

A voter's receipt is the id of each of their ballots and the log position its `Ballot.Cast`
event was recorded at. Neither says how they voted: the id is derived from the voter's
pseudonym, which only the deployment's key makes from their id. Checking a receipt after
publication answers whether the published tally counted that ballot: the log holds that
ballot's `Ballot.Cast` of this contest at that position, the position lies within the chain the
results were sealed with, and the tally counted it (recorded before voting closed, its choice
among the tally's votes).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.access import Stage, require_caster
from domain.aggregates import Ballot, Contest
from domain.commands.receipts import (
    ReadReceipt,
    Receipt,
    ReceiptCheck,
    ReceiptLine,
    ReceiptStatus,
    VerifyReceipt,
)
from domain.rules.voter_ids import normalise_voter_id
from services.ballots import ballot_slots, voter_pseudonym
from store.application import StoreApplication
from store.dialect import Memory, PostgreSQL
from store.log import originator_uuid, topic_of

CAST_TOPIC = topic_of(Ballot.Cast)
PUBLISHED_TOPIC = topic_of(Contest.ResultsPublished)

NOT_FOUND = "no ballot of this contest with that id was recorded at that position"
LATE = "the ballot was recorded after voting closed, so the tally does not count it"
AFTER_SEAL = "the ballot was recorded after the position the results were sealed at"
NOT_IN_TALLY = "the published tally has no vote for this ballot's choice"
NO_TALLY = "the published results carry no tally of the vote"


class Receipts:
    """`receipt` for the portal that authenticated the voter; `verify` for anyone."""

    def __init__(self, store: StoreApplication) -> None:
        self.store = store

    def receipt(self, order: ReadReceipt) -> Receipt:
        """The voter's ballots recorded in the contest, found by the ids their pseudonym gives:
        only a portal registered for the contest, which holds the voter's id, may ask."""
        contest = self.store.get_contest(order.slug)
        require_caster(order.actor, Stage.of(contest.spec))
        voting = contest.spec.voting
        pseudonym = voter_pseudonym(order.voter_key, normalise_voter_id(order.voter, voting.voter_ids))
        lines = []
        for nomination in contest.spec.nominations:
            for ballot in ballot_slots(order.slug, nomination.code, pseudonym,
                                       voting.ballots_per_voter_per_nomination):
                position = self._cast_position(ballot)
                if position is not None:
                    lines.append(ReceiptLine(nomination=nomination.code, ballot=ballot, position=position))
        return Receipt(slug=order.slug, lines=lines)

    def verify(self, order: VerifyReceipt) -> ReceiptCheck:
        """Whether the published results counted the ballot the receipt names; before
        publication it says only that, and nothing of the ballot."""
        contest = self.store.get_contest(order.slug)
        if not contest.published:
            return ReceiptCheck(slug=order.slug, status=ReceiptStatus.NOT_PUBLISHED)
        seal = self._publication_seal(contest)
        sealed = {"sealed_position": seal.get("chain_position"), "sealed_head": seal.get("chain_head")}
        cast = self._cast_at(order.position, order.ballot, order.slug)
        if cast is None:
            return ReceiptCheck(slug=order.slug, status=ReceiptStatus.NOT_FOUND, reason=NOT_FOUND, **sealed)
        reason = self._not_counted(contest, order.position, cast, sealed["sealed_position"])
        status = ReceiptStatus.NOT_COUNTED if reason else ReceiptStatus.COUNTED
        return ReceiptCheck(slug=order.slug, status=status, reason=reason, nomination=cast["nomination"],
                            **sealed)

    @staticmethod
    def _not_counted(
        contest: Contest, position: int, cast: dict[str, Any], sealed_at: int | None
    ) -> str | None:
        """Why the published tally leaves this ballot out, or None when it counts it."""
        tally = contest.tally
        if tally is None:
            return NO_TALLY
        if sealed_at is not None and position > sealed_at:
            return AFTER_SEAL
        if position > tally.voting_closed_at:
            return LATE
        if tally.by_submission.get(cast["nomination"], {}).get(cast["submission"], 0) < 1:
            return NOT_IN_TALLY
        return None

    def _publication_seal(self, contest: Contest) -> dict[str, Any]:
        for logged in self.store.read_log([PUBLISHED_TOPIC]):
            if logged.originator_id == contest.id:
                seal: dict[str, Any] = logged.state.get("seal") or {}
                return seal
        return {}

    def _cast_at(self, position: int, ballot: str, slug: str) -> dict[str, Any] | None:
        """The state of the `Ballot.Cast` of `ballot` in `slug` at exactly `position`, if it is there."""
        reader = self.store.reader
        found = reader.at(position, stop=position)
        if (found is None or found.id != position or found.topic != CAST_TOPIC
                or originator_uuid(found).hex != ballot):
            return None
        state = reader.logged(found).state
        return state if state.get("contest") == slug else None

    def _cast_position(self, ballot: str) -> int | None:
        """The log position of a ballot's `Ballot.Cast`, through the store's key on (id, version)."""
        dialect = self.store.dialect
        if isinstance(dialect, Memory):
            wanted = UUID(ballot)
            return next((n.id for page in self.store.reader.pages([CAST_TOPIC]) for n in page
                         if originator_uuid(n) == wanted), None)
        # Ballots are written as rows by `store.ballots`: 32 hex digits on SQLite, a uuid on PostgreSQL.
        key: object = UUID(ballot) if isinstance(dialect, PostgreSQL) else ballot
        with dialect.read() as cursor:
            cursor.execute(f"SELECT {dialect.position} FROM {dialect.events_table} "
                           f"WHERE originator_id = {dialect.placeholder} AND originator_version = 1", (key,))
            row = cursor.fetchone()
        return None if row is None else int(dialect.values(row)[0])
