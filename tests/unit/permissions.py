"""The permissions matrix's world: a regional stage of region 75 brought to each state a command
needs, the actors of every role, and each state-changing command with the roles that may send it.

Shared by the matrix through the services and the matrix through the CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from domain.actors import Actor, Role, Scope, actor_for
from domain.aggregates import Applicant
from domain.aggregates.registry import RegistryRow
from domain.commands.contest import (
    Announce,
    ReceivePromotion,
    RecordCancellation,
    RecordExtension,
    RecordPhaseChange,
    SettlePromotion,
)
from domain.commands.credentials import IssueToken, RevokeToken
from domain.commands.intake import BallotInput, CastBallots, RecordReviews, ReviewForm, SubmissionForm, Submit
from domain.commands.judging import EnrollExperts, Recuse, RemindExperts
from domain.commands.order import ContestOrder
from domain.commands.participation import MunicipalReportRow, RecordMunicipalReports
from domain.commands.registry import ImportMunicipalities, ImportRegistry, MunicipalityRow
from domain.errors import PromotionConflict
from domain.phases import Phase
from domain.promotion import PromotionBatch
from domain.spec import ContestSpec
from services.konkurs import Konkurs
from tests.factories import DAY, OPERATOR, close_phase, expert_actor, expert_panel, inn, spec_data

SLUG = "stage-75"
START = datetime(2030, 1, 10, tzinfo=UTC)
APPLICANT_INN = inn("75", 1)
KEY = b"permissions-voter-key"

OPERATORS = frozenset({"federal operator", "regional operator of 75"})
FEDERAL = frozenset({"federal operator"})


@dataclass
class World:
    """What a state left behind for a command and its actors: the expert assigned to `submission`."""

    konkurs: Konkurs
    expert: str = "E0"
    submission: str = "A1"
    extra: dict[str, Any] = field(default_factory=dict)


def spec() -> ContestSpec:
    data = spec_data(START, SLUG, voting=True) | {"level": "regional", "region": "75"}
    return ContestSpec.model_validate(data)


ROLES: dict[str, Callable[[World], Actor]] = {
    "federal operator": lambda _: OPERATOR,
    "federal operator of another contest": lambda _: actor_for(
        Role.FEDERAL_OPERATOR, "ministry-other", Scope(contests=("other-contest",))),
    "regional operator of 75": lambda _: actor_for(Role.REGIONAL_OPERATOR, "zabaikalsky", Scope(region="75")),
    "regional operator of 23": lambda _: actor_for(Role.REGIONAL_OPERATOR, "kuban", Scope(region="23")),
    "expert": lambda world: expert_actor(SLUG, world.expert),
    "applicant": lambda _: actor_for(Role.APPLICANT, "school-1", Scope(inn=APPLICANT_INN)),
    "portal": lambda _: actor_for(Role.PORTAL, "vote-portal", Scope(contests=(SLUG,))),
    "portal of another contest": lambda _: actor_for(Role.PORTAL, "other-portal",
                                                     Scope(contests=("other-contest",))),
    "auditor": lambda _: actor_for(Role.AUDITOR, "accounts-chamber"),
}


def close(konkurs: Konkurs, phase: Phase) -> None:
    close_phase(konkurs, SLUG, phase, f"close:{phase}")


def fresh(konkurs: Konkurs) -> World:
    return World(konkurs)


def collecting(konkurs: Konkurs) -> World:
    stage = spec()
    konkurs.contests.announce(Announce(spec=stage, plan=stage.phase_plan(), command_id="announce",
                                       actor=OPERATOR))
    close(konkurs, Phase.ANNOUNCED)
    return World(konkurs)


def reporting(konkurs: Konkurs) -> World:
    """Collecting, with a participation drive that asks for reports, and Chita on the roster."""
    stage = ContestSpec.model_validate(spec().model_dump(mode="json") | {"participation": {
        "target": {"absolute": 1}, "review": {"every_days": 7}, "report_by": "2030-02-01"}})
    konkurs.contests.announce(Announce(spec=stage, plan=stage.phase_plan(), command_id="announce",
                                       actor=OPERATOR))
    close(konkurs, Phase.ANNOUNCED)
    konkurs.participation.import_municipalities(ImportMunicipalities(
        rows=[("m.csv:2", MunicipalityRow(oktmo="76601000", name="Чита", region="75"))], actor=OPERATOR))
    return World(konkurs)


def submission(reference: str, applicant_inn: str | None = None) -> tuple[str, SubmissionForm]:
    applicant = Applicant(name=f"Школа {reference}", kind="ngo", region="75", inn=applicant_inn)
    return f"form {reference}", SubmissionForm(
        reference=reference, nomination="HC-1", title=f"Практика {reference}", applicant=applicant)


def collected(konkurs: Konkurs) -> World:
    world = collecting(konkurs)
    konkurs.submissions.submit(Submit(
        slug=SLUG, forms=[submission("A1"), submission("A2"), submission("B1", APPLICANT_INN)],
        actor=OPERATOR))
    close(konkurs, Phase.COLLECTING)
    return world


def judging(konkurs: Konkurs) -> World:
    world = collected(konkurs)
    konkurs.judging.enroll_experts(EnrollExperts(slug=SLUG, profiles=expert_panel(5), actor=OPERATOR))
    konkurs.results.conclude_screening(ContestOrder(slug=SLUG, command_id="screen", actor=OPERATOR))
    close(konkurs, Phase.SCREENING)
    konkurs.judging.assign_experts(ContestOrder(slug=SLUG, command_id="assign", actor=OPERATOR))
    [judging_hc1] = [j for j in konkurs.reads.judgings(spec()).values() if j.nomination == "HC-1"]
    world.expert = judging_hc1.assigned["A1"][0]
    return world


def card(world: World, impact: float = 8) -> tuple[str, ReviewForm]:
    return f"card A1/{world.expert}", ReviewForm(
        submission="A1", expert=world.expert, scores={"impact": impact, "replicable": 3})


def judged(konkurs: Konkurs) -> World:
    world = judging(konkurs)
    for judging_ in konkurs.reads.judgings(spec()).values():
        for reference, experts in judging_.assigned.items():
            for expert in experts:
                konkurs.submissions.record_reviews(
                    RecordReviews(
                        slug=SLUG,
                        actor=expert_actor(SLUG, expert),
                        forms=[
                            (
                                f"card {reference}/{expert}",
                                ReviewForm(
                                    submission=reference, expert=expert, scores={"impact": 7, "replicable": 3}
                                ),
                            )
                        ],
                    )
                )
    close(konkurs, Phase.JUDGING)
    return world


def voting(konkurs: Konkurs) -> World:
    world = judged(konkurs)
    konkurs.results.conclude_judging(ContestOrder(slug=SLUG, command_id="judge", actor=OPERATOR))
    contest = konkurs.store.get_contest(SLUG)
    assert contest.judging is not None
    world.extra["shortlisted"] = contest.judging.shortlist["HC-1"][0]
    return world


def voted(konkurs: Konkurs) -> World:
    world = voting(konkurs)
    close(konkurs, Phase.VOTING)
    return world


def with_token(konkurs: Konkurs) -> World:
    issued = konkurs.credentials.issue(IssueToken(
        role=Role.EXPERT, id="E9", scope=Scope(contests=(SLUG,)), actor=OPERATOR))
    return World(konkurs, extra={"token_id": issued.token_id})


@dataclass(frozen=True)
class Case:
    """One state-changing command: the state it needs, the call, and the roles that may make it."""

    state: Callable[[Konkurs], World]
    call: Callable[[World, Actor], Any]
    allowed: frozenset[str]


def ballot(world: World) -> BallotInput:
    return BallotInput(voter="citizen-1", nomination="HC-1", submission=world.extra["shortlisted"],
                       region="75")


def past_the_rights(call: Callable[[], Any]) -> None:
    """The promotion below names a stage that never published: a caller with the right gets past
    the rights check to the check of its content, which refuses it."""
    with pytest.raises(PromotionConflict, match=r"no contest stage-75-district"):
        call()


def promotion() -> PromotionBatch:
    return PromotionBatch(stage="stage-75-district", region="75", federal=SLUG, entries=[])


SERVICE_CASES: dict[str, Case] = {
    "announce": Case(fresh, lambda w, a: w.konkurs.contests.announce(
        Announce(spec=spec(), plan=spec().phase_plan(), command_id="announce", actor=a)), OPERATORS),
    "close a phase": Case(collecting, lambda w, a: w.konkurs.contests.change_phase(RecordPhaseChange(
        slug=SLUG, closed=Phase.COLLECTING, cause="operator", reason="", command_id="early", actor=a)),
        OPERATORS),
    "extend a deadline": Case(collecting, lambda w, a: w.konkurs.contests.extend_deadline(RecordExtension(
        slug=SLUG, phase=Phase.COLLECTING, reason="просьба регионов", command_id="extend", actor=a,
        closes_at=spec().phase_plan().window(Phase.COLLECTING).closes_at + timedelta(days=5))), OPERATORS),
    "cancel": Case(collecting, lambda w, a: w.konkurs.contests.cancel(
        RecordCancellation(slug=SLUG, reason="отменён", command_id="cancel", actor=a)), OPERATORS),
    "file a submission": Case(collecting, lambda w, a: w.konkurs.submissions.submit(
        Submit(slug=SLUG, forms=[submission("B1", APPLICANT_INN)], actor=a)), OPERATORS | {"applicant"}),
    "enroll experts": Case(collecting, lambda w, a: w.konkurs.judging.enroll_experts(
        EnrollExperts(slug=SLUG, profiles=expert_panel(1), actor=a)), OPERATORS),
    "import municipalities": Case(fresh, lambda w, a: w.konkurs.participation.import_municipalities(
        ImportMunicipalities(rows=[("m.csv:2", MunicipalityRow(oktmo="76601000", name="Чита", region="75"))],
                             actor=a)), OPERATORS),
    "record a municipal report": Case(reporting, lambda w, a: w.konkurs.participation.record_reports(
        RecordMunicipalReports(slug=SLUG, actor=a, rows=[
            ("--municipality", MunicipalReportRow(oktmo="76601000", received=date(2030, 1, 30)))])),
        OPERATORS),
    "import a registry": Case(fresh, lambda w, a: w.konkurs.registry.import_registry(ImportRegistry(
        registry="providers", actor=a, rows=[("r.csv:2", RegistryRow(
            inn=APPLICANT_INN, name="Школа", region="75", entered_on=date(2020, 1, 1)))])), FEDERAL),
    "conclude screening": Case(collected, lambda w, a: w.konkurs.results.conclude_screening(
        ContestOrder(slug=SLUG, command_id="screen", actor=a)), OPERATORS),
    "assign experts": Case(judging, lambda w, a: w.konkurs.judging.assign_experts(
        ContestOrder(slug=SLUG, command_id="assign-again", actor=a)), OPERATORS),
    "record a card": Case(judging, lambda w, a: w.konkurs.submissions.record_reviews(
        RecordReviews(slug=SLUG, forms=[card(w)], actor=a)), frozenset({"expert"})),
    "recuse": Case(judging, lambda w, a: w.konkurs.judging.recuse(
        Recuse(slug=SLUG, submission="A1", expert=w.expert, reason="консультировал", actor=a)),
        OPERATORS | {"expert"}),
    "remind experts": Case(judging, lambda w, a: w.konkurs.judging.remind_experts(RemindExperts(
        slug=SLUG, nomination="HC-1", closes_at=START + 120 * DAY, command_id="remind", actor=a)), OPERATORS),
    "conclude judging": Case(judged, lambda w, a: w.konkurs.results.conclude_judging(
        ContestOrder(slug=SLUG, command_id="judge", actor=a)), OPERATORS),
    "cast ballots": Case(voting, lambda w, a: w.konkurs.ballots.cast_ballots(
        CastBallots(slug=SLUG, ballots=[ballot(w)], voter_key=KEY, actor=a)), OPERATORS | {"portal"}),
    "tally the vote": Case(voted, lambda w, a: w.konkurs.results.tally_votes(
        ContestOrder(slug=SLUG, command_id="tally", actor=a)), OPERATORS),
    "take promoted winners": Case(collecting, lambda w, a: past_the_rights(
        lambda: w.konkurs.contests.receive_promotion(
            ReceivePromotion(federal=SLUG, batch=promotion(), command_id="promotion", actor=a))),
        OPERATORS),
    "settle a promotion": Case(collecting, lambda w, a: w.konkurs.contests.settle_promotion(SettlePromotion(
        slug=SLUG, federal="federal-2030", refusal=None, references=[], command_id="promote", actor=a)),
        OPERATORS),
    "issue a token": Case(fresh, lambda w, a: w.konkurs.credentials.issue(IssueToken(
        role=Role.PORTAL, id="portal-2", scope=Scope(contests=(SLUG,)), actor=a)), FEDERAL),
    "revoke a token": Case(with_token, lambda w, a: w.konkurs.credentials.revoke(
        RevokeToken(token_id=w.extra["token_id"], reason="утерян", actor=a)), FEDERAL),
}
