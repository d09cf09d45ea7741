"""Expert judging at national scale on the time-skipping server: 13 nominations, 5,000 admitted
submissions from all 89 regions and 200 experts, judged by one child workflow per nomination
from the assignment to the published results."""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from domain.aggregates import Applicant, ExpertProfile, Judging
from domain.aggregates.judging import judging_id
from domain.commands.intake import SubmissionForm, Submit
from domain.commands.judging import EnrollExperts
from domain.phases import Phase
from domain.regions import REGIONS
from domain.rules.assignment import Entry, Reviewer, conflict_reason
from domain.spec import ContestSpec
from services.konkurs import Konkurs
from store.log import topic_of
from tests.factories import DAY, OPERATOR, cards_for_assignments, record_cards
from tests.factories import spec_data as contest_spec_data
from tests.workflows.driving import phase_becomes, signed_input
from workflows.contest import ContestWorkflow
from workflows.models import PanelResult

pytestmark = pytest.mark.slow

SUBMISSIONS = 5000
EXPERTS = 200
REVIEWERS = 3
REMINDER_DAYS = 7
DIRECTIONS = {"health": 5, "social": 4, "education": 4}  # 13 nominations
MUNICIPALITIES = ("городской округ", "муниципальный район", "сельское поселение")
# Observed: health experts carry 74–75 cards each, social and education experts 75–76: max − min = 1.
BALANCE_BOUND = 1


def spec_data(start: datetime, slug: str) -> dict[str, Any]:
    """The test contest's schedule and criteria, with three directions, 13 nominations, per-direction
    panels and z-scores, and no public vote."""
    data = contest_spec_data(start, slug, voting=False)
    data["title"] = "Конкурс в национальном масштабе"
    data["directions"] = [
        {"code": direction, "title": f"Направление {direction}", "nominations": [
            {"code": f"{direction}-{k}", "title": f"Номинация {direction} {k}"}
            for k in range(1, count + 1)
        ]}
        for direction, count in DIRECTIONS.items()
    ]
    data["judging"].update(panels="per_direction", reviewers_per_submission=REVIEWERS,
                           normalisation="zscore", exclude_own_region=True,
                           reminder_days_before_close=REMINDER_DAYS)
    data["places_per_nomination"] = 3
    return data


def submission_forms(spec: ContestSpec) -> list[tuple[str, SubmissionForm]]:
    """Round-robin over the 89 regions and the 13 nominations; 40 applicant organisations per
    region, each with its INN, in one of three municipalities."""
    nominations = [n.code for n in spec.nominations]
    forms = []
    for index in range(SUBMISSIONS):
        region = REGIONS[index % len(REGIONS)].code
        organisation = index % 40
        forms.append((f"row {index + 1}", SubmissionForm(
            reference=f"P-{index + 1:05d}", nomination=nominations[index % len(nominations)],
            title=f"Практика {index + 1}",
            applicant=Applicant(
                name=f"ГБУ «Центр {region}-{organisation}»",
                kind="state_institution" if index % 2 else "ngo", region=region,
                inn=f"{region}{organisation:08d}", municipality=MUNICIPALITIES[index % 3]),
        )))
    return forms


def expert_profiles() -> list[tuple[str, ExpertProfile]]:
    """Directions get experts in proportion to their nominations (78/61/61). A third are federal;
    experts live all over the country; every tenth works for an applicant organisation of their
    region and every fourth names a municipality, so the conflict checks find real conflicts."""
    total = sum(DIRECTIONS.values())
    shares = {d: count * EXPERTS // total for d, count in DIRECTIONS.items()}
    shares["health"] += EXPERTS - sum(shares.values())
    rows = []
    for direction, share in shares.items():
        for number in range(share):
            region = REGIONS[(number * 7 + len(direction)) % len(REGIONS)].code
            tied = number % 10 == 7
            rows.append((f"expert row {direction} {number}", ExpertProfile(
                id=f"{direction}-{number + 1:03d}", name=f"Эксперт {direction} {number + 1}",
                organisation=f"ГБУ «Центр {region}-{number % 40}»" if tied else f"Экспертный совет {number}",
                inn=f"{region}{number % 40:08d}" if tied else None, region=region,
                municipality=MUNICIPALITIES[number % 3] if number % 4 == 1 else None,
                level="federal" if number % 3 == 0 else "regional", directions=[direction],
            )))
    return rows


def _hashed(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16)


def impact(submission: str, expert: str) -> int:
    """A deterministic 0–10 impact score: the submission's quality, one lenient expert in five,
    and a point of noise."""
    lenient = 2 if _hashed(expert) % 5 == 0 else 0
    return min(10, _hashed(submission) % 8 + lenient + _hashed(f"{submission}/{expert}") % 2)


def reminders(konkurs: Konkurs, slug: str, spec: ContestSpec) -> dict[str, dict[str, Any]]:
    """The ExpertsReminded events' state, by nomination."""
    ids = {judging_id(slug, n.code): n.code for n in spec.nominations}
    return {
        ids[logged.originator_id]: logged.state
        for logged in konkurs.store.read_log([topic_of(Judging.ExpertsReminded)])
        if logged.originator_id in ids
    }


async def test_thirteen_nominations_with_5000_submissions_and_200_experts_are_judged_to_the_end(
    client: Client, time_skipping_env: WorkflowEnvironment, konkurs: Konkurs
) -> None:
    env = time_skipping_env
    slug = f"scale-{uuid.uuid4().hex[:8]}"
    spec = ContestSpec.model_validate(spec_data(await env.get_current_time() + timedelta(hours=1), slug))
    assert len(spec.nominations) == 13
    handle = await client.start_workflow(
        ContestWorkflow.run,
        signed_input(client, spec),
        id=f"contest-{slug}", task_queue=client.test_queue,  # type: ignore[attr-defined]
    )

    # Collection: the roster and every submission, from all 89 regions.
    await env.sleep(2 * DAY)
    await phase_becomes(handle, Phase.COLLECTING, 120)
    profiles = expert_profiles()
    enroll = EnrollExperts(slug=slug, profiles=profiles, actor=OPERATOR)
    enrolled = await asyncio.to_thread(konkurs.judging.enroll_experts, enroll)
    assert enrolled.recorded == EXPERTS
    forms = submission_forms(spec)
    assert {form.applicant.region for _, form in forms} == {r.code for r in REGIONS}
    submitted = await asyncio.to_thread(
        konkurs.submissions.submit, Submit(slug=slug, forms=forms, actor=OPERATOR)
    )
    assert submitted.recorded == SUBMISSIONS

    # Collection and screening close by their deadlines; judging opens with every assignment.
    await env.sleep(60 * DAY)
    await phase_becomes(handle, Phase.SCREENING, 120)
    assert konkurs.store.get_contest(slug).screening.admitted == SUBMISSIONS  # type: ignore[union-attr]
    await env.sleep(15 * DAY)
    await phase_becomes(handle, Phase.JUDGING, 120)

    # Before the reminder: the first nomination is fully scored, the others only in part.
    cards = await asyncio.to_thread(cards_for_assignments, konkurs, slug, impact)
    assert len(cards) == SUBMISSIONS * REVIEWERS
    first = spec.nominations[0].code
    nomination_of = {form.reference: form.nomination for _, form in forms}

    def early(form: Any) -> bool:
        return nomination_of[form.submission] == first or int(form.submission[2:]) % 2 == 0

    before = [card for card in cards if early(card[1])]
    after = [card for card in cards if not early(card[1])]
    scored = await asyncio.to_thread(
        record_cards, konkurs, slug, before
    )
    assert scored.recorded == len(before)

    # The reminder goes out REMINDER_DAYS before the close, to experts with open cards.
    closes_at = spec.phase_plan().window(Phase.JUDGING).closes_at
    now = await env.get_current_time()
    await env.sleep((closes_at - now) - (REMINDER_DAYS - 1) * DAY)
    deadline = time.monotonic() + 120
    while len(sent := reminders(konkurs, slug, spec)) < len(spec.nominations):
        assert time.monotonic() < deadline, f"reminders only for {sorted(sent)}"
        await asyncio.sleep(0.1)
    assert (await handle.query(ContestWorkflow.state)).phase == Phase.JUDGING
    assert sent[first]["reminders"] == []
    open_pairs = {(f.expert, f.submission) for _, f in after}
    reminded = {
        (reminder["expert"], submission)
        for state in sent.values()
        for reminder in state["reminders"]
        for submission in reminder["open_cards"]
    }
    assert reminded == open_pairs
    assert all(state["closes_at"] == closes_at.isoformat() for state in sent.values())

    # The rest of the cards, then the close, the rankings and the published results.
    rescored = await asyncio.to_thread(
        record_cards, konkurs, slug, after
    )
    assert rescored.recorded == len(after)
    result = await handle.result()
    assert result.final_phase == Phase.CLOSED

    for nomination in spec.nominations:
        panel: PanelResult = await client.get_workflow_handle(
            f"contest-{slug}-judging-{nomination.code}", result_type=PanelResult
        ).result()
        assert panel.reminders == 1

    # Every nomination's judging recorded its ranking of every admitted submission.
    judgings = konkurs.reads.judgings(spec)
    assert set(judgings) == {n.code for n in spec.nominations}
    per_nomination = Counter(nomination_of.values())
    for code, judging in judgings.items():
        assert judging.ranking is not None, code
        assert len(judging.ranking.entries) == per_nomination[code]
        assert judging.ranking.unreviewed == [] and judging.ranking.under_reviewed == {}
        assert [e.place for e in judging.ranking.entries] == list(range(1, per_nomination[code] + 1))
        assert judging.shortfalls == {}

    # Three distinct experts per submission, from the nomination's direction, none conflicted.
    experts = {profile.id: profile for _, profile in profiles}
    applicants = {form.reference: form for _, form in forms}
    direction_of = {n.code: d.code for d in spec.directions for n in d.nominations}
    load = Counter[str]()
    for code, judging in judgings.items():
        assert set(judging.assigned) == {ref for ref, nom in nomination_of.items() if nom == code}
        for reference, assigned in judging.assigned.items():
            assert len(assigned) == len(set(assigned)) == REVIEWERS, reference
            form = applicants[reference]
            entry = Entry(
                reference=reference,
                organisation=form.applicant.name,
                inn=form.applicant.inn,
                region=form.applicant.region,
                municipality=form.applicant.municipality,
            )
            for expert in assigned:
                profile = experts[expert]
                assert direction_of[code] in profile.directions
                reviewer = Reviewer(
                    id=expert,
                    organisation=profile.organisation,
                    inn=profile.inn,
                    region=profile.region,
                    municipality=profile.municipality,
                    level=profile.level,
                )
                assert conflict_reason(reviewer, entry, exclude_own_region=True) is None, (reference, expert)
            load.update(assigned)
    conflicts = Counter(reason for j in judgings.values() for reason in j.conflicts.values())
    assert {
        "same INN as the applicant",
        "same municipality as the applicant",
        "regional expert of the applicant's region",
    } <= set(conflicts)

    # Load is balanced within each direction.
    for direction in spec.directions:
        cards_per_expert = [load[e.id] for e in experts.values() if direction.code in e.directions]
        assert len(cards_per_expert) == sum(1 for e in experts.values() if direction.code in e.directions)
        assert max(cards_per_expert) - min(cards_per_expert) <= BALANCE_BOUND, (
            direction.code,
            min(cards_per_expert),
            max(cards_per_expert),
        )

    # The contest's judging outcome carries the 13 rankings and counts every card.
    contest = konkurs.store.get_contest(slug)
    outcome = contest.judging
    assert outcome is not None
    assert [r.nomination for r in outcome.rankings] == [n.code for n in spec.nominations]
    assert outcome.reviews_counted == SUBMISSIONS * REVIEWERS and outcome.reviews_late == 0
    assert outcome.normalisation == "zscore"
    assert len(outcome.leniency) == EXPERTS
    assert contest.published
    assert contest.results is not None and len(contest.results.winners) == 13 * 3
