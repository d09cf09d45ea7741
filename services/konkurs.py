"""`Konkurs`: the application services over one shared store application."""

from __future__ import annotations

from collections.abc import Mapping

from services.audit_record import AuditRecords
from services.ballots import BallotService
from services.chain import Chain
from services.conclusions import ResultsService
from services.contests import ContestService
from services.judging import JudgingService
from services.judging_reads import JudgingReads
from services.participation import ParticipationService
from services.recompute import AuditService
from services.registry import RegistryService
from services.submissions import SubmissionService
from services.time_travel import TimeTravel
from store.application import StoreApplication


class Konkurs:
    """Every service, built once over one store: what the CLI, the worker and the API call.

    Services take their collaborators in their constructors; none inherits another, so the
    audit reads the rules it recomputes with and never the command side's internals.
    """

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.store = StoreApplication(env=env)
        self.reads = JudgingReads(self.store)
        self.chain = Chain(self.store)
        self.contests = ContestService(self.store)
        self.submissions = SubmissionService(self.store)
        self.ballots = BallotService(self.store, self.reads)
        self.judging = JudgingService(self.store, self.reads)
        self.results = ResultsService(self.store, self.reads, self.chain)
        self.registry = RegistryService(self.store)
        self.participation = ParticipationService(self.store)
        self.audit = AuditService(self.store, self.results, self.reads, self.chain)
        self.audit_records = AuditRecords(self.store)
        self.time_travel = TimeTravel(self.store)

    def close(self) -> None:
        self.store.close()
