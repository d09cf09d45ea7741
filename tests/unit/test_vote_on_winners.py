"""The vote on the winners (seed 002), voter ids spelled one way on every path, and what judging
leaves unsettled: open cards at an early close, submissions short of reviews, nominations with
no winner."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.aggregates import Ballot
from domain.commands.intake import BallotInput, CastBallots
from domain.commands.order import ContestOrder
from domain.outcomes import JudgingOutcome, NominationRanking, RankedEntry, VoteTally
from domain.rules.judgement import (
    describe_open_cards,
    open_cards_by_nomination,
    short_of_reviews,
    why_no_winner,
)
from domain.rules.standings import declare_standings
from domain.rules.tally import demand_by_practice
from domain.rules.voter_ids import normalise_voter_id
from domain.spec import ContestSpec, Voting
from konkurs import intake_files
from services.ballots import ALREADY_VOTED, NO_VOTER_ID, voter_pseudonym
from services.konkurs import Konkurs
from store.log import topic_of
from tests.factories import OPERATOR, expert_panel, make_spec, record_cards, spec_data, voting_contest
from tests.unit.test_judging import SLUG as JUDGED
from tests.unit.test_judging import card, entry, judged, judging_opened, spec_with

SLUG = "vote-test"
KEY = b"test-voter-key"
ESIA = {"voter_ids": ["trim", "strip_spaces", "strip_leading_zeros"]}


# --- voter ids -------------------------------------------------------------------------------

def test_the_default_rule_only_trims_what_the_file_import_always_trimmed() -> None:
    assert normalise_voter_id("  00123 ") == "00123"
    assert normalise_voter_id("ab C") == "ab C"
    assert Voting().voter_ids == ("trim",)


@pytest.mark.parametrize(("given", "rule", "spelled"), [
    ("  00123 ", ["trim", "strip_leading_zeros"], "123"),
    ("001 23", ["strip_spaces", "strip_leading_zeros"], "123"),
    ("000", ["strip_leading_zeros"], "0"),
    ("esia-007", ["strip_leading_zeros"], "esia-007"),  # letters: not a number, left alone
    ("٠٠12", ["strip_leading_zeros"], "٠٠12"),  # digits of another script are not ESIA's
    ("AbC", ["casefold"], "abc"),
    ("a\tb\u00a0c", ["strip_spaces"], "abc"),
    (" x ", [], " x "),
])
def test_each_step_of_the_rule(given: str, rule: list[str], spelled: str) -> None:
    assert normalise_voter_id(given, rule) == spelled  # type: ignore[arg-type]


def test_the_steps_apply_in_one_order_whatever_order_the_spec_lists() -> None:
    assert normalise_voter_id(" 0 12", ["strip_leading_zeros", "strip_spaces"]) == "12"


def test_an_unknown_step_is_refused_by_the_spec() -> None:
    with pytest.raises(ValueError, match="voter_ids"):
        Voting(voter_ids=("strip_dashes",))  # type: ignore[arg-type]


def test_fields_left_at_their_defaults_leave_the_fingerprint_as_it_was() -> None:
    start = datetime(2030, 1, 1, tzinfo=UTC)
    data = spec_data(start)
    said = make_spec(start).model_dump(mode="json", exclude_defaults=True)["voting"]
    assert not {"ballot", "voter_ids"} & set(said)
    data["voting"].update(ballot="shortlist", award="people_choice", voter_ids=["trim"])
    assert ContestSpec.model_validate(data).fingerprint() == make_spec(start).fingerprint()


def cast_voters(konkurs: Konkurs) -> set[str]:
    return {e.state["voter"] for e in konkurs.store.read_log([topic_of(Ballot.Cast)])}


def test_padded_and_plain_esia_ids_are_one_voter_on_every_path(konkurs: Konkurs, tmp_path: Path) -> None:
    voting_contest(konkurs, voting=ESIA)
    one = voter_pseudonym(KEY, "123")
    # A portal's batch.
    first = konkurs.ballots.cast_ballots(CastBallots(slug=SLUG, ballots=[
        BallotInput(voter="  00123 ", nomination="HC-1", submission="HC-1-0", region="23"),
        BallotInput(voter="123", nomination="HC-1", submission="HC-1-1", region="23"),
    ], voter_key=KEY, actor=OPERATOR))
    assert (first.accepted, first.rejected) == (1, {ALREADY_VOTED: 1})
    # The API's single ballots, committed together.
    [single] = konkurs.ballots.cast_together([CastBallots(slug=SLUG, ballots=[
        BallotInput(voter="0 0123", nomination="HC-1", submission="HC-1-2", region="23")],
        voter_key=KEY, actor=OPERATOR)])
    assert not isinstance(single, Exception) and single.rejected == {ALREADY_VOTED: 1}
    # An operator's file: the same voter in another nomination is accepted, under the same pseudonym.
    path = tmp_path / "ballots.csv"
    path.write_text("voter;nomination;submission;region\n00123;HC-2;HC-2-0;23\n", encoding="utf-8")
    konkurs.ballots.cast_ballots(CastBallots(slug=SLUG, ballots=intake_files.ballots(path),
                                             voter_key=KEY, strict=True, actor=OPERATOR))
    assert cast_voters(konkurs) == {one}


def test_without_the_rule_naming_zeros_they_make_another_voter(konkurs: Konkurs) -> None:
    voting_contest(konkurs)
    outcome = konkurs.ballots.cast_ballots(CastBallots(slug=SLUG, ballots=[
        BallotInput(voter=" 00123", nomination="HC-1", submission="HC-1-0", region="23"),
        BallotInput(voter="123", nomination="HC-1", submission="HC-1-1", region="23"),
        BallotInput(voter="00123", nomination="HC-1", submission="HC-1-1", region="23"),
    ], voter_key=KEY, actor=OPERATOR))
    assert (outcome.accepted, outcome.rejected) == (2, {ALREADY_VOTED: 1})
    assert cast_voters(konkurs) == {voter_pseudonym(KEY, "00123"), voter_pseudonym(KEY, "123")}


def test_an_id_that_is_only_spaces_is_refused_not_counted_as_one_voter(konkurs: Konkurs) -> None:
    voting_contest(konkurs, voting=ESIA)
    outcome = konkurs.ballots.cast_ballots(CastBallots(slug=SLUG, ballots=[
        BallotInput(voter="   ", nomination="HC-1", submission="HC-1-0", region="23")],
        voter_key=KEY, actor=OPERATOR))
    assert (outcome.accepted, outcome.rejected) == (0, {NO_VOTER_ID: 1})


# --- the ballot and the award --------------------------------------------------------------------

def test_the_ballot_holds_the_winners_or_the_shortlist() -> None:
    assert Voting(enabled=True, ballot="winners", shortlist_size=5).ballot_size(3) == 3
    assert Voting(enabled=True, shortlist_size=5).ballot_size(3) == 5
    assert Voting(enabled=False, ballot="winners").ballot_size(3) == 0


def ranked_by_experts(*references: str) -> JudgingOutcome:
    entries = [RankedEntry(reference=r, place=i + 1, score=90.0 - i, reviews=3)
               for i, r in enumerate(references)]
    return JudgingOutcome(judging_closed_at=1, reviews_counted=3 * len(references), reviews_late=0,
                          rankings=[NominationRanking(nomination="HC-1", entries=entries)],
                          shortlist={"HC-1": list(references[:3])})


def tally(votes: dict[str, int]) -> VoteTally:
    return VoteTally(voting_closed_at=2, accepted=sum(votes.values()), late=0,
                     by_submission={"HC-1": votes}, by_region={"23": {"HC-1": votes}})


def test_a_vote_that_awards_nothing_moves_no_place_and_names_no_peoples_choice() -> None:
    data = spec_data(datetime(2030, 1, 1, tzinfo=UTC))
    data["voting"].update(ballot="winners", award="none")
    data["places_per_nomination"] = 3
    spec = ContestSpec.model_validate(data)
    results = declare_standings(spec, ranked_by_experts("A", "B", "C", "D"), tally({"C": 90, "A": 1}))
    assert [(s.place, s.reference, s.votes) for s in results.winners if s.nomination == "HC-1"] == [
        (1, "A", 1), (2, "B", 0), (3, "C", 90)]
    assert results.people_choice == []


def test_demand_lists_for_each_practice_the_regions_that_want_it_most_first() -> None:
    by_region = {"23": {"HC-1": {"A": 5, "B": 1}}, "75": {"HC-1": {"A": 9}}, "77": {"HC-1": {"A": 5}}}
    assert demand_by_practice(by_region) == {"HC-1": {"A": {"75": 9, "23": 5, "77": 5}, "B": {"23": 1}}}


# --- judging left unsettled ------------------------------------------------------------------

def test_open_cards_are_counted_per_nomination_and_refused_in_one_line() -> None:
    assigned = {"HC-1": {"A": ["e1", "e2"], "B": ["e1"]}, "HC-2": {"C": ["e3"]}, "SP-1": {}}
    missing = open_cards_by_nomination(assigned, {"A": ["e1"], "C": ["e3"]})
    assert missing == {"HC-1": 2}
    line = describe_open_cards({"HC-1": 2, "SP-1": 5})
    assert "\n" not in line
    assert line.startswith("7 cards are still open (HC-1: 2, SP-1: 5)") and "--force --reason" in line


def test_submissions_short_of_reviews_include_those_with_none() -> None:
    assert short_of_reviews(["S-3"], {"S-1": 1}) == {"S-1": 1, "S-3": 0}


@pytest.mark.parametrize(("submitted", "admitted", "short", "required", "reason"), [
    (0, 0, {}, 2, "no submissions"),
    (4, 0, {}, 2, "no submission was admitted (4 submitted)"),
    (4, 3, {"A": 1, "B": 0, "C": 1}, 2,
     "no admitted submission was reviewed enough (3 admitted, 3 with fewer than 2 reviews)"),
    (2, 2, {}, None, "no votes (2 admitted)"),
])
def test_a_nomination_without_a_winner_says_why(
    submitted: int, admitted: int, short: dict[str, int], required: int | None, reason: str,
) -> None:
    assert why_no_winner(submitted, admitted, short, required) == reason


def test_the_close_update_carries_force_and_old_requests_decode_without_it() -> None:
    from workflows.models import ClosePhase

    assert ClosePhase.model_validate({"phase": "judging", "reason": ""}).force is False


# --- through the services ----------------------------------------------------------------------

def test_with_the_winners_on_the_ballot_judging_puts_its_places_on_it(konkurs: Konkurs) -> None:
    base = spec_with(nominations=1, reviewers_per_submission=1).model_dump(mode="json")
    spec = ContestSpec.model_validate(base | {
        "places_per_nomination": 2, "voting": {"enabled": True, "ballot": "winners", "shortlist_size": 5}})
    judging_opened(konkurs, spec, [entry(f"A{n}") for n in range(4)], expert_panel(1))
    record_cards(konkurs, JUDGED, [card(f"A{n}", "E0", 2 + n) for n in range(4)])
    assert judged(konkurs, spec).shortlist == {"HC-1": ["A3", "A2"]}


def test_the_open_cards_of_a_judging_are_counted_by_the_service(konkurs: Konkurs) -> None:
    spec = spec_with(nominations=2, reviewers_per_submission=2)
    judging_opened(konkurs, spec, [entry("A1"), entry("A2"), entry("B1", "HC-2")], expert_panel(3))
    order = ContestOrder(slug=JUDGED, command_id="probe", actor=OPERATOR)
    assert konkurs.results.open_cards(order) == {"HC-1": 4, "HC-2": 2}
    assigned = konkurs.reads.judgings(spec)["HC-2"].assigned["B1"]
    record_cards(konkurs, JUDGED, [card("B1", expert, 7) for expert in assigned])
    assert konkurs.results.open_cards(order) == {"HC-1": 4}


def test_results_name_why_a_judged_nomination_has_no_winner() -> None:
    from konkurs.cli.vote_outcome import no_winner_reasons
    from projections.models import NominationCount, NominationResults, Results

    def nomination(code: str, **more: object) -> NominationResults:
        return NominationResults.model_validate(
            {"code": code, "title": code, "ranking": [], "winners": [], "people_choice": [], **more})

    shown = Results(slug=SLUG, title="t", judged=True, declared=False, published=False, nominations=[
        nomination("HC-1", under_reviewed={"A": 1}), nomination("HC-2")])
    counts = [NominationCount(code="HC-1", title="", submissions=3, admitted=1),
              NominationCount(code="HC-2", title="", submissions=0, admitted=0)]
    spec = make_spec(datetime(2030, 1, 1, tzinfo=UTC))
    assert no_winner_reasons(shown, counts, spec) == {
        "HC-1": "no admitted submission was reviewed enough (1 admitted, 1 with fewer than "
                f"{spec.judging.required_reviews} reviews)",
        "HC-2": "no submissions"}
    assert no_winner_reasons(shown.model_copy(update={"judged": False}), counts, spec) == {}
