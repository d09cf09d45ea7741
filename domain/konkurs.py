"""`Konkurs`: the one command-side application, composed of its command groups."""

from __future__ import annotations

from domain.aggregates import Contest
from domain.application import topic_of
from domain.ballot_intake import BallotIntake
from domain.chain import ChainCommands
from domain.judging import JudgingCommands
from domain.lifecycle import LifecycleCommands
from domain.participation import ParticipationCommands
from domain.registry import RegistryCommands
from domain.stages import StageCommands


class Konkurs(
    LifecycleCommands, BallotIntake, JudgingCommands, StageCommands, RegistryCommands,
    ParticipationCommands, ChainCommands,
):
    name = "Konkurs"

    def contest_slugs(self) -> list[str]:
        return [logged.state["slug"] for logged in self.read_log([topic_of(Contest.Announced)])]
