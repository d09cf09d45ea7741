"""`Konkurs`: the one command-side application, composed of its command groups."""

from __future__ import annotations

from domain.aggregates import Contest
from domain.application import topic_of
from domain.audit_record import AuditRecordReads
from domain.ballot_intake import BallotIntake
from domain.judging import JudgingCommands
from domain.lifecycle import LifecycleCommands
from domain.participation import ParticipationCommands
from domain.recompute import RecomputeCommands
from domain.registry import RegistryCommands
from domain.stages import StageCommands
from domain.time_travel import TimeTravelReads


class Konkurs(
    LifecycleCommands, BallotIntake, JudgingCommands, RecomputeCommands, StageCommands, RegistryCommands,
    TimeTravelReads, ParticipationCommands, AuditRecordReads,
):
    name = "Konkurs"

    def contest_slugs(self) -> list[str]:
        return [logged.state["slug"] for logged in self.read_log([topic_of(Contest.Announced)])]
