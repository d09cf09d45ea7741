"""Pure rules: scorecards, the ranking cascade, the vote count, eligibility and final standings."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.aggregates import Applicant
from domain.errors import ScoreOutOfRange
from domain.outcomes import (
    ContestResults,
    JudgingOutcome,
    NominationRanking,
    RankedEntry,
    VoteTally,
)
from domain.rules.eligibility import ineligibility_reason, late_reason
from domain.rules.ranking import Candidate, rank
from domain.rules.scoring import check_scorecard, mean_score, weighted_score
from domain.rules.standings import declare_standings
from domain.rules.tally import CountedBallot, count_votes
from domain.spec import ApplicantKind, ContestSpec
from domain.spec.judging import Criterion, Scale
from tests.factories import make_spec, spec_data

START = datetime(2030, 1, 1, tzinfo=UTC)

# impact: 0–10, weight 2; replicable: 1–5, weight 1.
CRITERIA = [
    Criterion(code="impact", title="Результат", weight=2),
    Criterion(code="replicable", title="Тиражируемость", weight=1, scale=Scale(min=1, max=5)),
]


# Scoring


def test_a_weighted_score_rescales_each_criterion_and_weights_it_out_of_100() -> None:
    # impact 7 of 0–10 is 0.7; replicable 4 of 1–5 is 0.75; (2·0.7 + 1·0.75) / 3 · 100
    assert weighted_score({"impact": 7, "replicable": 4}, CRITERIA) == pytest.approx(71.666667)


def test_the_lowest_card_scores_0_and_the_highest_100() -> None:
    assert weighted_score({"impact": 0, "replicable": 1}, CRITERIA) == 0
    assert weighted_score({"impact": 10, "replicable": 5}, CRITERIA) == pytest.approx(100)


def test_the_mean_score_averages_the_weighted_scores_of_the_cards() -> None:
    # 71.6667 and (2·0.4 + 1·0.25) / 3 · 100 = 35.0
    cards = [{"impact": 7, "replicable": 4}, {"impact": 4, "replicable": 2}]
    assert mean_score(cards, CRITERIA) == pytest.approx(53.333333)


def test_a_scorecard_on_the_bounds_of_every_scale_is_accepted() -> None:
    check_scorecard({"impact": 0, "replicable": 5}, CRITERIA, "row 7")
    check_scorecard({"impact": 10, "replicable": 1}, CRITERIA, "row 7")


@pytest.mark.parametrize(
    ("scores", "criterion", "problem"),
    [
        ({"impact": 11, "replicable": 3}, "impact", "outside 0–10"),
        ({"impact": 5, "replicable": 0}, "replicable", "outside 1–5"),
        ({"impact": 5, "replicable": 5.5}, "replicable", "outside 1–5"),
        ({"impact": 5}, "replicable", "missing score"),
        ({"impact": 5, "replicable": 3, "novelty": 2}, "novelty", "unknown criterion"),
    ],
    ids=["above the scale", "below the scale", "just above the scale", "missing", "unknown"],
)
def test_a_bad_scorecard_is_refused_naming_the_criterion_and_where_it_came_from(
    scores: dict[str, float], criterion: str, problem: str
) -> None:
    with pytest.raises(ScoreOutOfRange) as refused:
        check_scorecard(scores, CRITERIA, "reviews.csv row 7")
    message = str(refused.value)
    assert message.startswith("reviews.csv row 7: ")
    assert criterion in message
    assert problem in message


# Ranking


def candidate(
    reference: str, score: float = 80.0, reviews: int = 3, position: int = 1,
    **criteria: float,
) -> Candidate:
    return Candidate(
        reference=reference, score=score, reviews=reviews, position=position, criteria=criteria
    )


def placed(entries: list[RankedEntry]) -> list[tuple[str, int, str | None]]:
    return [(e.reference, e.place, e.settled_by) for e in entries]


def test_a_higher_score_ranks_first_and_the_first_entry_is_settled_by_nothing() -> None:
    ranked = rank([candidate("B", score=61.23456), candidate("A", score=75.0)], ["score"])
    assert placed(ranked) == [("A", 1, None), ("B", 2, "score")]
    assert ranked[1].score == 61.2346
    assert ranked[1].reviews == 3


def test_a_tie_on_score_is_settled_by_the_number_of_reviews() -> None:
    ranked = rank(
        [candidate("A", reviews=2, position=1), candidate("B", reviews=3, position=9)],
        ["score", "reviews", "submitted_first"],
    )
    assert placed(ranked) == [("B", 1, None), ("A", 2, "reviews")]


def test_a_tie_on_score_and_reviews_goes_to_the_entry_submitted_first() -> None:
    ranked = rank(
        [candidate("A", position=9), candidate("B", position=4)],
        ["score", "reviews", "submitted_first"],
    )
    assert placed(ranked) == [("B", 1, None), ("A", 2, "submitted_first")]


def test_a_tie_on_score_can_be_settled_by_a_named_criterion() -> None:
    ranked = rank(
        [candidate("A", impact=6.0, replicable=5.0), candidate("B", impact=8.0, replicable=1.0)],
        ["score", "criterion:impact", "submitted_first"],
    )
    assert placed(ranked) == [("B", 1, None), ("A", 2, "criterion:impact")]


def test_the_whole_cascade_places_entries_1_to_n_in_order() -> None:
    ranked = rank(
        [
            candidate("E", score=90.0),
            candidate("D", score=70.0, reviews=2, position=1),
            candidate("C", score=70.0, reviews=3, position=8, impact=5.0),
            candidate("B", score=70.0, reviews=3, position=8, impact=7.0),
            candidate("A", score=70.0, reviews=3, position=2),
        ],
        ["score", "reviews", "submitted_first", "criterion:impact"],
    )
    assert placed(ranked) == [
        ("E", 1, None),
        ("A", 2, "score"),
        ("B", 3, "submitted_first"),
        ("C", 4, "criterion:impact"),
        ("D", 5, "reviews"),
    ]


def test_a_lottery_draw_is_the_same_every_time_for_the_same_seed() -> None:
    field = [candidate("P1"), candidate("P2"), candidate("P3")]
    first = rank(field, ["score", "lottery"], seed="2023")
    assert rank(list(reversed(field)), ["score", "lottery"], seed="2023") == first
    assert [e.reference for e in first] == ["P3", "P1", "P2"]
    assert [e.settled_by for e in first] == [None, "lottery", "lottery"]


def test_a_lottery_draw_changes_with_the_seed() -> None:
    field = [candidate("P1"), candidate("P2"), candidate("P3")]
    orders = {
        seed: [e.reference for e in rank(field, ["score", "lottery"], seed=seed)]
        for seed in ("2023", "2024", "2025")
    }
    assert orders == {
        "2023": ["P3", "P1", "P2"],
        "2024": ["P1", "P3", "P2"],
        "2025": ["P3", "P2", "P1"],
    }


def test_a_tie_the_cascade_leaves_is_settled_by_the_reference() -> None:
    ranked = rank([candidate("B"), candidate("A")], ["score"])
    assert placed(ranked) == [("A", 1, None), ("B", 2, "reference")]


def test_an_unknown_tie_break_step_is_refused() -> None:
    with pytest.raises(ValueError, match="coin_toss"):
        rank([candidate("A"), candidate("B")], ["coin_toss"])


STEPS = ["score", "reviews", "submitted_first", "lottery", "criterion:impact", "criterion:replicable"]
candidates_strategy = st.lists(
    st.builds(
        Candidate,
        reference=st.text(alphabet="ABC123", min_size=1, max_size=3),
        score=st.sampled_from([0.0, 35.5, 50.0, 50.0000000001, 100.0])
        | st.floats(0, 100, allow_nan=False),
        reviews=st.integers(0, 3),
        position=st.integers(1, 5),
        criteria=st.fixed_dictionaries(
            {}, optional={"impact": st.sampled_from([0.0, 5.0, 10.0]),
                          "replicable": st.sampled_from([1.0, 3.0])},
        ),
    ),
    max_size=8,
    unique_by=lambda c: c.reference,
)


@given(
    candidates=candidates_strategy,
    cascade=st.lists(st.sampled_from(STEPS), max_size=5),
    seed=st.text(max_size=4),
    shuffle=st.randoms(use_true_random=False),
)
def test_a_ranking_does_not_depend_on_the_order_candidates_come_in(
    candidates: list[Candidate], cascade: list[str], seed: str, shuffle: random.Random
) -> None:
    shuffled = list(candidates)
    shuffle.shuffle(shuffled)
    ranked = rank(candidates, cascade, seed)
    assert rank(shuffled, cascade, seed) == ranked
    assert [e.place for e in ranked] == list(range(1, len(candidates) + 1))
    assert all(e.settled_by is None for e in ranked[:1])
    assert all(e.settled_by is not None for e in ranked[1:])


# The vote count


def ballot(nomination: str, submission: str, region: str) -> CountedBallot:
    return CountedBallot(nomination=nomination, submission=submission, region=region)


def test_votes_are_counted_per_nomination_and_per_voter_region() -> None:
    by_submission, by_region = count_votes([
        ballot("n2", "S3", "75"),
        ballot("n1", "S2", "23"),
        ballot("n1", "S1", "75"),
        ballot("n1", "S1", "23"),
        ballot("n1", "S1", "23"),
        ballot("n2", "S3", "23"),
    ])
    assert by_submission == {"n1": {"S1": 3, "S2": 1}, "n2": {"S3": 2}}
    assert by_region == {
        "23": {"n1": {"S1": 2, "S2": 1}, "n2": {"S3": 1}},
        "75": {"n1": {"S1": 1}, "n2": {"S3": 1}},
    }


def test_the_count_is_plain_dicts_sorted_by_key() -> None:
    by_submission, by_region = count_votes([
        ballot("n2", "S9", "75"), ballot("n1", "S2", "75"), ballot("n1", "S1", "23"),
    ])
    assert list(by_submission) == ["n1", "n2"]
    assert list(by_submission["n1"]) == ["S1", "S2"]
    assert list(by_region) == ["23", "75"]
    assert list(by_region["75"]) == ["n1", "n2"]
    assert type(by_submission) is dict and type(by_submission["n1"]) is dict
    assert type(by_region) is dict and type(by_region["75"]) is dict
    assert type(by_region["75"]["n1"]) is dict


def test_no_ballots_count_to_empty_tallies() -> None:
    assert count_votes([]) == ({}, {})


# Eligibility


def applicant(kind: ApplicantKind = ApplicantKind.NGO, region: str = "23") -> Applicant:
    return Applicant(name="Фонд «Семья»", kind=kind, region=region)


def regional_spec(regions: list[str]) -> ContestSpec:
    data = spec_data(START)
    data["eligibility"] = {"applicant_kinds": ["ngo"], "regions": regions}
    return ContestSpec.model_validate(data)


def test_an_eligible_applicant_has_no_reason_to_be_turned_away() -> None:
    assert ineligibility_reason(make_spec(START), "HC-1", applicant()) is None
    assert ineligibility_reason(regional_spec(["75", "23"]), "HC-2", applicant(region="23")) is None


def test_an_entry_in_an_unknown_nomination_is_ineligible() -> None:
    reason = ineligibility_reason(make_spec(START), "HC-9", applicant())
    assert reason == "unknown nomination HC-9"


def test_an_applicant_of_a_kind_the_contest_does_not_admit_is_ineligible() -> None:
    reason = ineligibility_reason(make_spec(START), "HC-1", applicant(ApplicantKind.BUSINESS))
    assert reason == "applicant kind business not admitted"


def test_an_applicant_from_a_region_outside_the_contest_is_ineligible() -> None:
    reason = ineligibility_reason(regional_spec(["75"]), "HC-1", applicant(region="23"))
    assert reason == "region 23 outside the contest"


def test_lateness_is_decided_by_log_order_alone() -> None:
    assert late_reason(11, 12) is None
    assert late_reason(12, 12) is None
    assert late_reason(13, 12) == "recorded after collection closed (position 13 > 12)"


# Standings


def entry(reference: str, place: int, score: float) -> RankedEntry:
    return RankedEntry(reference=reference, place=place, score=score, reviews=2)


def judging(rankings: dict[str, list[RankedEntry]], shortlist: dict[str, list[str]]) -> JudgingOutcome:
    return JudgingOutcome(
        judging_closed_at=40, reviews_counted=10, reviews_late=0,
        rankings=[NominationRanking(nomination=n, entries=e) for n, e in rankings.items()],
        shortlist=shortlist,
    )


def tally(by_submission: dict[str, dict[str, int]]) -> VoteTally:
    return VoteTally(
        voting_closed_at=60, accepted=sum(sum(v.values()) for v in by_submission.values()), late=0,
        by_submission=by_submission, by_region={},
    )


def standings(results: ContestResults, which: str = "winners") -> list[tuple[Any, ...]]:
    return [(s.nomination, s.place, s.reference, s.score, s.votes) for s in getattr(results, which)]


def test_without_a_vote_the_experts_ranking_gives_the_places() -> None:
    spec = make_spec(START, voting=False)  # two places per nomination
    outcome = judging(
        {"HC-1": [entry("A", 1, 80.0), entry("B", 2, 70.0), entry("C", 3, 60.0)],
         "HC-2": [entry("D", 1, 50.0)]},
        shortlist={"HC-1": [], "HC-2": []},
    )
    results = declare_standings(spec, outcome, None)
    assert standings(results) == [
        ("HC-1", 1, "A", 80.0, 0), ("HC-1", 2, "B", 70.0, 0), ("HC-2", 1, "D", 50.0, 0),
    ]
    assert results.people_choice == []


def test_a_peoples_choice_vote_gives_a_separate_award_and_leaves_the_places_alone() -> None:
    spec = make_spec(START)  # people_choice, two places per nomination
    outcome = judging(
        {"HC-1": [entry("P2", 1, 80.0), entry("P1", 2, 70.0), entry("P3", 3, 60.0)],
         "HC-2": [entry("Q1", 1, 90.0), entry("Q2", 2, 40.0)]},
        shortlist={"HC-1": ["P2", "P1"], "HC-2": ["Q1", "Q2"]},
    )
    votes = tally({"HC-1": {"P1": 5, "P2": 5}, "HC-2": {"Q1": 1, "Q2": 4}})
    results = declare_standings(spec, outcome, votes)
    assert standings(results) == [
        ("HC-1", 1, "P2", 80.0, 5), ("HC-1", 2, "P1", 70.0, 5),
        ("HC-2", 1, "Q1", 90.0, 1), ("HC-2", 2, "Q2", 40.0, 4),
    ]
    # A tie on votes goes to the better expert score; otherwise the most votes win.
    assert standings(results, "people_choice") == [
        ("HC-1", 1, "P2", 80.0, 5), ("HC-2", 1, "Q2", 40.0, 4),
    ]


def test_a_nomination_nobody_voted_in_has_no_peoples_choice() -> None:
    outcome = judging(
        {"HC-1": [entry("A", 1, 80.0)], "HC-2": [entry("D", 1, 50.0)]},
        shortlist={"HC-1": ["A"], "HC-2": ["D"]},
    )
    results = declare_standings(make_spec(START), outcome, tally({"HC-1": {"A": 2}}))
    assert standings(results, "people_choice") == [("HC-1", 1, "A", 80.0, 2)]


def test_a_weighted_vote_mixes_votes_into_the_places_of_the_shortlist() -> None:
    data = spec_data(START)
    data["voting"] = {"enabled": True, "shortlist_size": 3, "award": "weighted", "public_weight": 0.3}
    spec = ContestSpec.model_validate(data)  # two places per nomination
    outcome = judging(
        {"HC-1": [entry("A", 1, 80.0), entry("B", 2, 70.0), entry("C", 3, 60.0),
                  entry("D", 4, 50.0)],
         "HC-2": [entry("E", 1, 50.0)]},
        shortlist={"HC-1": ["A", "B", "C"], "HC-2": ["E"]},
    )
    # D is off the shortlist: its 100 votes neither place it nor set the maximum (40, B's).
    votes = tally({"HC-1": {"A": 10, "B": 40, "C": 20, "D": 100}})
    results = declare_standings(spec, outcome, votes)
    # A: 0.7·80 + 0.3·100·10/40 = 63.5; B: 0.7·70 + 0.3·100 = 79.0; C: 0.7·60 + 0.3·50 = 57.0;
    # E, with no votes at all: 0.7·50 = 35.0.
    assert standings(results) == [
        ("HC-1", 1, "B", 79.0, 40), ("HC-1", 2, "A", 63.5, 10), ("HC-2", 1, "E", 35.0, 0),
    ]
    assert results.people_choice == []


def test_a_vote_only_contest_places_entries_by_votes() -> None:
    data = spec_data(START)
    data["judging"] = {"enabled": False}
    spec = ContestSpec.model_validate(data)
    results = declare_standings(spec, None, tally({"HC-1": {"A": 3, "B": 7, "C": 3}}))
    assert standings(results) == [("HC-1", 1, "B", 0.0, 7), ("HC-1", 2, "A", 0.0, 3)]

