"""The citizen's journey: signs in through the identity provider, votes in both nominations, keeps
the receipt, is refused a second vote; after publication checks the receipt ("my vote was
counted") while a forged one is not found. What the pages did is read back from the store."""

from __future__ import annotations

import json

import pytest

from domain.aggregates import Ballot, Contest
from domain.aggregates.ballot_batch import BallotBatch
from domain.commands.order import ContestOrder
from domain.phases import Phase
from store.log import topic_of
from tests.e2e.conftest import SLUG, Contests, Store
from tests.e2e.pages.conftest import Journey
from tests.factories import OPERATOR, close_phase

pytestmark = pytest.mark.slow

SUBJECT = "esia-7001234567"
VOTE, RECEIPT, VERIFY = (f"/contests/{SLUG}/{page}" for page in ("vote", "receipt", "verify"))
NOT_FOUND = "no ballot of this contest with that id was recorded at that position"


def choose_first_practices(journey: Journey) -> None:
    for nomination in ("HC-1", "HC-2"):
        journey.find(f"#choice-{nomination}-1").click()


def publish(store: Store) -> dict[str, object]:
    """Voting closed, the vote tallied, the results declared and published; returns the seal."""
    with store.open() as app:
        close_phase(app, SLUG, Phase.VOTING, "close-voting")
        for step in (app.results.tally_votes, app.results.declare_results, app.results.publish_results):
            step(ContestOrder(slug=SLUG, command_id=step.__name__, actor=OPERATOR))
        [published] = app.store.read_log([topic_of(Contest.ResultsPublished)])
        seal: dict[str, object] = published.state["seal"]
        return seal


def test_a_citizen_votes_once_and_finds_the_vote_counted_after_publication(
    contests: Contests, store: Store, journey: Journey
) -> None:
    contests.voting()
    journey.open(VOTE)
    assert journey.title == "Нужно войти"

    journey.sign_in_as(SUBJECT, region="75")
    journey.open(VOTE)
    assert journey.find("#region").get_attribute("value") == "75"
    assert len(journey.all("fieldset")) == 2
    journey.step("ballot")
    journey.press("Проголосовать")
    assert "Отметьте практику" in journey.field_error("ballot")
    assert store.ballots() == 0
    journey.step("ballot-empty")

    choose_first_practices(journey)
    journey.press("Проголосовать")
    assert journey.path == RECEIPT
    receipt = [(ballot.text, int(position.text)) for ballot, position in
               zip(journey.all(".ballot-id"), journey.all(".ballot-position"), strict=True)]
    assert len(receipt) == 2
    journey.step("receipt")
    journey.step("receipt-phone", phone=True)

    journey.open(VOTE)
    choose_first_practices(journey)
    journey.press("Проголосовать")
    assert journey.find(".refusal").text == "already voted in this nomination"
    journey.step("voted-again")

    with store.open() as app:
        casts = {e.position: e for e in app.store.contest_events(SLUG, [Ballot.Cast])}
        assert sorted((casts[p].originator_id.hex, p) for _, p in receipt) == sorted(receipt)
        actors = {(e.state["actor"]["kind"], e.state["actor"]["id"]) for e in casts.values()}
        assert actors == {("portal", "pages")}
        # The record names the identity provider that vouched for the voter.
        assert {e.state["actor"]["credential"] for e in casts.values()} == {f"oidc:{journey.base}/dev-oidc"}
        batches = app.store.contest_events(SLUG, [BallotBatch.Received])
        [refused] = [e for e in batches if e.state["rejections"]]
        assert {r["reason"] for r in refused.state["rejections"]} == {"already voted in this nomination"}
        logged = " ".join(json.dumps(e.state, ensure_ascii=False) for e in app.store.read_log())
        assert SUBJECT not in logged and SUBJECT.removeprefix("esia-") not in logged
    assert store.ballots() == 2

    ballot, position = receipt[0]
    journey.open(f"{VERIFY}?ballot={ballot}&position={position}")
    assert "Итоги ещё не опубликованы" in journey.text
    assert "учтён" not in journey.text
    journey.step("verify-before-publication")

    seal = publish(store)
    journey.sign_out()
    journey.open(VERIFY)
    journey.fill("ballot", ballot)
    journey.fill("position", str(position))
    journey.press("Проверить")
    assert "Ваш голос учтён" in journey.text
    assert journey.find("#sealed-head").text == seal["chain_head"]
    assert journey.find("#sealed-position").text == str(seal["chain_position"])
    assert "konkurs audit verify --checkpoints" in journey.text
    journey.step("verified")
    journey.step("verified-phone", phone=True)

    journey.fill("position", str(position + 1))
    journey.press("Проверить")
    assert "Бюллетень не найден" in journey.text and NOT_FOUND in journey.text
    assert "учтён" not in journey.text
    journey.step("forged-position")

    journey.fill("ballot", "not-a-ballot")
    journey.fill("position", "first")
    journey.press("Проверить")
    assert "32 знака" in journey.field_error("ballot")
    assert "целое число" in journey.field_error("position")
    journey.step("bad-input")


def test_a_visitor_with_a_role_is_refused_the_ballot(contests: Contests, journey: Journey) -> None:
    contests.voting()
    journey.sign_in_as("ivanova", role="expert", contests=SLUG)
    journey.open(VOTE)
    assert journey.title == "Нет доступа"
    assert "only a citizen signed in through the identity provider votes here" in journey.text
    journey.step("expert-refused")
