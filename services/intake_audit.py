"""The audit of intake: every submission, material, card and ballot in the log was accepted by a
signed acceptance of the deployment, and was recorded before its phase's deadline.

An insider with the database can append rows that the hash chain then links as if they were
genuine; they cannot sign them. Each intake command writes its events and then its acceptance
(`domain.rules.acceptance`) in one transaction, so the acceptance covers the intake events of
its contest just before it. The walk below pairs them up and names every event left uncovered.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from domain.aggregates import Acceptance, Ballot, Contest, Review, Submission
from domain.aggregates.ballot_batch import BallotBatch
from domain.audit.models import CheckResult, Difference
from domain.ids import contest_id
from domain.phases import Phase, PhasePlan, describe_moment
from domain.rules.acceptance import acceptance_digest, acceptance_message, id_bytes
from domain.rules.chain import ChainRow
from services.chain import Chain
from services.signing import signature_holds
from store.application import StoreApplication
from store.log import topic_of

SHOWN = 1000  # differences named one by one; beyond that, counted

_SUBMITTED, _ATTACHED = topic_of(Submission.Submitted), topic_of(Submission.MaterialAttached)
_SCORED, _RESCORED = topic_of(Review.Scored), topic_of(Review.Rescored)
_CAST, _BATCH = topic_of(Ballot.Cast), topic_of(BallotBatch.Received)
_ACCEPTANCE = topic_of(Acceptance.Recorded)
_ANNOUNCED, _EXTENDED = topic_of(Contest.Announced), topic_of(Contest.DeadlineExtended)
_PROMOTED_IN = topic_of(Contest.PromotionReceived)
_PHASE_OF = {_SUBMITTED: Phase.COLLECTING, _ATTACHED: Phase.COLLECTING, _SCORED: Phase.JUDGING,
             _RESCORED: Phase.JUDGING, _CAST: Phase.VOTING}
_LABEL = {_SUBMITTED: "submission", _ATTACHED: "material", _SCORED: "card", _RESCORED: "card revision",
          _CAST: "ballot"}


class _Intake(NamedTuple):
    row: ChainRow
    label: str
    batch: str | None  # the batch a ballot names


class IntakeAudit:
    def __init__(self, store: StoreApplication, chain: Chain, public_key: Callable[[], str]) -> None:
        """`public_key` gives the hex Ed25519 key acceptances must be signed with."""
        self.store = store
        self.chain = chain
        self.public_key = public_key

    def check(self, slug: str) -> CheckResult:
        return _Walk(slug, self.public_key(), self.store.mapper.decode_state).run(  # type: ignore[attr-defined]
            self.chain.rows())


class _Walk:
    """One pass over the log in order, keeping the contest's intake not yet covered."""

    def __init__(self, slug: str, public_key: str, decode: Callable[[bytes, str], dict[str, Any]]) -> None:
        self.slug = slug
        self.contest = contest_id(slug).bytes
        self.public_key = public_key
        self.decode = decode
        self.plan: PhasePlan | None = None
        self.own: set[bytes] = set()  # the contest's submissions and cards, by aggregate id
        self.promised: set[str] = set()  # references a received promotion brings
        self.pending: list[_Intake] = []
        self.found: list[Difference] = []
        self.accepted = 0
        self.unsigned = 0

    def run(self, rows: Any) -> CheckResult:
        for row in rows:
            if row.topic in _PHASE_OF:
                self._intake(row)
            elif row.topic in (_ACCEPTANCE, _BATCH):
                self._acceptance(row)
            elif row.originator == self.contest and row.topic in (_ANNOUNCED, _EXTENDED, _PROMOTED_IN):
                self._contest(row)
        self._uncovered(self.pending)
        notes = [f"{self.unsigned} acceptances recorded before they were signed"] if self.unsigned else []
        if len(self.found) > SHOWN:
            notes.append(f"{len(self.found) - SHOWN} more differences not listed")
        return CheckResult(check="intake", recomputed=self.accepted, differences=self.found[:SHOWN],
                           notes=notes)

    def _contest(self, row: ChainRow) -> None:
        state = self.decode(row.state, row.topic)
        if row.topic == _ANNOUNCED:
            self.plan = PhasePlan.model_validate(state["plan"])
        elif row.topic == _EXTENDED and self.plan is not None:
            self.plan = self.plan.with_deadline(Phase(state["phase"]),
                                                datetime.fromisoformat(state["closes_at"]))
        else:
            self.promised.update(state["references"])

    def _intake(self, row: ChainRow) -> None:
        state: dict[str, Any] | None = None
        if row.topic in (_ATTACHED, _RESCORED):
            if row.originator not in self.own:
                return
        else:
            state = self.decode(row.state, row.topic)
            if state["contest"] != self.slug:
                return
            if row.topic != _CAST:
                self.own.add(row.originator)
            if row.topic == _SUBMITTED and state["reference"] in self.promised:
                self.promised.discard(state["reference"])
                return  # covered by the promotion, checked against the sending stage's results
        state = state or self.decode(row.state, row.topic)
        label = f"{_LABEL[row.topic]} {UUID(bytes=row.originator)} at position {row.position}"
        self._check_deadline(label, row.topic, state["timestamp"])
        self.pending.append(_Intake(row, label, state.get("batch")))

    def _check_deadline(self, label: str, topic: str, stamped: str) -> None:
        if self.plan is None:
            return
        phase = _PHASE_OF[topic]
        deadline = self.plan.window(phase).closes_at
        if datetime.fromisoformat(stamped) >= deadline:
            self._differ(label, f"recorded at {stamped}",
                         f"after the {phase} deadline, {describe_moment(deadline)}")

    def _acceptance(self, row: ChainRow) -> None:
        state = self.decode(row.state, row.topic)
        if state["contest"] != self.slug:
            return
        ballots = row.topic == _BATCH
        count = state["accepted"] if ballots else state["count"]
        batch = state["batch"] if ballots else ""
        kind = "ballots" if ballots else state["kind"]
        where = f"acceptance of {count} {kind} at position {row.position}"
        covered = self.pending[len(self.pending) - count:] if count else []
        if len(covered) < count:
            self._differ(where, f"covers {count}", f"only {len(covered)} precede it")
        self._uncovered(self.pending[:len(self.pending) - len(covered)])
        self.pending = []
        self.accepted += len(covered)
        if state.get("digest") is None:
            self.unsigned += 1
            return
        digest = acceptance_digest((id_bytes(i.row.originator), i.row.version, i.row.state) for i in covered)
        if digest != state["digest"]:
            self._differ(where, f"digest {state['digest'][:16]}…",
                         f"the events before it give {digest[:16]}…")
        message = acceptance_message(self.slug, kind, batch, count, state["digest"], state.get("actor"))
        if not signature_holds(self.public_key, message, state["attestation"]):
            self._differ(where, "signed", "not signed by this deployment's key")
        for intake in covered:
            if ballots and intake.batch != batch:
                self._differ(intake.label, f"names batch {intake.batch}", f"accepted by batch {batch}")

    def _uncovered(self, intakes: list[_Intake]) -> None:
        for intake in intakes:
            named = f" (names batch {intake.batch})" if intake.batch else ""
            self._differ(intake.label, f"recorded{named}", "no signed acceptance covers it")

    def _differ(self, where: str, recorded: str, recomputed: str) -> None:
        self.found.append(Difference(check="intake", where=where, recorded=recorded,
                                     recomputed=recomputed))
