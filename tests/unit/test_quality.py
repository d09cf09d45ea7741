"""Quality of review: spread, leniency and Krippendorff's alpha (interval)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.rules.normalisation import Card
from domain.rules.quality import krippendorff_alpha_interval, leniency, spread


def card(submission: str, expert: str, score: float) -> Card:
    return Card(submission=submission, expert=expert, score=score)


def test_spread_is_highest_minus_lowest() -> None:
    assert spread([70, 55, 90]) == 35
    assert spread([42]) == 0
    assert spread([]) == 0


# Leniency


def test_an_expert_ten_points_above_two_neutral_experts_has_leniency_ten() -> None:
    # A: N1 60, N2 60, P 70 → P is 70 − 60 = +10; N1 and N2 are each 60 − (60+70)/2 = −5.
    # B: N1 40, N2 50, P 55 → P is 55 − 45 = +10; N1 40 − 52.5 = −12.5; N2 50 − 47.5 = +2.5.
    cards = [
        card("A", "N1", 60), card("A", "N2", 60), card("A", "P", 70),
        card("B", "N1", 40), card("B", "N2", 50), card("B", "P", 55),
    ]

    result = leniency(cards)

    assert result == {"N1": -8.75, "N2": -1.25, "P": 10.0}
    assert list(result) == ["N1", "N2", "P"]


def test_cards_alone_on_their_submission_are_not_compared() -> None:
    cards = [card("A", "N1", 60), card("A", "P", 70), card("B", "P", 99), card("C", "Q", 10)]

    assert leniency(cards) == {"N1": -10.0, "P": 10.0}


def test_leniency_ignores_the_order_of_cards() -> None:
    cards = [card("A", "e1", 61.3), card("A", "e2", 70.1), card("A", "e3", 12.7), card("B", "e1", 33.3),
             card("B", "e3", 80.9)]

    expected = leniency(cards)
    for order in itertools.permutations(cards):
        assert leniency(order) == expected


# Krippendorff's alpha


def test_perfect_agreement_is_one() -> None:
    assert krippendorff_alpha_interval([[70.3, 70.3, 70.3], [40, 40], [55.5, 55.5]]) == 1.0


def test_hand_computed_alpha_with_missing_data() -> None:
    # Units [1, 2], [4, 4, 5] and [3]; the single 3 is not pairable, so n = 5 values: 1, 2, 4, 4, 5.
    # D_o = (1/n) Σ_u Σ_{i≠j}(x_i−x_j)²/(m_u−1):
    #   [1, 2]:    ordered pairs 2·1² = 2, over m−1 = 1 → 2
    #   [4, 4, 5]: ordered pairs 2·(0 + 1 + 1) = 4, over m−1 = 2 → 2
    #   D_o = (2 + 2)/5 = 0.8
    # D_e = (1/(n(n−1))) Σ_{i≠j} over the pooled 1, 2, 4, 4, 5:
    #   unordered pairs 1-2:1, 1-4:9, 1-4:9, 1-5:16, 2-4:4, 2-4:4, 2-5:9, 4-4:0, 4-5:1, 4-5:1 = 54,
    #   ordered 108, D_e = 108/20 = 5.4
    # α = 1 − 0.8/5.4 = 23/27 ≈ 0.8519
    assert krippendorff_alpha_interval([[1, 2], [4, 4, 5], [3]]) == pytest.approx(23 / 27)


def test_a_unit_with_a_single_value_is_ignored() -> None:
    units: list[list[float]] = [[1, 2], [4, 4, 5]]

    assert krippendorff_alpha_interval([*units, [100]]) == krippendorff_alpha_interval(units)
    assert krippendorff_alpha_interval([*units, []]) == krippendorff_alpha_interval(units)


def test_systematic_disagreement_goes_below_zero() -> None:
    # Within a unit the values differ as much as across units: [0, 10], [0, 10].
    # D_o = (2·100 + 2·100)/4 = 100; D_e = 2·(4 pairs 0-10)·100/12 = 800/12; α = 1 − 1.5 = −0.5.
    assert krippendorff_alpha_interval([[0, 10], [0, 10]]) == pytest.approx(-0.5)


def test_alpha_is_undefined_without_pairable_values_or_variation() -> None:
    assert krippendorff_alpha_interval([]) is None
    assert krippendorff_alpha_interval([[50], [60]]) is None
    assert krippendorff_alpha_interval([[50, 50], [50, 50, 50]]) is None


def brute_force_alpha(units: list[list[float]]) -> float | None:
    """The definition, pair by pair."""
    pairable = [u for u in units if len(u) >= 2]
    pooled = [x for u in pairable for x in u]
    n = len(pooled)
    if n < 2:
        return None
    expected = sum((a - b) ** 2 for a, b in itertools.permutations(pooled, 2)) / (n * (n - 1))
    if expected == 0:
        return None
    observed = sum(
        sum((a - b) ** 2 for a, b in itertools.permutations(u, 2)) / (len(u) - 1) for u in pairable
    ) / n
    return 1 - observed / expected


@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=100).map(float), max_size=5), max_size=6
    )
)
def test_alpha_matches_the_pairwise_definition(units: list[list[float]]) -> None:
    expected = brute_force_alpha(units)
    actual = krippendorff_alpha_interval(units)

    if expected is None:
        assert actual is None
    else:
        assert actual == pytest.approx(expected, abs=1e-9)
