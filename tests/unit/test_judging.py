"""Expert judging through the domain: the roster, assignment with conflicts of interest, scorecards,
recusal, reminders, minimum reviews, normalisation and the ranking each nomination records.

Every expectation is worked out by hand here, from the spec's criteria: impact on 0–10 with weight 2,
replicable on 1–5 with weight 1, so a card scores 100·(2·impact/10 + (replicable − 1)/4)/3.
"""

from __future__ import annotations

import hashlib
import statistics
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from domain.aggregates import Applicant, Expert, ExpertProfile, Judging, Review
from domain.commands.contest import Announce
from domain.commands.intake import RecordReviews, ReviewForm, SubmissionForm, Submit
from domain.commands.judging import ConcludeNomination, EnrollExperts, Recuse, RemindExperts
from domain.commands.order import ContestOrder
from domain.errors import InvalidCommand, KonkursError, NotAssigned
from domain.ids import review_id
from domain.outcomes import JudgingOutcome, NominationRanking
from domain.phases import Phase
from domain.spec import ContestSpec
from services.konkurs import Konkurs
from store.log import topic_of
from tests.factories import (
    OPERATOR,
    cards_for_assignments,
    close_phase,
    expert_actor,
    expert_panel,
    record_cards,
    spec_data,
)

SLUG = "judged"
START = datetime(2030, 1, 1, tzinfo=UTC)

Row = tuple[str, Any]


# A contest to judge, driven through the domain step by step.


def spec_with(slug: str = SLUG, nominations: int = 2, **judging: Any) -> ContestSpec:
    """The factories' contest (nominations HC-1 and HC-2 in direction health, or HC-1 alone) with
    judging settings."""
    data = spec_data(START, slug)
    [health] = data["directions"]
    return ContestSpec.model_validate(data | {
        "directions": [health | {"nominations": health["nominations"][:nominations]}],
        "judging": data["judging"] | judging,
    })


def entry(reference: str, nomination: str = "HC-1", **applicant: Any) -> Row:
    fields: dict[str, Any] = {"name": f"Applicant {reference}", "kind": "ngo", "region": "23"}
    return reference, SubmissionForm(
        reference=reference, nomination=nomination, title=f"Practice {reference}",
        applicant=Applicant(**(fields | applicant)),
    )


def expert(id: str, organisation: str | None = None, **fields: Any) -> Row:
    data: dict[str, Any] = {"region": "77", "level": "federal", "directions": ["health"]}
    return f"roster row {id}", ExpertProfile(
        id=id, name=f"Эксперт {id}", organisation=organisation or f"Центр {id}", **(data | fields)
    )


def collecting(konkurs: Konkurs, spec: ContestSpec, entries: list[Row]) -> None:
    konkurs.contests.announce(
        Announce(spec=spec, plan=spec.phase_plan(), command_id=f"{spec.slug}:announce", actor=OPERATOR)
    )
    close_phase(konkurs, spec.slug, Phase.ANNOUNCED, f"{spec.slug}:close:announced")
    konkurs.submissions.submit(Submit(slug=spec.slug, forms=entries, actor=OPERATOR))


def open_judging(konkurs: Konkurs, slug: str = SLUG) -> None:
    close_phase(konkurs, slug, Phase.COLLECTING, f"{slug}:close:collecting")
    konkurs.results.conclude_screening(
        ContestOrder(slug=slug, command_id=f"{slug}:conclude_screening", actor=OPERATOR)
    )
    close_phase(konkurs, slug, Phase.SCREENING, f"{slug}:close:screening")


def judging_opened(
    konkurs: Konkurs, spec: ContestSpec, entries: list[Row], experts: list[Row]
) -> dict[str, dict[str, list[str]]]:
    """Submissions in, experts enrolled, judging open and experts assigned: nomination → assigned."""
    collecting(konkurs, spec, entries)
    konkurs.judging.enroll_experts(EnrollExperts(slug=spec.slug, profiles=experts, actor=OPERATOR))
    open_judging(konkurs, spec.slug)
    konkurs.judging.assign_experts(
        ContestOrder(slug=spec.slug, command_id=f"{spec.slug}:assign_experts", actor=OPERATOR)
    )
    return assigned(konkurs, spec)


def assigned(konkurs: Konkurs, spec: ContestSpec) -> dict[str, dict[str, list[str]]]:
    return {code: j.assigned for code, j in konkurs.reads.judgings(spec).items()}


def close_judging(konkurs: Konkurs, slug: str = SLUG) -> int:
    close_phase(konkurs, slug, Phase.JUDGING, f"{slug}:close:judging")
    closed_at = konkurs.store.phase_closed_at(slug, Phase.JUDGING)
    assert closed_at is not None
    return closed_at


def judged(konkurs: Konkurs, spec: ContestSpec) -> JudgingOutcome:
    return konkurs.reads.judge(spec, close_judging(konkurs, spec.slug))


def card(submission: str, expert: str, impact: float, replicable: float = 3) -> Row:
    return f"card {submission}/{expert}", ReviewForm(
        submission=submission, expert=expert, scores={"impact": impact, "replicable": replicable}
    )


def weighted(impact: float, replicable: float = 3) -> float:
    return 100 * (2 * impact / 10 + (replicable - 1) / 4) / 3


def states(konkurs: Konkurs, event_class: type) -> list[dict[str, Any]]:
    return [e.state for e in konkurs.store.read_log([topic_of(event_class)])]


def topics_after(konkurs: Konkurs, position: int) -> list[str]:
    return [e.topic.rsplit(":", 1)[-1] for e in konkurs.store.read_log(start=position + 1)]


def ranked(ranking: NominationRanking) -> list[tuple[str, float]]:
    return [(e.reference, e.score) for e in ranking.entries]


# The roster


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        pytest.param(
            expert("E9", directions=["health", "education"]),
            "roster row E9: unknown direction or nomination 'education'",
            id="direction",
        ),
        pytest.param(expert("E9", region="99"), "roster row E9: unknown region code '99'", id="region"),
    ],
)
def test_a_roster_row_with_an_unknown_direction_or_region_is_refused_by_its_label_and_nothing_is_written(
    konkurs: Konkurs, bad_row: Row, message: str
) -> None:
    collecting(konkurs, spec_with(), [entry("A1")])
    before = konkurs.store.head_position()

    with pytest.raises(KonkursError) as refused:
        konkurs.judging.enroll_experts(
            EnrollExperts(slug=SLUG, profiles=[*expert_panel(2), bad_row], actor=OPERATOR)
        )

    assert str(refused.value) == message
    assert konkurs.store.head_position() == before
    assert konkurs.reads.roster(SLUG) == []


def test_importing_the_roster_again_records_a_change_and_nothing_for_an_identical_row(
    konkurs: Konkurs,
) -> None:
    collecting(konkurs, spec_with(), [entry("A1")])
    start = konkurs.store.head_position()
    assert (
        konkurs.judging.enroll_experts(
            EnrollExperts(slug=SLUG, profiles=expert_panel(2), actor=OPERATOR)
        ).recorded
        == 2
    )
    enrolled = konkurs.store.head_position()
    assert topics_after(konkurs, start) == ["Expert.Enrolled", "Expert.Enrolled"]

    konkurs.judging.enroll_experts(EnrollExperts(slug=SLUG, profiles=expert_panel(2), actor=OPERATOR))
    assert konkurs.store.head_position() == enrolled

    moved = expert("E1", organisation="Экспертный центр 1", region="23", municipality="Сочи")
    konkurs.judging.enroll_experts(
        EnrollExperts(slug=SLUG, profiles=[expert_panel(1)[0], moved], actor=OPERATOR)
    )

    assert topics_after(konkurs, enrolled) == ["Expert.ProfileChanged"]
    assert states(konkurs, Expert.ProfileChanged)[0]["profile"]["municipality"] == "Сочи"
    assert [(p.id, p.region, p.municipality) for p in konkurs.reads.roster(SLUG)] == [
        ("E0", "77", None),
        ("E1", "23", "Сочи"),
    ]


# Assignment


def test_every_admitted_submission_gets_distinct_reviewers_with_the_load_balanced(
    konkurs: Konkurs,
) -> None:
    entries = [entry(f"A{i}") for i in range(1, 6)] + [entry(f"B{i}", "HC-2") for i in range(1, 4)]
    rejected = entry("X1", kind="business")  # not an admitted kind: screening rejects it
    spec = spec_with(reviewers_per_submission=3)

    found = judging_opened(konkurs, spec, [*entries, rejected], expert_panel(6))

    by_submission = found["HC-1"] | found["HC-2"]
    assert sorted(by_submission) == sorted(ref for ref, _ in entries)
    assert all(len(set(experts)) == len(experts) == 3 for experts in by_submission.values())
    load = Counter(e for experts in by_submission.values() for e in experts)
    assert sorted(load) == [f"E{k}" for k in range(6)]
    assert sum(load.values()) == 8 * 3
    assert max(load.values()) - min(load.values()) <= 1  # 24 cards over 6 experts: 4 each


# Applicants and experts with one tie each; E0–E3 have none.
CONFLICTED_ENTRIES = [
    entry("A1", inn="2310000001", municipality="Сочи"),
    entry("A2", region="75"),
    entry("B1", "HC-2", name="ГБУ «Центр»", municipality="Краснодар"),
    entry("B2", "HC-2", region="42"),
]
CONFLICTED_EXPERTS = [
    expert("X-inn", organisation="Университет", inn="2310000001"),
    expert("X-org", organisation="  гбу «центр» "),
    expert("X-mun", region="23", municipality="Сочи"),
    expert("X-reg", region="23", level="regional"),
    *expert_panel(4),
]


def test_conflicted_experts_are_never_assigned_and_each_exclusion_is_recorded_with_its_reason(
    konkurs: Konkurs,
) -> None:
    spec = spec_with(reviewers_per_submission=3, exclude_own_region=True)

    found = judging_opened(konkurs, spec, CONFLICTED_ENTRIES, CONFLICTED_EXPERTS)

    conflicts = {
        "A1": {
            "X-inn": "same INN as the applicant",
            "X-mun": "same municipality as the applicant",
            "X-reg": "regional expert of the applicant's region",
        },
        "B1": {
            "X-org": "same organisation as the applicant",
            "X-reg": "regional expert of the applicant's region",
        },
    }
    by_submission = found["HC-1"] | found["HC-2"]
    for submission, experts in by_submission.items():
        assert len(set(experts)) == 3
        assert not set(experts) & set(conflicts.get(submission, {}))
    [hc1, hc2] = states(konkurs, Judging.Assigned)
    recorded = [(c["submission"], c["expert"], c["reason"]) for c in hc1["conflicts"] + hc2["conflicts"]]
    assert recorded == [
        (submission, expert_id, reason)
        for submission, reasons in conflicts.items()
        for expert_id, reason in sorted(reasons.items())
    ]
    assert hc1["shortfalls"] == hc2["shortfalls"] == []


def test_a_regional_expert_may_judge_their_own_region_when_the_spec_does_not_exclude_it(
    konkurs: Konkurs,
) -> None:
    spec = spec_with(reviewers_per_submission=2)

    found = judging_opened(
        konkurs, spec, [entry("A1")], [expert("R23", region="23", level="regional"), expert("F77")]
    )

    assert found["HC-1"] == {"A1": ["F77", "R23"]}
    assert states(konkurs, Judging.Assigned)[0]["conflicts"] == []


def test_a_panel_too_small_is_recorded_as_a_shortfall_per_submission(konkurs: Konkurs) -> None:
    spec = spec_with(reviewers_per_submission=3, exclude_own_region=True)
    entries = [entry("A1"), entry("A2", region="75")]
    experts = [*expert_panel(2), expert("R75", region="75", level="regional")]

    found = judging_opened(konkurs, spec, entries, experts)

    assert found["HC-1"] == {"A1": ["E0", "E1", "R75"], "A2": ["E0", "E1"]}
    [hc1, hc2] = states(konkurs, Judging.Assigned)
    assert hc1["shortfalls"] == [{"submission": "A2", "needed": 3, "assigned": 2, "eligible": 2}]
    assert hc1["conflicts"] == [
        {"submission": "A2", "expert": "R75", "reason": "regional expert of the applicant's region"},
    ]
    assert (hc2["pairs"], hc2["shortfalls"]) == ([], [])


def test_assigning_again_with_the_same_command_id_writes_nothing(konkurs: Konkurs) -> None:
    spec = spec_with(reviewers_per_submission=3)
    first = judging_opened(konkurs, spec, [entry("A1"), entry("B1", "HC-2")], expert_panel(2))
    konkurs.judging.enroll_experts(EnrollExperts(slug=SLUG, profiles=[expert("E7")], actor=OPERATOR))
    before = konkurs.store.head_position()

    assert (
        konkurs.judging.assign_experts(
            ContestOrder(slug=SLUG, command_id=f"{SLUG}:assign_experts", actor=OPERATOR)
        ).applied
        is False
    )

    assert konkurs.store.head_position() == before
    assert assigned(konkurs, spec) == first


def test_assigning_with_a_new_command_id_after_enrolling_more_experts_tops_up_the_shortfalls(
    konkurs: Konkurs,
) -> None:
    spec = spec_with(reviewers_per_submission=3)
    first = judging_opened(konkurs, spec, [entry("A1"), entry("A2"), entry("B1", "HC-2")], expert_panel(2))
    assert [len(s["shortfalls"]) for s in states(konkurs, Judging.Assigned)] == [2, 1]
    konkurs.judging.enroll_experts(EnrollExperts(slug=SLUG, profiles=[expert("E7")], actor=OPERATOR))

    assert (
        konkurs.judging.assign_experts(ContestOrder(slug=SLUG, command_id="top-up", actor=OPERATOR)).applied
        is True
    )

    topped = assigned(konkurs, spec)
    assert topped == {
        code: {ref: [*experts, "E7"] for ref, experts in by_ref.items()} for code, by_ref in first.items()
    }
    top_ups = states(konkurs, Judging.Assigned)[2:]
    assert [(p["submission"], p["expert"]) for s in top_ups for p in s["pairs"]] == [
        ("A1", "E7"),
        ("A2", "E7"),
        ("B1", "E7"),
    ]
    assert [s["shortfalls"] for s in top_ups] == [[], []]
    assert [s["command_id"] for s in top_ups] == ["top-up", "top-up"]


def test_per_nomination_panels_keep_each_nominations_experts_apart(konkurs: Konkurs) -> None:
    spec = spec_with(reviewers_per_submission=2, panels="per_nomination")
    entries = [entry("A1"), entry("A2"), entry("A3"), entry("B1", "HC-2"), entry("B2", "HC-2")]
    pinned = [expert("P1", directions=["HC-1"]), expert("P2", directions=["health", "HC-1"])]

    found = judging_opened(konkurs, spec, entries, [*pinned, *expert_panel(6)])

    panels = {code: {e for experts in by_ref.values() for e in experts} for code, by_ref in found.items()}
    assert not panels["HC-1"] & panels["HC-2"]
    assert not {"P1", "P2"} & panels["HC-2"]
    assert all(len(set(experts)) == 2 for by_ref in found.values() for experts in by_ref.values())


def test_with_panels_per_direction_an_expert_of_the_direction_judges_every_nomination(
    konkurs: Konkurs,
) -> None:
    spec = spec_with(reviewers_per_submission=2)

    found = judging_opened(
        konkurs,
        spec,
        [entry("A1"), entry("B1", "HC-2")],
        [expert("P1", directions=["HC-1"]), *expert_panel(1)],
    )

    assert found == {"HC-1": {"A1": ["E0", "P1"]}, "HC-2": {"B1": ["E0"]}}


# Scorecards


def test_a_card_from_an_expert_not_assigned_is_refused_and_nothing_is_written(konkurs: Konkurs) -> None:
    spec = spec_with(reviewers_per_submission=2)
    found = judging_opened(konkurs, spec, [entry("A1"), entry("A2")], expert_panel(3))
    outsider = next(e for e in ("E0", "E1", "E2") if e not in found["HC-1"]["A1"])
    assert outsider in found["HC-1"]["A2"]
    before = konkurs.store.head_position()

    with pytest.raises(NotAssigned) as refused:
        konkurs.submissions.record_reviews(RecordReviews(
            slug=SLUG, forms=[card("A2", outsider, 8), card("A1", outsider, 8)],
            actor=expert_actor(SLUG, outsider)))

    assert str(refused.value) == f"card A1/{outsider}: expert {outsider} is not assigned to submission A1"
    assert konkurs.store.head_position() == before


def test_a_card_before_experts_are_assigned_is_refused(konkurs: Konkurs) -> None:
    spec = spec_with(reviewers_per_submission=2)
    collecting(konkurs, spec, [entry("A1")])
    konkurs.judging.enroll_experts(EnrollExperts(slug=SLUG, profiles=expert_panel(2), actor=OPERATOR))
    open_judging(konkurs)  # judging open, but nobody assigned yet

    with pytest.raises(NotAssigned, match="expert E0 is not assigned to submission A1"):
        record_cards(konkurs, SLUG, [card("A1", "E0", 8)])


def test_a_revision_before_the_close_counts_and_every_revision_stays_in_the_log(
    konkurs: Konkurs,
) -> None:
    spec = spec_with(nominations=1, reviewers_per_submission=2)
    judging_opened(konkurs, spec, [entry("A1")], expert_panel(2))
    record_cards(konkurs, SLUG, [card("A1", "E0", 4), card("A1", "E1", 7)])

    record_cards(konkurs, SLUG, [card("A1", "E0", 9)])

    outcome = judged(konkurs, spec)
    ranking = outcome.ranking("HC-1")
    assert ranking is not None
    # (weighted(9) + weighted(7)) / 2 = (230/3 + 190/3) / 2 = 70
    assert ranked(ranking) == [("A1", 70.0)]
    assert (outcome.reviews_counted, outcome.reviews_late) == (2, 0)
    revisions = [
        (e.topic.rsplit(":", 1)[-1], e.state["scores"]["impact"])
        for e in konkurs.store.read_log([topic_of(Review.Scored), topic_of(Review.Rescored)])
        if e.originator_id == review_id(SLUG, "A1", "E0")
    ]
    assert revisions == [("Review.Scored", 4), ("Review.Rescored", 9)]


def test_a_card_recorded_after_the_judging_close_by_log_order_is_not_counted(
    konkurs: Konkurs, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = spec_with(nominations=1, reviewers_per_submission=2, minimum_reviews=2)
    judging_opened(konkurs, spec, [entry("A1"), entry("A2")], expert_panel(2))
    record_cards(konkurs, SLUG, [card("A1", "E0", 8), card("A1", "E1", 6), card("A2", "E0", 9)])

    # The card passes the phase check, then the deadline closes judging before it is saved.
    check_phase = konkurs.store.open_contest

    def closing_meanwhile(*args: Any) -> Any:
        contest = check_phase(*args)
        close_phase(konkurs, SLUG, Phase.JUDGING, f"{SLUG}:close:judging")
        return contest

    monkeypatch.setattr(konkurs.store, "open_contest", closing_meanwhile)
    assert (
        record_cards(konkurs, SLUG, [card("A2", "E1", 10)]).recorded
        == 1
    )
    closed_at = konkurs.store.phase_closed_at(SLUG, Phase.JUDGING)
    assert closed_at is not None
    assert topics_after(konkurs, closed_at - 1) == [
        "Contest.PhaseChanged", "Review.Scored", "Acceptance.Recorded"]

    outcome = konkurs.reads.judge(spec, closed_at)

    assert (outcome.reviews_counted, outcome.reviews_late) == (3, 1)
    ranking = outcome.ranking("HC-1")
    assert ranking is not None
    assert ranked(ranking) == [("A1", 63.3333)]  # (weighted(8) + weighted(6)) / 2 = (210/3 + 170/3)/2
    assert ranking.under_reviewed == {"A2": 1}


# Recusal


def test_a_recused_expert_is_replaced_and_their_card_no_longer_counts(konkurs: Konkurs) -> None:
    spec = spec_with(nominations=1, reviewers_per_submission=2)
    found = judging_opened(konkurs, spec, [entry("A1")], expert_panel(3))
    recused, staying = found["HC-1"]["A1"]
    [spare] = {"E0", "E1", "E2"} - {recused, staying}
    record_cards(konkurs, SLUG, [card("A1", recused, 0), card("A1", staying, 8)])

    replacements = konkurs.judging.recuse(
        Recuse(slug=SLUG, submission="A1", expert=recused, reason="консультировал заявителя", actor=OPERATOR)
    ).experts

    assert replacements == [spare]
    assert assigned(konkurs, spec)["HC-1"] == {"A1": [staying, spare]}
    assert [(s["submission"], s["expert"], s["reason"]) for s in states(konkurs, Judging.Recused)] == [
        ("A1", recused, "консультировал заявителя"),
    ]
    with pytest.raises(NotAssigned):
        record_cards(konkurs, SLUG, [card("A1", recused, 1)])
    record_cards(konkurs, SLUG, [card("A1", spare, 6)])

    outcome = judged(konkurs, spec)

    ranking = outcome.ranking("HC-1")
    assert ranking is not None
    assert ranked(ranking) == [("A1", 63.3333)]  # staying's 8 and spare's 6 count; the recused 0 not
    assert outcome.reviews_counted == 2
    assert recused not in outcome.leniency


def test_recusing_an_expert_who_is_not_assigned_is_refused_and_nothing_is_written(
    konkurs: Konkurs,
) -> None:
    spec = spec_with(reviewers_per_submission=2)
    found = judging_opened(konkurs, spec, [entry("A1")], expert_panel(3))
    [outsider] = {"E0", "E1", "E2"} - set(found["HC-1"]["A1"])
    before = konkurs.store.head_position()

    with pytest.raises(InvalidCommand, match=f"expert {outsider} is not assigned to submission A1"):
        konkurs.judging.recuse(
            Recuse(slug=SLUG, submission="A1", expert=outsider, reason="знаком с заявителем", actor=OPERATOR)
        )

    assert konkurs.store.head_position() == before


def test_a_recusal_needs_a_reason(konkurs: Konkurs) -> None:
    spec = spec_with(reviewers_per_submission=2)
    found = judging_opened(konkurs, spec, [entry("A1")], expert_panel(3))

    with pytest.raises(InvalidCommand, match="a recusal needs a reason"):
        konkurs.judging.recuse(
            Recuse(slug=SLUG, submission="A1", expert=found["HC-1"]["A1"][0], reason="  ", actor=OPERATOR)
        )


# Reminders


def test_reminders_name_exactly_the_experts_with_open_cards_and_their_open_submissions(
    konkurs: Konkurs,
) -> None:
    spec = spec_with(reviewers_per_submission=3)
    entries = [entry("A1"), entry("A2"), entry("A3"), entry("B1", "HC-2")]
    found = judging_opened(konkurs, spec, entries, expert_panel(3))
    assert found["HC-1"] == {ref: ["E0", "E1", "E2"] for ref in ("A1", "A2", "A3")}
    record_cards(konkurs, SLUG, [
                card("A1", "E0", 5),
                card("A2", "E0", 5),
                card("A1", "E1", 5),
                card("A1", "E2", 5),
                card("A2", "E2", 5),
                card("A3", "E2", 5),  # E2 is done
            ])
    closes_at = spec.phase_plan().window(Phase.JUDGING).closes_at

    assert (
        konkurs.judging.remind_experts(
            RemindExperts(
                slug=SLUG, nomination="HC-1", closes_at=closes_at, command_id="remind:HC-1", actor=OPERATOR
            )
        ).applied
        is True
    )
    before = konkurs.store.head_position()
    assert (
        konkurs.judging.remind_experts(
            RemindExperts(
                slug=SLUG, nomination="HC-1", closes_at=closes_at, command_id="remind:HC-1", actor=OPERATOR
            )
        ).applied
        is False
    )
    assert konkurs.store.head_position() == before

    [reminded] = states(konkurs, Judging.ExpertsReminded)
    assert reminded["closes_at"] == closes_at.isoformat()
    assert reminded["reminders"] == [
        {"expert": "E0", "open_cards": ["A3"]},
        {"expert": "E1", "open_cards": ["A2", "A3"]},
    ]


# Minimum reviews


def test_a_submission_below_the_minimum_reviews_is_flagged_and_not_ranked(konkurs: Konkurs) -> None:
    spec = spec_with(nominations=1, reviewers_per_submission=3, minimum_reviews=2)
    entries = [entry("A1"), entry("A2"), entry("A3"), entry("A4")]
    judging_opened(konkurs, spec, entries, expert_panel(3))
    record_cards(konkurs, SLUG, [
                card("A1", "E0", 6),
                card("A1", "E1", 6),
                card("A1", "E2", 6),
                card("A2", "E0", 9),
                card("A2", "E1", 9),
                card("A3", "E2", 10),
            ])

    ranking = judged(konkurs, spec).ranking("HC-1")

    assert ranking is not None
    assert ranked(ranking) == [("A2", round(weighted(9), 4)), ("A1", round(weighted(6), 4))]
    assert ranking.under_reviewed == {"A3": 1}
    assert ranking.unreviewed == ["A4"]


def test_a_nomination_without_admitted_submissions_is_judged_with_an_empty_ranking(
    konkurs: Konkurs,
) -> None:
    spec = spec_with(reviewers_per_submission=1)
    judging_opened(konkurs, spec, [entry("A1")], expert_panel(1))
    record_cards(konkurs, SLUG, [card("A1", "E0", 8)])

    outcome = judged(konkurs, spec)

    assert [(r.nomination, ranked(r), r.unreviewed) for r in outcome.rankings] == [
        ("HC-1", [("A1", 70.0)], []),
        ("HC-2", [], []),
    ]
    assert (
        konkurs.judging.conclude_nomination(
            ConcludeNomination(slug=SLUG, nomination="HC-2", command_id="conclude:HC-2", actor=OPERATOR)
        ).applied
        is True
    )


# Normalisation


LENIENT = "E0"
QUALITY = {f"S{i}": 7.5 - 0.25 * i for i in range(1, 9)}  # S1 best, S8 worst, 7.25 down to 5.5


def lenient_contest(
    konkurs: Konkurs, normalisation: str
) -> tuple[dict[str, list[str]], list[tuple[str, str, float]], NominationRanking]:
    """Eight practices of close quality, four experts, two reviews each: every expert scores the
    true impact and a replicability of 2, except E0, who gives +2 on every criterion."""
    spec = spec_with(
        f"lenient-{normalisation}", nominations=1, reviewers_per_submission=2, normalisation=normalisation
    )
    found = judging_opened(konkurs, spec, [entry(ref) for ref in QUALITY], expert_panel(4))["HC-1"]
    lift = {e: 2 if e == LENIENT else 0 for e in ("E0", "E1", "E2", "E3")}
    forms = [
        card(ref, e, QUALITY[ref] + lift[e], 2 + lift[e]) for ref, experts in found.items() for e in experts
    ]
    record_cards(konkurs, spec.slug, forms)
    scored = [
        (form.submission, form.expert, weighted(form.scores["impact"], form.scores["replicable"]))
        for _, form in forms
    ]
    ranking = judged(konkurs, spec).ranking("HC-1")
    assert ranking is not None
    return found, scored, ranking


def order_by(scores: dict[str, float]) -> list[tuple[str, float]]:
    return [(ref, round(score, 4)) for ref, score in sorted(scores.items(), key=lambda kv: -kv[1])]


def test_with_raw_scores_the_lenient_experts_submissions_rank_highest(konkurs: Konkurs) -> None:
    found, scored, ranking = lenient_contest(konkurs, "raw")

    raw = {ref: statistics.fmean(s for r, _, s in scored if r == ref) for ref in found}
    assert ranked(ranking) == order_by(raw)
    theirs = {ref for ref, experts in found.items() if LENIENT in experts}
    assert len(theirs) == 4
    assert {e.reference for e in ranking.entries[:4]} == theirs


def test_zscores_move_the_ranking_as_the_hand_calculation_says_and_undo_the_leniency(
    konkurs: Konkurs,
) -> None:
    found, scored, ranking = lenient_contest(konkurs, "zscore")

    # μ + (s − μₑ)/σₑ·σ, with μ and σ (population) over all cards and μₑ, σₑ over each expert's.
    everything = [s for _, _, s in scored]
    mu, sigma = statistics.fmean(everything), statistics.pstdev(everything)
    own = {e: [s for _, x, s in scored if x == e] for e in ("E0", "E1", "E2", "E3")}
    assert all(len(cards) == 4 for cards in own.values())  # enough cards: no expert falls back
    normalised: dict[str, list[float]] = {ref: [] for ref in found}
    for ref, e, s in scored:
        z = (s - statistics.fmean(own[e])) / statistics.pstdev(own[e])
        normalised[ref].append(min(100.0, max(0.0, mu + z * sigma)))
    expected = order_by({ref: statistics.fmean(values) for ref, values in normalised.items()})

    assert ranked(ranking) == expected
    assert all(e.fallback_experts == [] for e in ranking.entries)
    theirs = {ref for ref, experts in found.items() if LENIENT in experts}
    by_raw = sorted(ranking.entries, key=lambda e: -(e.raw_score or 0))
    assert {e.reference for e in by_raw[:4]} == theirs  # the same cards, read raw, favour them
    assert {e.reference for e in ranking.entries[:4]} != theirs
    assert ranking.entries[0].reference == "S1"  # the best practice is back on top


def test_the_trimmed_mean_drops_the_lowest_and_highest_of_five_cards(konkurs: Konkurs) -> None:
    spec = spec_with(nominations=1, reviewers_per_submission=5, minimum_reviews=4, normalisation="trimmed")
    judging_opened(konkurs, spec, [entry("A1"), entry("A2")], expert_panel(5))
    record_cards(konkurs, SLUG, [
                *(card("A1", f"E{k}", impact) for k, impact in enumerate([0, 7, 7, 7, 7])),
                *(card("A2", f"E{k}", 6) for k in range(4)),  # E4 never scores A2
            ])

    ranking = judged(konkurs, spec).ranking("HC-1")

    assert ranking is not None
    a1, a2 = ranking.entries
    # A1: 0 and one 7 dropped, the mean of three 7s is weighted(7) = 190/3; raw, it is the mean
    # impact 5.6 → 100·(1.12 + 0.5)/3 = 54. A2 has four cards: the plain mean, weighted(6) = 170/3.
    assert (a1.reference, a1.score, a1.raw_score, a1.reviews, a1.trimmed) == ("A1", 63.3333, 54.0, 5, True)
    assert (a2.reference, a2.score, a2.raw_score, a2.reviews, a2.trimmed) == (
        "A2",
        56.6667,
        56.6667,
        4,
        False,
    )


# The ranking each nomination records


def test_the_recorded_ranking_names_the_tie_break_step_that_settled_each_tie(konkurs: Konkurs) -> None:
    spec = spec_with(reviewers_per_submission=3, minimum_reviews=2)
    refs = ["T1", "T2", "T3", "T4", "T5"]
    judging_opened(konkurs, spec, [entry(ref) for ref in refs], expert_panel(3))
    experts = ["E0", "E1", "E2"]
    record_cards(konkurs, SLUG, [
                *(card("T1", e, 5, 3) for e in experts),  # 100·(1.0 + 0.5)/3 = 50
                *(card("T2", e, 7.5, 1) for e in experts),  # 100·(1.5 + 0)/3 = 50, more impact
                *(card("T3", e, 7.5, 1) for e in experts[:2]),  # 50 again, but two reviews
                *(card("T4", e, 6, 2) for e in experts),  # 100·(1.2 + 0.25)/3 = 48.3333
                *(card("T5", e, 6, 2) for e in experts),  # the same in every respect
            ])
    close_judging(konkurs)

    assert (
        konkurs.judging.conclude_nomination(
            ConcludeNomination(slug=SLUG, nomination="HC-1", command_id="conclude:HC-1", actor=OPERATOR)
        ).applied
        is True
    )
    assert (
        konkurs.judging.conclude_nomination(
            ConcludeNomination(slug=SLUG, nomination="HC-1", command_id="conclude:HC-1", actor=OPERATOR)
        ).applied
        is False
    )

    [opened] = [s for s in states(konkurs, Judging.Opened) if s["nomination"] == "HC-1"]
    [concluded] = states(konkurs, Judging.Concluded)
    lottery = sorted(
        ["T4", "T5"], key=lambda ref: hashlib.sha256(f"{opened['seed']}/{ref}".encode()).hexdigest()
    )
    assert [
        (e["reference"], e["place"], e["score"], e["reviews"], e["settled_by"])
        for e in concluded["ranking"]["entries"]
    ] == [
        ("T2", 1, 50.0, 3, None),
        ("T1", 2, 50.0, 3, "criterion:impact"),
        ("T3", 3, 50.0, 2, "reviews"),
        (lottery[0], 4, 48.3333, 3, "score"),
        (lottery[1], 5, 48.3333, 3, "lottery"),
    ]


def test_the_lottery_seed_is_recorded_when_judging_opens_and_is_not_the_spec_fingerprint(
    konkurs: Konkurs,
) -> None:
    spec = spec_with(reviewers_per_submission=1)
    judging_opened(konkurs, spec, [entry("A1"), entry("B1", "HC-2")], expert_panel(1))

    opened = states(konkurs, Judging.Opened)
    seed = konkurs.reads.lottery_seed(spec)
    assert [(s["nomination"], s["seed"]) for s in opened] == [("HC-1", seed), ("HC-2", seed)]
    assert seed != spec.fingerprint()
    assert all(j.seed == seed for j in konkurs.reads.judgings(spec).values())
    screening_closed = konkurs.store.phase_closed_at(SLUG, Phase.SCREENING)
    assert screening_closed is not None
    opened_at = [e.position for e in konkurs.store.read_log([topic_of(Judging.Opened)])]
    assert all(position > screening_closed for position in opened_at)


def test_judging_uses_the_rankings_the_nominations_recorded_and_computes_the_same_otherwise(
    konkurs: Konkurs, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = spec_with(reviewers_per_submission=2, normalisation="zscore")
    entries = [entry(f"A{i}") for i in range(1, 5)] + [entry(f"B{i}", "HC-2") for i in range(1, 4)]
    judging_opened(konkurs, spec, entries, expert_panel(3))
    record_cards(
        konkurs,
        SLUG,
        cards_for_assignments(konkurs, SLUG, lambda ref, e: (3 * int(ref[1:]) + int(e[1:])) % 11),
    )
    closed_at = close_judging(konkurs)
    computing: list[list[str]] = []
    rank_nominations = konkurs.reads.rank_nominations

    def spy(spec: ContestSpec, closed_at: int, nominations: list[str]) -> Any:
        computing.append(list(nominations))
        return rank_nominations(spec, closed_at, nominations)

    monkeypatch.setattr(konkurs.reads, "rank_nominations", spy)

    computed = konkurs.reads.judge(spec, closed_at)
    konkurs.judging.conclude_nomination(
        ConcludeNomination(slug=SLUG, nomination="HC-1", command_id="conclude:HC-1", actor=OPERATOR)
    )
    half = konkurs.reads.judge(spec, closed_at)
    konkurs.judging.conclude_nomination(
        ConcludeNomination(slug=SLUG, nomination="HC-2", command_id="conclude:HC-2", actor=OPERATOR)
    )
    recorded = konkurs.reads.judge(spec, closed_at)

    # judge, conclude HC-1, judge, conclude HC-2, judge: what each had to compute itself
    assert computing == [["HC-1", "HC-2"], ["HC-1"], ["HC-2"], ["HC-2"], []]
    assert [s["ranking"] for s in states(konkurs, Judging.Concluded)] == [
        r.model_dump(mode="json") for r in recorded.rankings
    ]
    assert computed == half == recorded
    assert all(r.entries for r in recorded.rankings)
