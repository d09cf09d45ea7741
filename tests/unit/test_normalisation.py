"""Score normalisation: raw means, per-expert z-scores with fallbacks, trimmed means."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.rules.normalisation import Card, normalise


def card(submission: str, expert: str, score: float, **criteria: float) -> Card:
    return Card(submission=submission, expert=expert, score=score, criteria=criteria)


def test_raw_is_the_plain_mean_with_spread_and_reviews() -> None:
    result = normalise([card("A", "e1", 60), card("A", "e2", 75), card("A", "e3", 90)], "raw")

    a = result["A"]
    assert a.score == a.raw_score == 75.0
    assert a.reviews == 3
    assert a.spread == 30.0
    assert a.fallback_experts == []
    assert a.trimmed is False


def test_one_card_has_no_spread() -> None:
    assert normalise([card("A", "e1", 60)], "raw")["A"].spread == 0.0


def test_criteria_are_averaged_per_criterion() -> None:
    result = normalise(
        [card("A", "e1", 70, impact=8, replicable=3), card("A", "e2", 50, impact=5, replicable=4)], "raw"
    )

    assert result["A"].criteria == {"impact": 6.5, "replicable": 3.5}


def test_results_are_keyed_by_reference_in_order() -> None:
    result = normalise([card("B", "e1", 10), card("A", "e1", 20)], "raw")

    assert list(result) == ["A", "B"]
    assert normalise([], "zscore") == {}


# z-scores

# A lenient expert L scores A, B, C at 85, 90, 95; a strict expert S scores D, E, F at 60, 55, 50.
# L: μ=90, σ=√(50/3); S: μ=55, σ=√(50/3). All six cards: μ=72.5,
# σ² = (12.5² + 17.5² + 22.5²)·2/6 = 1937.5/6.
# L's lowest card A has z = −5/√(50/3) = −√1.5, so A → 72.5 − √1.5·√(1937.5/6) = 72.5 − √484.375;
# S's highest card D has z = +√1.5, so D → 72.5 + √484.375; B and E sit at their experts' means → 72.5.
LENIENT_AND_STRICT = [
    card("A", "L", 85), card("B", "L", 90), card("C", "L", 95),
    card("D", "S", 60), card("E", "S", 55), card("F", "S", 50),
]


def test_zscore_corrects_a_lenient_and_a_strict_expert() -> None:
    raw = normalise(LENIENT_AND_STRICT, "raw")
    result = normalise(LENIENT_AND_STRICT, "zscore")

    assert raw["A"].score > raw["D"].score
    assert result["A"].score == pytest.approx(72.5 - math.sqrt(484.375))
    assert result["D"].score == pytest.approx(72.5 + math.sqrt(484.375))
    assert result["B"].score == pytest.approx(72.5)
    assert result["E"].score == pytest.approx(72.5)
    assert result["D"].score > result["A"].score
    assert result["A"].raw_score == 85.0
    # Each expert's top, middle and bottom card land on the same three values.
    assert result["C"].score == pytest.approx(result["D"].score)
    assert result["F"].score == pytest.approx(result["A"].score)
    assert all(r.fallback_experts == [] for r in result.values())


def test_an_expert_with_two_cards_falls_back_to_raw_scores() -> None:
    cards = [*LENIENT_AND_STRICT, card("A", "X", 40), card("G", "X", 100)]

    result = normalise(cards, "zscore")

    assert result["G"].score == 100.0
    assert result["G"].fallback_experts == ["X"]
    assert result["A"].fallback_experts == ["X"]
    assert result["D"].fallback_experts == []
    # A: L's card normalised against all eight cards, X's card kept at 40.
    scores = [c.score for c in cards]
    centre = sum(scores) / 8
    sigma = math.sqrt(sum((s - centre) ** 2 for s in scores) / 8)
    lenient = centre - math.sqrt(1.5) * sigma
    assert result["A"].score == pytest.approx((lenient + 40) / 2)


def test_an_expert_who_gives_every_card_the_same_score_falls_back() -> None:
    cards = [*LENIENT_AND_STRICT, card("A", "Z", 70), card("B", "Z", 70), card("G", "Z", 70)]

    result = normalise(cards, "zscore")

    assert result["G"].score == 70.0
    assert result["G"].fallback_experts == ["Z"]
    assert result["B"].fallback_experts == ["Z"]


def test_equal_scores_everywhere_keep_their_raw_values() -> None:
    cards = [card(s, e, 64.2) for s in "ABC" for e in ("e1", "e2", "e3")]

    result = normalise(cards, "zscore")

    assert {r.score for r in result.values()} == {64.2}
    assert result["A"].fallback_experts == ["e1", "e2", "e3"]


def test_zscore_is_clamped_to_the_scale() -> None:
    # T barely varies (50, 50, 51: σ_T = √(2/9)), so its 51 sits at z = √2; W (0, 100, 100) puts its
    # 100s at z = √0.5. All six cards: μ = 58.5, σ² = 7067.5/6 ≈ 34.3². T's 51 → 58.5 + √2·34.3 ≈ 107,
    # clamped to 100; W's 100 on C → 58.5 + √0.5·σ ≈ 82.8.
    cards = [
        card("A", "T", 50), card("B", "T", 50), card("C", "T", 51),
        card("A", "W", 0), card("B", "W", 100), card("C", "W", 100),
    ]
    sigma = math.sqrt(7067.5 / 6)
    assert 58.5 + math.sqrt(2) * sigma > 100

    assert normalise(cards, "zscore")["C"].score == pytest.approx((100 + 58.5 + math.sqrt(0.5) * sigma) / 2)


# Trimmed means


def test_five_cards_drop_the_lowest_and_the_highest() -> None:
    cards = [card("A", f"e{i}", s) for i, s in enumerate([10, 60, 70, 80, 100])]

    result = normalise(cards, "trimmed")["A"]

    assert result.trimmed is True
    assert result.score == 70.0
    assert result.raw_score == 64.0
    assert result.spread == 90.0


def test_four_cards_are_not_trimmed() -> None:
    cards = [card("A", f"e{i}", s) for i, s in enumerate([10, 60, 70, 100])]

    result = normalise(cards, "trimmed")["A"]

    assert result.trimmed is False
    assert result.score == result.raw_score == 60.0


def test_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown normalisation method"):
        normalise([], "median")  # type: ignore[arg-type]


# Order of the input


cards_strategy = st.lists(
    st.builds(
        Card,
        submission=st.sampled_from(["A", "B", "C", "D"]),
        expert=st.sampled_from(["e1", "e2", "e3", "e4", "e5"]),
        score=st.floats(min_value=0, max_value=100, allow_nan=False),
        criteria=st.dictionaries(
            st.sampled_from(["impact", "cost"]), st.floats(min_value=0, max_value=10, allow_nan=False)
        ),
    ),
    max_size=30,
)


@given(cards=cards_strategy, data=st.data())
def test_permuting_the_cards_changes_nothing(cards: list[Card], data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(cards))

    for method in ("raw", "zscore", "trimmed"):
        assert normalise(shuffled, method) == normalise(cards, method)  # type: ignore[arg-type]


@given(cards=cards_strategy)
def test_normalised_scores_stay_on_the_scale(cards: list[Card]) -> None:
    for method in ("raw", "zscore", "trimmed"):
        for result in normalise(cards, method).values():  # type: ignore[arg-type]
            assert 0 <= result.score <= 100
