"""Specs and forms for tests, with schedules measured from a given moment."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from domain.actors import Role, actor_for
from domain.aggregates import Applicant
from domain.commands.contest import Announce, RecordPhaseChange
from domain.commands.intake import SubmissionForm
from domain.spec import ContestSpec
from konkurs.population import expert_actor, record_cards

__all__ = ["expert_actor", "record_cards"]

DAY = timedelta(days=1)

OPERATOR = actor_for(Role.FEDERAL_OPERATOR, "test-operator")
"""The federal operator the tests act as, unless a test is about who acts."""


def spec_data(start: datetime, slug: str = "test-contest", voting: bool = True) -> dict[str, Any]:
    """A small federal contest whose phases last months, starting at `start`."""
    moments = {
        "announced": start,
        "collection_closes": start + 60 * DAY,
        "screening_closes": start + 75 * DAY,
        "judging_closes": start + 120 * DAY,
        "results_published": start + 180 * DAY,
    }
    if voting:
        moments["voting_closes"] = start + 150 * DAY
    return {
        "slug": slug,
        "title": "Тестовый конкурс",
        "organisers": ["АСИ"],
        "level": "federal",
        "directions": [
            {
                "code": "health",
                "title": "Здравоохранение",
                "nominations": [
                    {"code": "HC-1", "title": "Запись к врачу"},
                    {"code": "HC-2", "title": "Лекарственное обеспечение"},
                ],
            }
        ],
        "schedule": {key: value.isoformat() for key, value in moments.items()},
        "eligibility": {"applicant_kinds": ["state_institution", "ngo"]},
        "judging": {
            "criteria": [
                {"code": "impact", "title": "Результат", "weight": 2},
                {"code": "replicable", "title": "Тиражируемость", "weight": 1,
                 "scale": {"min": 1, "max": 5}},
            ]
        },
        "voting": {"enabled": voting, "shortlist_size": 2},
        "places_per_nomination": 2,
    }


def make_spec(start: datetime, slug: str = "test-contest", voting: bool = True) -> ContestSpec:
    return ContestSpec.model_validate(spec_data(start, slug, voting))


def practice_forms(
    entries: Iterable[tuple[Any, ...]], region: str = "23"
) -> list[tuple[str, SubmissionForm]]:
    """One practice per (reference, nomination, applicant kind[, region]), labelled by its reference."""
    return [
        (ref, SubmissionForm(reference=ref, nomination=nomination, title=f"Practice {ref}",
                             applicant=Applicant(name=f"Applicant {ref}", kind=kind,
                                                 region=where[0] if where else region)))
        for ref, nomination, kind, *where in entries
    ]


def expert_panel(count: int = 6, directions: tuple[str, ...] = ("health",)) -> list[tuple[str, Any]]:
    """Federal experts with no ties to any applicant, labelled like roster rows."""
    from domain.aggregates import ExpertProfile

    return [
        (f"expert row {k}", ExpertProfile(
            id=f"E{k}", name=f"Эксперт {k}", organisation=f"Экспертный центр {k}",
            region="77", level="federal", directions=list(directions)))
        for k in range(count)
    ]


def cards_for_assignments(
    konkurs: Any, slug: str, score: Any = None
) -> list[tuple[str, Any]]:
    """One card for every assigned (submission, expert) pair; `score(submission, expert)` gives
    the impact score (0–10), 7 by default."""
    from domain.commands.intake import ReviewForm

    spec = konkurs.store.get_contest(slug).spec
    forms = []
    for judging in konkurs.reads.judgings(spec).values():
        for submission, experts in sorted(judging.assigned.items()):
            for expert in experts:
                impact = score(submission, expert) if score else 7
                forms.append((f"card {submission}/{expert}", ReviewForm(
                    submission=submission, expert=expert,
                    scores={"impact": impact, "replicable": 3})))
    return forms


def voting_contest(
    konkurs: Any, slug: str = "vote-test", per_voter: int = 1, voting: dict[str, Any] | None = None
) -> dict[str, list[str]]:
    """A contest brought straight to its vote, with a shortlist of three per nomination; `voting`
    sets more of the spec's voting section."""
    from datetime import UTC, datetime

    from domain.outcomes import JudgingOutcome
    from domain.phases import Phase

    data = spec_data(datetime.now(UTC) + DAY, slug=slug, voting=True)
    data["voting"]["ballots_per_voter_per_nomination"] = per_voter
    data["voting"].update(voting or {})
    spec = ContestSpec.model_validate(data)
    konkurs.contests.announce(
        Announce(spec=spec, plan=spec.phase_plan(), command_id="announce", actor=OPERATOR)
    )
    for phase in (Phase.ANNOUNCED, Phase.COLLECTING, Phase.SCREENING):
        close_phase(konkurs, slug, phase, f"close:{phase}", cause="test")
    shortlist = {n.code: [f"{n.code}-{k}" for k in range(3)] for n in spec.nominations}
    contest = konkurs.store.get_contest(slug)
    contest.conclude_judging(
        JudgingOutcome(
            judging_closed_at=0, reviews_counted=0, reviews_late=0, rankings=[], shortlist=shortlist
        ),
        "judged",
    )
    konkurs.store.save(contest, actor=OPERATOR)
    close_phase(konkurs, slug, Phase.JUDGING, "close:judging", cause="test")
    return shortlist


def inn(region: str, number: int) -> str:
    """A ten-digit INN of the region whose check digit is right."""
    body = f"{region}{number:07d}"
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    return body + str(sum(w * int(d) for w, d in zip(weights, body, strict=True)) % 11 % 10)


def close_phase(konkurs: Any, slug: str, phase: Any, command_id: str, cause: str = "deadline") -> None:
    """Record `phase` closed, at its deadline unless `cause` says otherwise, as the contest's
    workflow would."""
    konkurs.contests.change_phase(RecordPhaseChange(
        slug=slug, closed=phase, cause=cause, reason="", command_id=command_id, actor=OPERATOR))
