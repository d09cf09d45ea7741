"""Stages: regional specs from a federal template, and promotions recorded once, by log order."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from temporalio.testing import ActivityEnvironment

from activities.stages import StageActivities
from domain.aggregates import Applicant, Submission
from domain.commands.contest import Announce, ReceivePromotion
from domain.commands.intake import SubmissionForm, Submit
from domain.commands.order import ContestOrder
from domain.errors import InvalidCommand, KonkursError, SpecError
from domain.outcomes import ContestResults, Standing
from domain.phases import Phase
from domain.rules.stages import advancing, regional_stage_specs
from domain.spec import ApplicantKind, ContestSpec
from konkurs.spec_files import parse_spec
from services.konkurs import Konkurs
from store.log import topic_of
from tests.factories import OPERATOR, close_phase, spec_data

START = datetime(2031, 1, 20, 9, tzinfo=UTC)


def federal_data(**template: Any) -> dict[str, Any]:
    data = spec_data(START, slug="fed", voting=False)
    data["regional_stages"] = {
        "regions": ["75", "23"], "slug": "reg-{region}", "title": "Этап: {region_name}",
        "organisers": ["Минсоцзащиты: {region_name}"],
        "schedule": {"announced": "2031-01-20", "collection_closes": "2031-03-01",
                     "screening_closes": "2031-03-15", "judging_closes": "2031-04-25",
                     "results_published": "2031-04-30"},
        **template,
    }
    return data


def test_a_federal_template_gives_one_regional_stage_per_region() -> None:
    federal = ContestSpec.model_validate(federal_data(timezone="Asia/Chita"))
    stages = regional_stage_specs(federal)
    assert [(s.slug, s.region, s.level) for s in stages] == [
        ("reg-75", "75", "regional"), ("reg-23", "23", "regional")]
    zabaikalsky = stages[0]
    assert zabaikalsky.title == "Этап: Забайкальский край"
    assert zabaikalsky.organisers == ["Минсоцзащиты: Забайкальский край"]
    assert zabaikalsky.eligibility.regions == ["75"]
    assert zabaikalsky.promotion is not None and zabaikalsky.promotion.federal == "fed"
    assert zabaikalsky.promotion.places == [1]
    assert zabaikalsky.nominations == federal.nominations
    assert zabaikalsky.schedule.collection_closes == date(2031, 3, 1)
    closes = zabaikalsky.phase_plan().window(Phase.COLLECTING).closes_at
    assert closes.isoformat() == "2031-03-02T00:00:00+09:00"  # the whole of 1 March, Chita time


def test_all_regions_means_the_eighty_nine() -> None:
    stages = regional_stage_specs(ContestSpec.model_validate(federal_data(regions="all")))
    assert len(stages) == 89 and len({s.slug for s in stages}) == 89


@pytest.mark.parametrize(("change", "where", "message"), [
    ({"level": "regional", "region": "75"}, "regional_stages", "only a federal stage declares"),
    ({"regional_stages": {**federal_data()["regional_stages"], "places": [3]}},
     "regional_stages.places.0", "place 3 is not awarded"),
    ({"regional_stages": {**federal_data()["regional_stages"], "slug": "reg-{oblast}"}},
     "regional_stages.slug", "only {region} and {region_name}"),
    ({"promotion": {"federal": "other"}}, "promotion", "only a regional stage promotes"),
])
def test_stage_sections_that_cannot_work_are_refused_where_they_are(
    change: dict[str, Any], where: str, message: str
) -> None:
    import yaml

    text = yaml.safe_dump({**federal_data(), **change}, allow_unicode=True, sort_keys=False)
    with pytest.raises(SpecError) as refused:
        parse_spec(text, "fed.yaml")
    assert any(f"{where}: " in p and message in p for p in refused.value.problems), refused.value.problems


def regional(
    konkurs: Konkurs, slug: str = "reg-75", places: list[int] | None = None, federal: str = "fed",
    publish: bool = True,
) -> ContestSpec:
    """A regional stage brought straight to published results (or declared ones, without
    `publish`): R-k placed k+1 in HC-1."""
    data = spec_data(START, slug=slug, voting=False)
    data.update(level="regional", region="75", promotion={"federal": federal, "places": places or [1]})
    spec = ContestSpec.model_validate(data)
    konkurs.contests.announce(
        Announce(spec=spec, plan=spec.phase_plan(), command_id=f"{slug}:announce", actor=OPERATOR)
    )
    close_phase(konkurs, slug, Phase.ANNOUNCED, f"{slug}:open", cause="test")
    applicant = Applicant(name="ГБУ «Доверие»", kind=ApplicantKind.STATE_INSTITUTION, region="75",
                          inn="7500000001")
    konkurs.submissions.submit(
        Submit(
            slug=slug,
            forms=[
                (
                    f"row {k}",
                    SubmissionForm(
                        reference=f"R-{k}", nomination="HC-1", title=f"Практика {k}", applicant=applicant
                    ),
                )
                for k in range(2)
            ],
            actor=OPERATOR,
        )
    )
    close_phase(konkurs, slug, Phase.COLLECTING, f"{slug}:close", cause="test")
    konkurs.results.conclude_screening(ContestOrder(slug=slug, command_id=f"{slug}:screen", actor=OPERATOR))
    contest = konkurs.store.get_contest(slug)
    contest.declare_results(
        ContestResults(
            winners=[
                Standing(nomination="HC-1", place=k + 1, reference=f"R-{k}", score=9.5 - k) for k in range(2)
            ]
        ),
        f"{slug}:declare",
    )
    konkurs.store.save(contest, actor=OPERATOR)
    if publish:
        konkurs.results.publish_results(ContestOrder(slug=slug, command_id=f"{slug}:publish", actor=OPERATOR))
    return spec


def federal(konkurs: Konkurs, phase: Phase = Phase.COLLECTING, **changes: Any) -> None:
    spec = ContestSpec.model_validate({**federal_data(), **changes})
    konkurs.contests.announce(
        Announce(spec=spec, plan=spec.phase_plan(), command_id="fed:announce", actor=OPERATOR)
    )
    for closed in (Phase.ANNOUNCED, Phase.COLLECTING)[: [Phase.COLLECTING, Phase.SCREENING].index(phase) + 1]:
        close_phase(konkurs, "fed", closed, f"fed:close:{closed}", cause="test")


def test_first_places_advance_with_their_provenance(konkurs: Konkurs) -> None:
    regional(konkurs)
    federal(konkurs)
    batch = konkurs.contests.promotion_batch("reg-75")
    assert [e.reference for e in batch.entries] == ["75-R-0"]

    assert konkurs.contests.receive_promotion(
        ReceivePromotion(federal="fed", batch=batch, command_id="fed:promotion:reg-75", actor=OPERATOR)
    ).applied
    promoted: Submission = konkurs.store.repository.get(
        next(
            e.originator_id
            for e in konkurs.store.read_log([topic_of(Submission.Submitted)])
            if e.state["contest"] == "fed"
        )
    )
    assert promoted.reference == "75-R-0" and promoted.title == "Практика 0"
    assert promoted.provenance is not None
    assert promoted.provenance.model_dump() == {
        "stage": "reg-75",
        "region": "75",
        "reference": "R-0",
        "place": 1,
        "score": 9.5,
        "reviews": 0,
    }


def test_a_promotion_sent_twice_is_recorded_once(konkurs: Konkurs) -> None:
    regional(konkurs)
    federal(konkurs)
    batch = konkurs.contests.promotion_batch("reg-75")
    assert konkurs.contests.receive_promotion(
        ReceivePromotion(federal="fed", batch=batch, command_id="fed:promotion:reg-75", actor=OPERATOR)
    ).applied
    head = konkurs.store.head_position()
    assert not konkurs.contests.receive_promotion(
        ReceivePromotion(federal="fed", batch=batch, command_id="fed:promotion:reg-75", actor=OPERATOR)
    ).applied
    assert konkurs.store.head_position() == head


def test_the_spec_says_which_places_advance(konkurs: Konkurs) -> None:
    regional(konkurs, places=[1, 2])
    assert [e.provenance.place for e in konkurs.contests.promotion_batch("reg-75").entries] == [1, 2]
    results = ContestResults(
        winners=[Standing(nomination="N", place=p, reference=str(p), score=0) for p in (1, 2, 3)]
    )
    assert [s.place for s in advancing(results, [2, 3])] == [2, 3]


def test_a_promotion_after_the_federal_stage_closed_collection_is_refused_and_writes_nothing(
    konkurs: Konkurs,
) -> None:
    regional(konkurs)
    federal(konkurs, Phase.SCREENING)
    head = konkurs.store.head_position()
    with pytest.raises(
        InvalidCommand,
        match="a promotion from reg-75 needs contest fed in phase collecting, but it is screening",
    ):
        konkurs.contests.receive_promotion(
            ReceivePromotion(
                federal="fed",
                batch=konkurs.contests.promotion_batch("reg-75"),
                command_id="fed:promotion:reg-75",
                actor=OPERATOR,
            )
        )
    assert konkurs.store.head_position() == head


def test_a_nomination_the_federal_stage_lacks_refuses_the_whole_promotion(konkurs: Konkurs) -> None:
    regional(konkurs)
    [direction] = federal_data()["directions"]
    federal(konkurs, directions=[{**direction, "nominations": direction["nominations"][1:]}])
    batch = konkurs.contests.promotion_batch("reg-75")
    head = konkurs.store.head_position()
    with pytest.raises(KonkursError, match="nomination HC-1 of reg-75 is not in the federal stage fed"):
        konkurs.contests.receive_promotion(
            ReceivePromotion(federal="fed", batch=batch, command_id="fed:promotion:reg-75", actor=OPERATOR)
        )
    assert konkurs.store.head_position() == head


def test_only_published_results_promote(konkurs: Konkurs) -> None:
    spec = ContestSpec.model_validate(
        {
            **spec_data(START, slug="reg-23", voting=False),
            "level": "regional",
            "region": "23",
            "promotion": {"federal": "fed"},
        }
    )
    konkurs.contests.announce(
        Announce(spec=spec, plan=spec.phase_plan(), command_id="announce", actor=OPERATOR)
    )
    with pytest.raises(InvalidCommand, match="has not published its results"):
        konkurs.contests.promotion_batch("reg-23")


async def test_the_receive_promotion_activity_run_twice_leaves_one_promotion(konkurs: Konkurs) -> None:
    regional(konkurs)
    federal(konkurs)
    activities = StageActivities(konkurs, client=None)  # type: ignore[arg-type]
    request = ReceivePromotion(
        federal="fed",
        batch=konkurs.contests.promotion_batch("reg-75"),
        command_id="fed:promotion:reg-75",
        actor=OPERATOR,
    )
    first = await ActivityEnvironment().run(activities.receive_promotion, request)
    head = konkurs.store.head_position()
    again = await ActivityEnvironment().run(activities.receive_promotion, request)
    assert (first.applied, again.applied) == (True, False)
    assert konkurs.store.head_position() == head
