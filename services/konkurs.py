"""`Konkurs`: the application services over one shared store application."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

from services.acceptances import Acceptances
from services.applicant_desk import ApplicantDesk
from services.audit_record import AuditRecords
from services.ballots import BallotService
from services.chain import Chain
from services.checkpoints import Checkpoints
from services.conclusions import ResultsService
from services.contests import ContestService
from services.credentials import Credentials, IdentityProvider
from services.expert_desk import ExpertDesk
from services.expert_reads import ExpertReads
from services.forget import ForgetService
from services.judging import JudgingService
from services.judging_reads import JudgingReads
from services.participation import ParticipationService
from services.receipts import Receipts
from services.recompute import AuditService
from services.registry import RegistryService
from services.senders import Senders
from services.signing import SigningKey
from services.submission_reads import SubmissionReads
from services.submissions import SubmissionService
from services.time_travel import TimeTravel
from store.application import StoreApplication


class Konkurs:
    """Every service, built once over one store: what the CLI, the worker and the API call.

    Services take their collaborators in their constructors; none inherits another, so the
    audit reads the rules it recomputes with and never the command side's internals.
    """

    def __init__(
        self, env: Mapping[str, str] | None = None, identity: IdentityProvider | None = None,
        actor_key: Callable[[], bytes] | None = None, signing_key: Callable[[], bytes] | None = None,
        checkpoints_path: Path | None = None,
    ) -> None:
        """`identity` verifies OpenID Connect tokens; without one only Konkurs's own tokens work.
        `actor_key` gives the key that signs and checks actors sent over Temporal, when first
        needed: the CLI, the API and the worker must share it; without one, a key of this
        process alone. `signing_key` gives the seed of the Ed25519 key that signs acceptances
        and chain heads; without one, a key of this process alone. `checkpoints_path` is the
        file the signed chain heads are appended to, one at each seal; without one, none are."""
        self.store = StoreApplication(env=env)
        self.signing = SigningKey(signing_key or _process_seed)
        self.acceptances = Acceptances(self.signing)
        self.credentials = Credentials(self.store, identity)
        self.senders = Senders(actor_key or _process_key, self.credentials)
        self.reads = JudgingReads(self.store)
        self.chain = Chain(self.store)
        self.checkpoints = Checkpoints(self.chain, self.signing, checkpoints_path)
        self.chain.on_seal = self.checkpoints.sealed
        self.contests = ContestService(self.store)
        self.submissions = SubmissionService(self.store, self.acceptances)
        self.submission_reads = SubmissionReads(self.store, self.reads)
        self.expert_desk = ExpertDesk(self.store, self.submission_reads)
        self.expert_reads = ExpertReads(self.store, self.reads, self.submission_reads)
        self.applicant_desk = ApplicantDesk(self.store, self.submission_reads)
        self.ballots = BallotService(self.store, self.reads, self.acceptances)
        self.receipts = Receipts(self.store)
        self.judging = JudgingService(self.store, self.reads)
        self.results = ResultsService(self.store, self.reads, self.chain)
        self.registry = RegistryService(self.store)
        self.participation = ParticipationService(self.store)
        self.audit = AuditService(self.store, self.results, self.reads, self.chain,
                                  lambda: self.signing.public_hex)
        self.audit_records = AuditRecords(self.store)
        self.time_travel = TimeTravel(self.store)
        self.forget = ForgetService(self.store)

    def close(self) -> None:
        self.store.close()


@cache
def _process_key() -> bytes:
    return secrets.token_bytes(32)


@cache
def _process_seed() -> bytes:
    return secrets.token_hex(32).encode()
