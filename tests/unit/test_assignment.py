"""Expert assignment: conflicts of interest and a balanced plan drawn from a seed."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.rules.assignment import (
    Conflict,
    Entry,
    Reviewer,
    Shortfall,
    conflict_reason,
    plan_assignments,
)


def reviewer(id: str, **fields: Any) -> Reviewer:
    data: dict[str, Any] = {"organisation": f"Org of {id}", "region": "77", "level": "federal"}
    return Reviewer(id=id, **(data | fields))


def entry(reference: str, **fields: Any) -> Entry:
    data: dict[str, Any] = {"organisation": f"Applicant {reference}", "region": "50"}
    return Entry(reference=reference, **(data | fields))


def sha(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


# Conflicts of interest


def test_same_inn_wins_over_every_other_reason() -> None:
    expert = reviewer("e", inn="7701234567", organisation="Школа №1", region="50", municipality="Химки",
                      level="regional")
    applicant = entry("S", inn="7701234567", organisation="Школа №1", region="50", municipality="Химки")

    assert conflict_reason(expert, applicant, exclude_own_region=True) == "same INN as the applicant"


def test_same_organisation_ignores_case_and_whitespace() -> None:
    expert = reviewer("e", organisation="  МБОУ  «Школа №1» ")
    applicant = entry("S", organisation="мбоу «школа №1»")

    reason = conflict_reason(expert, applicant, exclude_own_region=False)

    assert reason == "same organisation as the applicant"


def test_empty_inn_is_not_a_match() -> None:
    assert conflict_reason(reviewer("e", inn=""), entry("S", inn=""), exclude_own_region=False) is None
    assert conflict_reason(reviewer("e"), entry("S"), exclude_own_region=False) is None


def test_same_municipality_needs_the_same_region() -> None:
    here = entry("S", region="50", municipality="Химки")

    assert (
        conflict_reason(reviewer("e", region="50", municipality="Химки"), here, exclude_own_region=False)
        == "same municipality as the applicant"
    )
    elsewhere = reviewer("e", region="51", municipality="Химки")
    assert conflict_reason(elsewhere, here, exclude_own_region=False) is None
    unknown = reviewer("e", region="50")
    assert conflict_reason(unknown, entry("S", region="50"), exclude_own_region=False) is None


def test_regional_experts_of_the_applicant_region_only_when_excluded() -> None:
    regional = reviewer("e", region="50", level="regional")
    federal = reviewer("f", region="50", level="federal")
    here = entry("S", region="50")

    reason = conflict_reason(regional, here, exclude_own_region=True)

    assert reason == "regional expert of the applicant's region"
    assert conflict_reason(regional, here, exclude_own_region=False) is None
    assert conflict_reason(federal, here, exclude_own_region=True) is None
    assert conflict_reason(regional, entry("S", region="51"), exclude_own_region=True) is None


# Plans


def test_load_is_balanced_by_hand() -> None:
    # 6 entries × 2 reviewers = 12 cards over 3 experts → exactly 4 each.
    entries = [entry(f"S{i}") for i in range(6)]
    panel = [reviewer(name) for name in ("a", "b", "c")]

    plan = plan_assignments(entries, panel, 2, "seed", exclude_own_region=False)

    assert Counter(expert for _, expert in plan.pairs) == {"a": 4, "b": 4, "c": 4}
    assert all(count == 2 for count in Counter(ref for ref, _ in plan.pairs).values())
    assert plan.pairs == sorted(plan.pairs)
    assert plan.conflicts == [] and plan.shortfalls == []


def test_ties_go_to_the_smallest_seeded_hash() -> None:
    panel = [reviewer(name) for name in ("a", "b", "c")]

    plan = plan_assignments([entry("S1")], panel, 1, "lot", exclude_own_region=False)

    winner = min("abc", key=lambda e: sha(f"lot/{e}/S1"))
    assert plan.pairs == [("S1", winner)]


def test_entries_are_served_in_seeded_order() -> None:
    # Two entries, two experts, one reviewer each: the entry drawn first takes its favourite expert.
    panel = [reviewer("a"), reviewer("b")]

    plan = plan_assignments([entry("S1"), entry("S2")], panel, 1, "lot", exclude_own_region=False)

    first, second = sorted(["S1", "S2"], key=lambda ref: sha(f"lot/{ref}"))
    favourite = min("ab", key=lambda e: sha(f"lot/{e}/{first}"))
    other = "b" if favourite == "a" else "a"
    assert sorted(plan.pairs) == sorted([(first, favourite), (second, other)])


def test_extra_load_steers_cards_away() -> None:
    panel = [reviewer(name) for name in ("a", "b", "c")]

    plan = plan_assignments([entry("S1")], panel, 2, "seed", exclude_own_region=False, load={"a": 5})

    assert plan.pairs == [("S1", "b"), ("S1", "c")]


def test_existing_assignments_are_kept_and_topped_up() -> None:
    panel = [reviewer(name) for name in ("a", "b", "c", "d")]
    entries = [entry("S1"), entry("S2")]

    plan = plan_assignments(
        entries, panel, 3, "seed", exclude_own_region=False,
        existing={"S1": ["a", "b"], "S2": ["a", "b", "c"]},
    )

    # Loads from existing cards: a 2, b 2, c 1, d 0. S1 needs one more besides a and b: d, the least loaded.
    # S2 already has three.
    assert plan.pairs == [("S1", "d")]
    assert plan.shortfalls == []


def test_barred_experts_never_return() -> None:
    panel = [reviewer(name) for name in ("a", "b", "c")]

    plan = plan_assignments(
        [entry("S1")], panel, 2, "seed", exclude_own_region=False,
        existing={"S1": ["a", "b"]}, barred={"S1": {"a"}},
    )

    # a recused: b stays, and the only replacement is c.
    assert plan.pairs == [("S1", "c")]


def test_shortfall_when_too_few_eligible_experts() -> None:
    panel = [
        reviewer("a", organisation="Applicant S1"),  # conflicted
        reviewer("b", region="50", level="regional"),  # conflicted when own region is excluded
        reviewer("c"),
        reviewer("d"),  # recused
    ]

    plan = plan_assignments(
        [entry("S1"), entry("S2", region="61")], panel, 3, "seed", exclude_own_region=True,
        barred={"S1": ["d"]},
    )

    assert [pair for pair in plan.pairs if pair[0] == "S1"] == [("S1", "c")]
    assert len([pair for pair in plan.pairs if pair[0] == "S2"]) == 3
    assert plan.shortfalls == [Shortfall(submission="S1", needed=3, assigned=1, eligible=1)]
    assert plan.conflicts == [
        Conflict(submission="S1", expert="a", reason="same organisation as the applicant"),
        Conflict(submission="S1", expert="b", reason="regional expert of the applicant's region"),
    ]


def test_duplicates_and_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="listed twice"):
        plan_assignments([entry("S1"), entry("S1")], [reviewer("a")], 1, "s", exclude_own_region=False)
    with pytest.raises(ValueError, match="listed twice"):
        plan_assignments([entry("S1")], [reviewer("a"), reviewer("a")], 1, "s", exclude_own_region=False)
    with pytest.raises(ValueError, match="negative"):
        plan_assignments([entry("S1")], [reviewer("a")], -1, "s", exclude_own_region=False)


# Properties

REGIONS = ["50", "61", "77"]
ORGS = ["Школа", " школа ", "Лицей", "Гимназия", "Колледж"]
INNS = [None, "", "111", " 111", "222"]
MUNICIPALITIES = [None, "", "Химки", "химки ", "Шахты"]

reviewers = st.lists(
    st.builds(
        Reviewer,
        id=st.sampled_from([f"e{i}" for i in range(10)]),
        organisation=st.sampled_from(ORGS), inn=st.sampled_from(INNS), region=st.sampled_from(REGIONS),
        municipality=st.sampled_from(MUNICIPALITIES), level=st.sampled_from(["federal", "regional"]),
    ),
    max_size=8, unique_by=lambda r: r.id,
)
entries_strategy = st.lists(
    st.builds(
        Entry,
        reference=st.sampled_from([f"S{i}" for i in range(12)]),
        organisation=st.sampled_from(ORGS), inn=st.sampled_from(INNS), region=st.sampled_from(REGIONS),
        municipality=st.sampled_from(MUNICIPALITIES),
    ),
    max_size=10, unique_by=lambda e: e.reference,
)
experts = st.sampled_from([f"e{i}" for i in range(10)])
by_submission = st.dictionaries(
    st.sampled_from([f"S{i}" for i in range(12)]), st.lists(experts, max_size=4, unique=True), max_size=6
)


@given(
    entries=entries_strategy, panel=reviewers, per=st.integers(0, 4), seed=st.text(max_size=5),
    exclude=st.booleans(), existing=by_submission, barred=by_submission,
    load=st.dictionaries(experts, st.integers(0, 3)),
)
def test_plan_properties(
    entries: list[Entry], panel: list[Reviewer], per: int, seed: str, exclude: bool,
    existing: dict[str, list[str]], barred: dict[str, list[str]], load: dict[str, int],
) -> None:
    plan = plan_assignments(
        entries, panel, per, seed, exclude_own_region=exclude, existing=existing, barred=barred, load=load
    )

    assert len(set(plan.pairs)) == len(plan.pairs)
    by_id = {r.id: r for r in panel}
    new: dict[str, set[str]] = {e.reference: set() for e in entries}
    for reference, expert_id in plan.pairs:
        new[reference].add(expert_id)
    shortfalls = {s.submission: s for s in plan.shortfalls}
    for e in entries:
        conflicted = {r.id for r in panel if conflict_reason(r, e, exclude_own_region=exclude)}
        blocked = conflicted | set(barred.get(e.reference, ()))
        eligible = set(by_id) - blocked
        kept = set(existing.get(e.reference, ())) - set(barred.get(e.reference, ()))
        # (a) no conflicted or barred expert is given a card, nor one who already holds it.
        assert new[e.reference] <= eligible - kept
        assert {c.expert for c in plan.conflicts if c.submission == e.reference} == conflicted
        # (b) distinct reviewers up to per_submission, else a shortfall that says why.
        reviewers_now = kept | new[e.reference]
        if len(reviewers_now) >= per:
            assert len(new[e.reference]) == max(0, per - len(kept))
            assert e.reference not in shortfalls
        else:
            assert new[e.reference] == eligible - kept
            assert shortfalls[e.reference] == Shortfall(
                submission=e.reference, needed=per, assigned=len(reviewers_now), eligible=len(eligible)
            )
    assert set(shortfalls) <= {e.reference for e in entries}


@given(
    entries=entries_strategy, panel=reviewers, per=st.integers(0, 4), seed=st.text(max_size=5),
    exclude=st.booleans(), existing=by_submission, barred=by_submission, data=st.data(),
)
def test_plan_ignores_input_order(
    entries: list[Entry], panel: list[Reviewer], per: int, seed: str, exclude: bool,
    existing: dict[str, list[str]], barred: dict[str, list[str]], data: st.DataObject,
) -> None:
    plan = plan_assignments(entries, panel, per, seed, exclude_own_region=exclude, existing=existing,
                            barred=barred)
    shuffled = plan_assignments(
        data.draw(st.permutations(entries)), data.draw(st.permutations(panel)), per, seed,
        exclude_own_region=exclude,
        existing={ref: list(reversed(ids)) for ref, ids in reversed(existing.items())},
        barred={ref: set(ids) for ref, ids in barred.items()},
    )

    assert shuffled == plan


@given(
    entries=st.integers(0, 30), experts_count=st.integers(1, 12), per=st.integers(0, 12),
    seed=st.text(max_size=5),
)
def test_load_stays_within_one_without_conflicts(
    entries: int, experts_count: int, per: int, seed: str
) -> None:
    per = min(per, experts_count)
    panel = [reviewer(f"e{i}") for i in range(experts_count)]

    applicants = [entry(f"S{i}") for i in range(entries)]

    plan = plan_assignments(applicants, panel, per, seed, exclude_own_region=True)

    counts = Counter(expert for _, expert in plan.pairs)
    loads = [counts[r.id] for r in panel]
    assert max(loads) - min(loads) <= 1
    assert len(plan.pairs) == entries * per
    assert plan.shortfalls == []
