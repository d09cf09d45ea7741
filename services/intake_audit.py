"""The audit of intake: every submission, material, card and ballot in the log was accepted by a
signed acceptance of the deployment, and was recorded before its phase's deadline.

An insider with the database can append rows that the hash chain then links as if they were
genuine; they cannot sign them. Each intake command writes its events and then its acceptance
(`domain.rules.acceptance`) in one transaction, so an acceptance covers the intake events just
before it. The walk below pairs them up and names every event left uncovered.

A million ballots are not decoded one by one: an acceptance's digest covers their stored bytes and
its signature covers the digest, and the ballots of one batch share one stamp, so the first and
the last answer for its deadline. Events that no acceptance covers are decoded, to name them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.aggregates import Acceptance, Ballot, Contest, Review, Submission
from domain.aggregates.ballot_batch import BallotBatch
from domain.audit.models import CheckResult, Difference
from domain.ids import contest_id, uuid_bytes
from domain.phases import Phase, PhasePlan, describe_moment
from domain.rules.acceptance import acceptance_digest, acceptance_message
from services.signing import signature_holds
from store.application import StoreApplication
from store.chain_links import stored_bytes
from store.log import RawRow, topic_of

SHOWN = 1000  # differences named one by one; beyond that, counted
PAGE_ROWS = 20_000

_SUBMITTED, _ATTACHED = topic_of(Submission.Submitted), topic_of(Submission.MaterialAttached)
_REVISED, _FILED = topic_of(Submission.Revised), topic_of(Submission.Filed)
_SCORED, _RESCORED = topic_of(Review.Scored), topic_of(Review.Rescored)
_CAST, _BATCH = topic_of(Ballot.Cast), topic_of(BallotBatch.Received)
_ACCEPTANCE = topic_of(Acceptance.Recorded)
_CONTEST = {topic_of(c) for c in (Contest.Announced, Contest.DeadlineExtended, Contest.PromotionReceived)}
_PHASE_OF = {_SUBMITTED: Phase.COLLECTING, _ATTACHED: Phase.COLLECTING, _SCORED: Phase.JUDGING,
             _RESCORED: Phase.JUDGING, _CAST: Phase.VOTING, _REVISED: Phase.COLLECTING,
             _FILED: Phase.COLLECTING}
_LABEL = {_SUBMITTED: "submission", _ATTACHED: "material", _SCORED: "card", _RESCORED: "card revision",
          _CAST: "ballot", _REVISED: "draft revision", _FILED: "filing"}

Decode = Callable[[bytes, str], dict[str, Any]]


class IntakeAudit:
    def __init__(self, store: StoreApplication, public_key: Callable[[], str]) -> None:
        """`public_key` gives the hex Ed25519 key acceptances must be signed with."""
        self.store = store
        self.public_key = public_key

    def check(self, slug: str) -> CheckResult:
        decode: Decode = self.store.mapper.decode_state  # type: ignore[attr-defined]
        walk = _Walk(slug, self.public_key(), decode)
        for page in self.store.reader.row_pages(1, PAGE_ROWS):
            walk.page(page)
        return walk.result()


class _Walk:
    """One pass over the log in order, keeping the intake events not yet covered."""

    def __init__(self, slug: str, public_key: str, decode: Decode) -> None:
        self.slug = slug
        self.contest = contest_id(slug).bytes
        self.public_key = public_key
        self.decode = decode
        self.plan: PhasePlan | None = None
        self.own: set[Any] = set()  # the contest's submissions and cards, by aggregate id as stored
        self.promised: set[str] = set()  # references a received promotion brings
        self.pending: list[RawRow] = []
        self.found: list[Difference] = []
        self.accepted = 0
        self.unsigned = 0
        self.signing_began = False  # a signed acceptance of any contest has gone by
        self.before_signing = 0

    def page(self, rows: Iterable[RawRow]) -> None:
        for row in rows:
            topic = row[3]
            if topic in _PHASE_OF:
                if topic in (_SUBMITTED, _SCORED):
                    self._entered(row)
                else:
                    self.pending.append(row)
            elif topic in (_BATCH, _ACCEPTANCE):
                self._acceptance(row)
            elif topic in _CONTEST and uuid_bytes(row[1]) == self.contest:
                self._contest(row)

    def result(self) -> CheckResult:
        self._uncovered(self.pending)
        notes = [f"{self.unsigned} acceptances recorded before they were signed"] if self.unsigned else []
        if self.before_signing:
            notes.append(f"{self.before_signing} intake events recorded before this log's first signed "
                         "acceptance: taken as recorded")
        if len(self.found) > SHOWN:
            notes.append(f"{len(self.found) - SHOWN} more differences not listed")
        return CheckResult(check="intake", recomputed=self.accepted, differences=self.found[:SHOWN],
                           notes=notes)

    def _contest(self, row: RawRow) -> None:
        state = self.decode(stored_bytes(row[4]), row[3])
        if "plan" in state:
            self.plan = PhasePlan.model_validate(state["plan"])
        elif "closes_at" in state and self.plan is not None:
            self.plan = self.plan.with_deadline(Phase(state["phase"]),
                                                datetime.fromisoformat(state["closes_at"]))
        elif "references" in state:
            self.promised.update(state["references"])

    def _entered(self, row: RawRow) -> None:
        """A submission or a card: few enough to decode, and what marks the contest's own."""
        state = self.decode(stored_bytes(row[4]), row[3])
        if state["contest"] == self.slug:
            self.own.add(row[1])
            if row[3] == _SUBMITTED and state["reference"] in self.promised:
                self.promised.discard(state["reference"])
                return  # covered by the promotion, checked against the sending stage's results
        self.pending.append(row)

    def _acceptance(self, row: RawRow) -> None:
        state = self.decode(stored_bytes(row[4]), row[3])
        ballots = row[3] == _BATCH
        count = state["accepted"] if ballots else state["count"]
        covered = self.pending[len(self.pending) - count:] if count else []
        self._uncovered(self.pending[:len(self.pending) - len(covered)])
        self.pending = []
        self.signing_began = self.signing_began or state.get("digest") is not None
        if state["contest"] != self.slug:
            return  # another contest's acceptance, and its events: checked in its own audit
        kind = "ballots" if ballots else state["kind"]
        where = f"acceptance of {count} {kind} at position {row[0]}"
        if len(covered) < count:
            self._differ(where, f"covers {count}", f"only {len(covered)} precede it")
        self.accepted += len(covered)
        # The ballots of one batch share one stamp, which the signed digest covers: its first
        # and last ballot answer for the rest.
        self._check_deadlines(covered if not ballots or len(covered) < 3 else [covered[0], covered[-1]])
        if state.get("digest") is None:
            self.unsigned += 1
            return
        digest = acceptance_digest((row[1], row[2], stored_bytes(row[4])) for row in covered)
        if digest != state["digest"]:
            self._differ(where, f"digest {state['digest'][:16]}…",
                         f"the events before it give {digest[:16]}…")
        batch = state["batch"] if ballots else ""
        message = acceptance_message(self.slug, kind, batch, count, state["digest"], state.get("actor"))
        if not signature_holds(self.public_key, message, state["attestation"]):
            self._differ(where, "signed", "not signed by this deployment's key")

    def _check_deadlines(self, rows: Sequence[RawRow]) -> None:
        if self.plan is None:
            return
        for row in rows:
            state = self.decode(stored_bytes(row[4]), row[3])
            if self._late(row[3], state["timestamp"]):
                phase = self._phase_of(row[3])
                deadline = self.plan.window(phase).closes_at
                self._differ(_label(row), f"stamped {state['timestamp']}",
                             f"after the {phase} deadline, {describe_moment(deadline)}")

    def _phase_of(self, topic: str) -> Phase:
        """The phase whose deadline bounds this intake: materials, where the plan has that gate."""
        assert self.plan is not None
        return self.plan.intake_closer if topic == _ATTACHED else _PHASE_OF[topic]

    def _late(self, topic: str, stamped: str) -> bool:
        assert self.plan is not None
        return datetime.fromisoformat(stamped) >= self.plan.window(self._phase_of(topic)).closes_at

    def _uncovered(self, rows: Sequence[RawRow]) -> None:
        for row in rows:
            state = self.decode(stored_bytes(row[4]), row[3])
            if state.get("contest", self.slug) != self.slug or (
                    row[3] in (_ATTACHED, _RESCORED, _REVISED, _FILED) and row[1] not in self.own):
                continue
            if not self.signing_began:
                # Written by a release before acceptances, which a store upgraded in place keeps.
                # Rows added since cannot pass for these: they come after a signed acceptance,
                # and the chain holds everything before it.
                self.before_signing += 1
                continue
            named = f" (names batch {state['batch']})" if state.get("batch") else ""
            self._differ(_label(row), f"in the log{named}", "no signed acceptance covers it")

    def _differ(self, where: str, recorded: str, recomputed: str) -> None:
        self.found.append(Difference(check="intake", where=where, recorded=recorded,
                                     recomputed=recomputed))


def _label(row: RawRow) -> str:
    return f"{_LABEL[row[3]]} {UUID(bytes=uuid_bytes(row[1]))} at position {row[0]}"

